/**
 * Backend selection as data: candidates are ordered (video before image
 * unless a transport is asked for, then by rank), filtered by the criteria,
 * and probed in that order. The result names the winner and, for every
 * candidate ranked above it, why it was passed over. `gpu: true` never falls
 * back silently to software.
 */
import type { BackendDescriptor, ProbeResult, Transport } from './encoder';
import type { MemoryKind } from './frame';
import { BackendUnavailableError, type SkippedBackend } from './errors';
import type { Logger } from './logging';
import type { PixelFormat } from './pixel-format';
import type { EncoderRegistry } from './registry';

/** What selectBackend() looks for. */
export interface SelectionCriteria {
  /** Only hardware backends; throws listing every hardware backend's reason when none works. */
  gpu?: boolean;
  /** Only backends of this transport. */
  transport?: Transport;
  /** Backend name(s) to try before the ranked order. */
  prefer?: string | readonly string[];
  /** What the frames look like, and which codec or MIME type the viewer can take. */
  accepts?: { pixelFormat?: PixelFormat; memory?: MemoryKind; codec?: string; mime?: string };
}

/** What selectBackend() chose. */
export interface Selection {
  /** The winner. */
  backend: BackendDescriptor;
  /** Its probe result. */
  probe: ProbeResult;
  /** Every candidate considered before the winner, with the reason it lost. */
  skipped: SkippedBackend[];
}

function mismatch(d: BackendDescriptor, c: SelectionCriteria): string | undefined {
  const caps = d.capabilities;
  if (c.gpu && !caps.hardware) return 'not a hardware encoder';
  if (c.transport && d.transport !== c.transport) return `transport is ${d.transport}, not ${c.transport}`;
  const a = c.accepts;
  if (!a) return undefined;
  if (a.pixelFormat && !caps.pixelFormats.includes(a.pixelFormat)) return `does not take ${a.pixelFormat} frames`;
  if (a.memory && !caps.memories.includes(a.memory)) return `does not take ${a.memory} memory`;
  const wanted = a.codec ?? a.mime;
  if (wanted && !caps.codecs.some((x) => wanted === x || wanted.startsWith(`${x}.`))) {
    return `does not produce ${wanted}`;
  }
  return undefined;
}

function ordered(all: readonly BackendDescriptor[], c: SelectionCriteria): BackendDescriptor[] {
  const transportOrder = (d: BackendDescriptor) => (c.transport ? 0 : d.transport === 'video' ? 0 : 1);
  const ranked = [...all].sort((a, b) => transportOrder(a) - transportOrder(b) || b.rank - a.rank);
  const preferred = typeof c.prefer === 'string' ? [c.prefer] : (c.prefer ?? []);
  const first = preferred.map((name) => ranked.find((d) => d.name === name)).filter((d) => d !== undefined);
  return [...first, ...ranked.filter((d) => !first.includes(d))];
}

export async function selectFrom(
  registry: EncoderRegistry,
  criteria: SelectionCriteria,
  logger: Logger,
): Promise<Selection> {
  const skipped: SkippedBackend[] = [];
  const unknown = (typeof criteria.prefer === 'string' ? [criteria.prefer] : (criteria.prefer ?? [])).filter(
    (name) => !registry.has(name),
  );
  for (const name of unknown) skipped.push({ name, reason: 'not registered' });
  for (const d of ordered(registry.list(), criteria)) {
    const why = mismatch(d, criteria);
    if (why) {
      // A gpu selection reports every hardware backend; software ones are simply not candidates.
      if (!(criteria.gpu && !d.capabilities.hardware)) skipped.push({ name: d.name, reason: why });
      continue;
    }
    const probe = await registry.probe(d.name);
    if (!probe.available) {
      skipped.push({ name: d.name, reason: probe.reason ?? 'unavailable' });
      continue;
    }
    logger.info({ backend: d.name, criteria, skipped }, 'backend selected');
    return { backend: d, probe, skipped };
  }
  const what = criteria.gpu ? 'no hardware encoder is available' : 'no backend matches the selection';
  logger.warn({ criteria, skipped }, what);
  throw new BackendUnavailableError(what, skipped);
}
