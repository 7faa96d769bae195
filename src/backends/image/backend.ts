/**
 * The `image` backend: JPEG, PNG and WebP through libjpeg-turbo, libpng and
 * libwebp. Each mode is probed on its own; the backend is available when any
 * mode works. The native addon comes from the container, so a child container
 * can probe against a fake binding.
 */
import { inject, injectable } from 'tsyringe';

import {
  absent,
  type BackendCapabilities,
  type BackendDescriptor,
  broken,
  type EncoderOptions,
  type ImageTransportOptions,
  ok,
  type ProbeResult,
  Rank,
} from '../../core/encoder';
import { messageOf } from '../../core/errors';
import { checkEncoderOptions } from '../../core/options';
import type { NativeAddon } from '../../core/native';
import { probeFrame } from '../../core/probe-frame';
import { PIXEL_FORMATS } from '../../core/pixel-format';
import { NativeLoaderToken } from '../../core/tokens';
import { ImageEncoder } from './encoder';
import { builtWithout, IMAGE_MIMES, IMAGE_MODE_NAMES, MODE_SPECS, type ImageMode } from './modes';
import { imageBinding } from './native';
import { IMAGE_KEYS, type ImageEncoderOptions } from './settings';

const PROBE_SIZE = 16;

/** The `image` backend's options: the common ones, plus the ImageEncoder's. */
export interface ImageBackendOptions extends Omit<ImageTransportOptions, 'mode' | 'stillMime'>, ImageEncoderOptions {}

declare module '../../core/encoder' {
  interface BackendOptionsMap {
    /** JPEG, PNG and WebP through libjpeg-turbo, libpng and libwebp. */
    image: ImageBackendOptions;
  }
}

async function probeMode(addon: NativeAddon, mode: ImageMode): Promise<ProbeResult> {
  if (!addon.features()[MODE_SPECS[mode].feature]) return absent(builtWithout(mode));
  const encoder = new ImageEncoder({ mode }, addon);
  try {
    const [payload] = await encoder.encode(probeFrame(PROBE_SIZE), { timestampUs: 0 });
    if (!payload || !MODE_SPECS[mode].isFile(payload.data)) {
      return broken(`the ${mode} test encode did not produce an ${MODE_SPECS[mode].mime} file`);
    }
    return ok();
  } finally {
    await encoder.close();
  }
}

/** Folds the per-mode results: available when any mode is; otherwise broken if any mode is broken. */
function overall(modes: Record<ImageMode, ProbeResult>): ProbeResult {
  const failed = IMAGE_MODE_NAMES.filter((m) => !modes[m].available);
  const reasons = failed.map((m) => `${m}: ${modes[m].reason ?? 'unavailable'}`).join('; ');
  if (failed.length < IMAGE_MODE_NAMES.length) return { ...ok(), ...(reasons ? { detail: reasons } : {}), modes };
  const anyBroken = failed.some((m) => modes[m].state === 'broken');
  return { ...(anyBroken ? broken(reasons) : absent(reasons)), modes };
}

/** The `image` backend: JPEG, PNG or WebP files, ranked SECONDARY (below video). */
@injectable()
export class ImageBackend implements BackendDescriptor<ImageBackendOptions> {
  /** {@inheritDoc BackendDescriptor.name} */
  readonly name = 'image';
  /** {@inheritDoc BackendDescriptor.label} */
  readonly label = 'JPEG, PNG and WebP (libjpeg-turbo, libpng, libwebp)';
  /** {@inheritDoc BackendDescriptor.transport} */
  readonly transport = 'image' as const;
  /** {@inheritDoc BackendDescriptor.rank} */
  readonly rank = Rank.SECONDARY;
  /** {@inheritDoc BackendDescriptor.capabilities} */
  readonly capabilities: BackendCapabilities = Object.freeze({
    pixelFormats: PIXEL_FORMATS,
    memories: ['host'],
    codecs: IMAGE_MIMES,
    hardware: false,
    modes: IMAGE_MODE_NAMES,
  });

  /** Made by the container (dependency injection). @internal */
  constructor(@inject(NativeLoaderToken) private readonly load: () => NativeAddon) {}

  /** Probes each mode with a real 16x16 encode; available when any mode works, with each mode's result in `modes`. */
  async probe(): Promise<ProbeResult> {
    let addon: NativeAddon;
    try {
      addon = this.load();
      imageBinding(addon);
    } catch (error) {
      return absent(messageOf(error));
    }
    const entries = await Promise.all(
      IMAGE_MODE_NAMES.map(async (mode) => {
        try {
          return [mode, await probeMode(addon, mode)] as const;
        } catch (error) {
          return [mode, broken(`the ${mode} test encode failed: ${messageOf(error)}`)] as const;
        }
      }),
    );
    return overall(Object.fromEntries(entries) as Record<ImageMode, ProbeResult>);
  }

  /**
   * `options.mode` picks jpeg (default), png or webp; `quality` and the
   * ImageEncoderOptions extras pass through. Images take each frame at its
   * own size, so width and height are checked but set nothing; `fps` and
   * `bitrate` likewise.
   */
  create(options: ImageBackendOptions): ImageEncoder {
    checkEncoderOptions(this.name, this.transport, options as EncoderOptions, IMAGE_KEYS);
    const own = Object.fromEntries(Object.entries(options).filter(([key]) => IMAGE_KEYS.includes(key)));
    return new ImageEncoder(own as ImageEncoderOptions, this.load());
  }
}
