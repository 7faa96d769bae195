/**
 * PROTOCOL.md §18 again, with one encoder per viewer (`encoding: 'per-viewer'`):
 * the same suite as protocol-conformance.test.ts, so both modes keep every
 * conformance item.
 */
(globalThis as { conformanceEncoding?: string }).conformanceEncoding = 'per-viewer';
require('./protocol-conformance.test');
