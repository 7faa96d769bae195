/**
 * The libx264 part of the native addon (native/x264/x264_napi.cc), present
 * only when the addon was built against libx264.
 */
import type { NativeAddon } from '../../core/native';
import type { PixelFormat } from '../../core/pixel-format';

/** What the native encoder is opened with; colour codes are H.264 VUI values (2 = unspecified). */
export interface NativeX264Settings {
  width: number;
  height: number;
  fps: number;
  bitrate: number;
  preset: string;
  threads: number;
  colorPrimaries: number;
  colorTransfer: number;
}

export interface NativeAccessUnit {
  data: Uint8Array;
  /** The picture is an IDR. */
  keyframe: boolean;
}

export interface NativeX264Encoder {
  /**
   * Converts (packed RGB) and encodes on a pool thread, opening x264 on the
   * first call; null when x264 returned no picture.
   */
  encode(
    data: Uint8Array,
    format: PixelFormat,
    width: number,
    height: number,
    stride: number,
    forceKeyframe: boolean,
  ): Promise<NativeAccessUnit | null>;
  /**
   * The benchmark floor: x264 alone on tight I420 frames of the encoder's size
   * (frame k is `i420Frames[(first + k) % length]`), timed per frame in a C++
   * loop on a pool thread. Resolves with milliseconds per frame.
   */
  benchmark(i420Frames: Uint8Array[], first: number, count: number): Promise<Float64Array>;
  close(): void;
}

export interface NativeX264Binding {
  X264Encoder: new (settings: NativeX264Settings) => NativeX264Encoder;
  /** x264's preset names, fastest first. */
  x264Presets: readonly string[];
}

export const X264_MISSING = 'built without libx264: install libx264-dev and rebuild';

/** The addon's libx264 binding, or undefined when it was built without libx264. */
export function x264Binding(addon: NativeAddon): NativeX264Binding | undefined {
  const slice = addon as unknown as Partial<NativeX264Binding>;
  if (!addon.features().x264 || typeof slice.X264Encoder !== 'function') return undefined;
  return slice as NativeX264Binding;
}
