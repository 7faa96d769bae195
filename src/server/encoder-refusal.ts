/**
 * What a viewer is told when its encoder cannot be created (PROTOCOL.md §16,
 * 1011): when the backend's probe says why it is unavailable ("built without
 * libjpeg-turbo: install libturbojpeg0-dev and rebuild"), the close reason
 * says so, so the page can show something a person can act on. Any other
 * failure stays an opaque `internal error` (the log has the details).
 */
import type { EncoderRegistry } from '../core/registry';
import { CLOSE, closeReason } from './close-codes';
import { describeChoice, type EncoderChoice } from './negotiation';

export async function encoderRefusal(registry: EncoderRegistry, choice: EncoderChoice): Promise<{ code: number; reason: string }> {
  const internal = { code: CLOSE.INTERNAL, reason: 'internal error' };
  let probe;
  try {
    probe = await registry.probe(choice.backend);
  } catch {
    return internal;
  }
  const result = choice.transport === 'image' ? (probe.modes?.[choice.mode] ?? probe) : probe;
  if (result.available) return internal;
  return { code: CLOSE.INTERNAL, reason: closeReason(`internal error: no ${describeChoice(choice)} encoder: ${result.reason ?? 'unavailable'}`) };
}
