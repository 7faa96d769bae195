/**
 * Each entry point's public surface is recorded in etc/ (API Extractor, from
 * the built declarations that `npm test` has just compiled):
 * etc/rfbcast.api.md for the root, etc/rfbcast-testing.api.md and
 * etc/rfbcast-wire.api.md for the others. A change to any fails here until
 * the reports are updated on purpose with `npm run api` and reviewed in the
 * diff. The root's configuration also fails on an undocumented symbol.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

it.each(['api-extractor.json', 'api-extractor.testing.json', 'api-extractor.wire.json'])(
  '%s matches the checked-in API report (update it with `npm run api`)',
  (config) => {
    let output = '';
    let failed = false;
    try {
      execFileSync(join(ROOT, 'node_modules', '.bin', 'api-extractor'), ['run', '-c', config], { cwd: ROOT, encoding: 'utf8' });
    } catch (error) {
      failed = true;
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(failed ? output : '').toBe('');
  },
  60_000,
);
