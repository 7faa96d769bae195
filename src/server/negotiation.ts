/**
 * Which encoder a viewer gets: transport negotiation (PROTOCOL.md §7.2) and
 * how live switches apply to each viewer within what it advertised (§17 H7).
 */
import { CAP_H264, type ImageMode, mimeOf } from '../wire';

export type EncoderChoice =
  | { transport: 'video'; backend: string }
  | { transport: 'image'; backend: string; mode: ImageMode };

/** A stream-level switch in force: new and existing viewers resolve it against their capabilities. */
export type ForcedBackend = { transport: 'video'; backend: string } | { transport: 'image'; backend: string; mode?: ImageMode };

export interface NegotiationContext {
  /** The stream's usable H.264 backend, if any. */
  video?: string;
  /** The registry name of the image backend. */
  imageBackend: string;
  /** The stream's preferred image mode. */
  imageMode: ImageMode;
  forced?: ForcedBackend;
}

const IMAGE_ORDER: readonly ImageMode[] = ['png', 'jpeg', 'webp'];

/** The first of [preferred, png, jpeg, webp] the viewer advertised. */
export function imageModeFor(supported: readonly string[], preferred: ImageMode): ImageMode | undefined {
  return [preferred, ...IMAGE_ORDER].find((m) => supported.includes(mimeOf(m)));
}

export function chooseEncoder(supported: readonly string[], ctx: NegotiationContext): EncoderChoice | undefined {
  const forced = ctx.forced;
  const video = forced?.transport === 'video' ? forced.backend : ctx.video;
  const h264 = supported.includes(CAP_H264) && video !== undefined;
  const image = (backend: string, mode: ImageMode | undefined): EncoderChoice | undefined =>
    mode ? { transport: 'image', backend, mode } : undefined;
  if (forced?.transport === 'image') {
    const preferred = forced.mode && supported.includes(mimeOf(forced.mode)) ? forced.mode : undefined;
    const chosen = image(forced.backend, preferred ?? imageModeFor(supported, ctx.imageMode));
    if (chosen) return chosen;
    return h264 ? { transport: 'video', backend: video } : undefined;
  }
  if (h264) return { transport: 'video', backend: video };
  return image(ctx.imageBackend, imageModeFor(supported, ctx.imageMode));
}

export function sameChoice(a: EncoderChoice, b: EncoderChoice): boolean {
  return a.transport === b.transport && a.backend === b.backend && (a.transport === 'video' || a.mode === (b as typeof a).mode);
}

export function describeChoice(c: EncoderChoice): string {
  return c.transport === 'video' ? c.backend : `${c.backend}:${c.mode}`;
}
