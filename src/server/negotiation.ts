/**
 * Which encoder a viewer gets, all in one place: the stream's backends
 * (resolved through the registry when the stream is created), transport
 * negotiation (PROTOCOL.md §7.2), and how live switches apply to each viewer
 * within what it advertised (§17 H7).
 */
import type { BackendDescriptor } from '../core/encoder';
import { ConfigError } from '../core/errors';
import type { Logger } from '../core/logging';
import type { EncoderRegistry } from '../core/registry';
import { selectFrom } from '../core/selection';
import { CAP_H264, type ImageMode, IMAGE_MODES, mimeOf } from '../wire';
import { SwitchError } from './errors';

export type EncoderChoice =
  | { transport: 'video'; backend: string }
  | { transport: 'image'; backend: string; mode: ImageMode };

/** A stream-level switch in force: new and existing viewers resolve it against their capabilities. */
export type ForcedBackend = { transport: 'video'; backend: string } | { transport: 'image'; backend: string; mode?: ImageMode };

export interface NegotiationContext {
  /** The stream's usable H.264 backend, if any. */
  video?: string;
  /** The stream's usable image backend and the modes it declares, if any. */
  image?: { backend: string; modes: readonly ImageMode[] };
  /** The stream's preferred image mode. */
  imageMode: ImageMode;
  forced?: ForcedBackend;
}

const IMAGE_ORDER: readonly ImageMode[] = ['png', 'jpeg', 'webp'];

/** The first of [preferred, png, jpeg, webp] the viewer advertised (and the backend can make). */
export function imageModeFor(supported: readonly string[], preferred: ImageMode, modes: readonly ImageMode[] = IMAGE_MODES): ImageMode | undefined {
  return [preferred, ...IMAGE_ORDER].find((m) => modes.includes(m) && supported.includes(mimeOf(m)));
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
  return ctx.image ? image(ctx.image.backend, imageModeFor(supported, ctx.imageMode, ctx.image.modes)) : undefined;
}

/**
 * What the viewer would get if every registered backend were available: the
 * best-ranked registered backend of a transport it takes. Used to tell a
 * viewer nobody can serve why (its probe's reason), not just "no transport".
 */
export function unavailableChoice(registry: EncoderRegistry, supported: readonly string[], imageMode: ImageMode): EncoderChoice | undefined {
  const best = (transport: 'video' | 'image') =>
    registry
      .list()
      .filter((d) => d.transport === transport)
      .sort((a, b) => b.rank - a.rank)[0];
  // Images first: they are every viewer's fallback, and their reasons name a library to install.
  const image = best('image');
  const mode = image ? imageModeFor(supported, imageMode, modesOf(image)) : undefined;
  if (image && mode) return { transport: 'image', backend: image.name, mode };
  const video = supported.includes(CAP_H264) ? best('video') : undefined;
  return video ? { transport: 'video', backend: video.name } : undefined;
}

export function sameChoice(a: EncoderChoice, b: EncoderChoice): boolean {
  return a.transport === b.transport && a.backend === b.backend && (a.transport === 'video' || a.mode === (b as typeof a).mode);
}

export function describeChoice(c: EncoderChoice): string {
  return c.transport === 'video' ? c.backend : `${c.backend}:${c.mode}`;
}

// ---------------------------------------------------------------- the stream's backends

const modesOf = (d: BackendDescriptor): ImageMode[] => IMAGE_MODES.filter((m) => d.capabilities.modes?.includes(m) ?? true);

/**
 * The stream's H.264 backend: the one named, else the best available video
 * backend; `gpu: true` insists on hardware and throws with every reason.
 */
export async function videoBackendFor(
  registry: EncoderRegistry,
  o: { backend?: string; gpu: boolean },
  logger: Logger,
): Promise<string | undefined> {
  if (o.backend !== undefined) {
    const d = registry.get(o.backend);
    if (d.transport !== 'video') throw new ConfigError(`backend '${o.backend}' is not a video backend (use imageMode for images)`);
    const probe = await registry.probe(o.backend);
    if (!probe.available) throw new ConfigError(`backend '${o.backend}' is unavailable: ${probe.reason ?? 'unknown reason'}`);
    return o.backend;
  }
  try {
    return (await selectFrom(registry, { transport: 'video', gpu: o.gpu }, logger)).backend.name;
  } catch (error) {
    if (o.gpu) throw error;
    logger.warn({ err: error }, 'no H.264 backend available: viewers get images');
    return undefined;
  }
}

/** The best available image backend, with the modes it declares; undefined when none works. */
export async function imageBackendFor(registry: EncoderRegistry, logger: Logger): Promise<NegotiationContext['image']> {
  try {
    const { backend } = await selectFrom(registry, { transport: 'image' }, logger);
    return { backend: backend.name, modes: modesOf(backend) };
  } catch (error) {
    logger.warn({ err: error }, 'no image backend available: viewers without H.264 cannot be served');
    return undefined;
  }
}

// ---------------------------------------------------------------- live switches

/** Checks a switch spec (`libx264`, `image`, `image:png`, a plugin's name) against the registry. */
export async function resolveSwitch(registry: EncoderRegistry, spec: string, logger: Logger): Promise<ForcedBackend> {
  const [backend, mode, ...rest] = spec.split(':');
  const fail = (why: string) => {
    logger.warn({ backend: spec, reason: why }, 'backend switch rejected');
    return new SwitchError(`cannot switch to '${spec}': ${why}`);
  };
  if (rest.length > 0 || !backend) throw fail('expected a backend name, optionally followed by :mode');
  if (!registry.has(backend)) throw fail(`no backend named '${backend}' is registered`);
  const descriptor = registry.get(backend);
  if (mode !== undefined && (descriptor.transport !== 'image' || !modesOf(descriptor).includes(mode as ImageMode))) {
    throw fail(`'${mode}' is not an image mode of '${backend}'`);
  }
  const probe = await registry.probe(backend);
  const modeProbe = mode !== undefined ? probe.modes?.[mode] : undefined;
  if (!probe.available) throw fail(probe.reason ?? 'unavailable');
  if (modeProbe && !modeProbe.available) throw fail(modeProbe.reason ?? `${mode} is unavailable`);
  return descriptor.transport === 'video'
    ? { transport: 'video', backend }
    : { transport: 'image', backend, ...(mode ? { mode: mode as ImageMode } : {}) };
}

/** A per-viewer switch (H7): only to something the viewer advertised, else a SwitchError. */
export function choiceForViewer(forced: ForcedBackend, supported: readonly string[], spec: string, imageMode: ImageMode): EncoderChoice {
  if (forced.transport === 'video') {
    if (!supported.includes(CAP_H264)) throw new SwitchError(`viewer did not advertise ${CAP_H264}; cannot switch it to '${spec}'`);
    return forced;
  }
  const mode = forced.mode ?? imageModeFor(supported, imageMode);
  if (!mode || !supported.includes(mimeOf(mode))) {
    throw new SwitchError(`viewer did not advertise ${mode ? mimeOf(mode) : 'any image format'}; cannot switch it to '${spec}'`);
  }
  return { transport: 'image', backend: forced.backend, mode };
}
