/** The image encoder's slice of the native addon (native/image/image_napi.cc). */
import { NativeAddonError } from '../../core/errors';
import type { NativeAddon } from '../../core/native';
import type { NativeImageSettings } from './settings';

export interface NativeImageEncoder {
  /**
   * Encodes one packed-RGB or YUV 4:2:0 host image on the libuv pool;
   * resolves with the complete file. Encodes on different lanes (0..3,
   * default 0) may run at the same time; on one lane they run in turn.
   */
  encode(
    data: Uint8Array,
    pixelFormat: string,
    width: number,
    height: number,
    stride: number,
    settings: NativeImageSettings,
    lane?: number,
  ): Promise<Uint8Array>;
  /** Frees the encoder once no encode is running (the garbage collector does the same). */
  close(): void;
}

export interface NativeImageBinding {
  ImageEncoder: new () => NativeImageEncoder;
}

export function imageBinding(addon: NativeAddon): NativeImageBinding {
  if (typeof addon.ImageEncoder !== 'function') {
    throw new NativeAddonError('the rfbcast native addon has no image encoder: rebuild it');
  }
  return addon as unknown as NativeImageBinding;
}
