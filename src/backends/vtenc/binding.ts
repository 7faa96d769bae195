/**
 * The slices of the native addon the VideoToolbox backend and the Metal API
 * use, and the tokens they are injected through. The defaults come from the
 * container's NativeLoaderToken; tests register fakes with the same shape in a
 * child container, which is how everything here is verified without a Mac.
 */
import type { DependencyContainer, InjectionToken } from 'tsyringe';

import type { NativeAddon, NativeFeatures } from '../../core/native';
import { NativeLoaderToken } from '../../core/tokens';

export interface VtEncoderOptions {
  width: number;
  height: number;
  bitrate: number;
  fps: number;
  /** MaxKeyFrameInterval, in frames. */
  gop: number;
  /** 0: each encode returns its own frame. k: up to k frames stay in flight. */
  pipelineDepth: number;
  /** VUI colour codes (PROTOCOL.md §13.3); both or neither. */
  primaries?: number;
  transfer?: number;
}

/** One submitted frame's result, in submission order. A dropped frame has empty `data`. */
export interface VtUnit {
  /** The submission number given to encode()/encodeMetal() for this frame. */
  seq: number;
  data: Uint8Array;
  keyframe: boolean;
  error?: string;
}

export interface VtStep {
  units: VtUnit[];
  /** Writing the frame into the pooled pixel buffer. */
  copyMs: number;
  /** Submitting it to the session and waiting for completed frames. */
  encodeMs: number;
}

export interface NativeVtEncoder {
  /** Opens the compression session on a pool thread (encode opens it too). */
  open(): Promise<VtStep>;
  encode(
    data: Uint8Array,
    format: string,
    width: number,
    height: number,
    stride: number,
    forceKeyframe: boolean,
    seq: number,
  ): Promise<VtStep>;
  /** `frame` is an nv12 MetalFrame. */
  encodeMetal(frame: MetalFrameHandle, forceKeyframe: boolean, seq: number): Promise<VtStep>;
  flush(): Promise<VtStep>;
  close(): void;
}

export interface VtProbe {
  ok: boolean;
  /** The OSStatus VideoToolbox answered with (0 when ok). */
  status: number;
  message?: string;
}

export interface VtBinding {
  features(): Pick<NativeFeatures, 'vtenc'>;
  /** Opens a real hardware H.264 session and encodes one frame. */
  vtSupported(): Promise<VtProbe>;
  VtEncoder: new (options: VtEncoderOptions) => NativeVtEncoder;
}

/** A frame in a shared-storage MTLBuffer; `contents` views the same memory. */
export interface MetalFrameHandle {
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: 'rgba' | 'bgra' | 'nv12';
  /** Bytes per row (rows are padded for the GPU); NV12's CbCr plane follows the Y plane. */
  readonly stride: number;
  readonly contents: Uint8Array;
}

export interface NativeMetalKernel {
  /** Runs over every pixel: frame bytes at buffer(0), {width, height, stride} at buffer(1), params at buffer(2). */
  run(frame: MetalFrameHandle, params: Float32Array): Promise<{ gpuMs: number }>;
}

export interface MetalBinding {
  features(): Pick<NativeFeatures, 'metal'>;
  metalAvailable(): { available: boolean; device?: string; reason?: string };
  MetalFrame: new (width: number, height: number, pixelFormat: string) => MetalFrameHandle;
  MetalKernel: new (source: string, entry: string) => NativeMetalKernel;
  metalRgbToNv12(src: MetalFrameHandle, dst: MetalFrameHandle): Promise<{ gpuMs: number }>;
  metalToRgb(src: MetalFrameHandle, format: 'rgba' | 'rgb24', dst: Uint8Array): Promise<{ gpuMs: number }>;
}

/** Loads the VideoToolbox binding (throws NativeAddonError when the addon cannot load). */
export const VtBindingToken: InjectionToken<() => VtBinding> = Symbol('rfbcast.VtBinding');
/** Loads the Metal binding. */
export const MetalBindingToken: InjectionToken<() => MetalBinding> = Symbol('rfbcast.MetalBinding');
/** The operating system, as `process.platform` names it; replaceable so tests can play macOS. */
export const HostPlatformToken: InjectionToken<NodeJS.Platform> = Symbol('rfbcast.HostPlatform');

/** The addon is both bindings: on macOS it is built with VtEncoder and MetalFrame. */
function addonAs<T>(c: DependencyContainer): () => T {
  const load = c.resolve<() => NativeAddon>(NativeLoaderToken);
  return () => load() as unknown as T;
}

export function registerAppleBindings(c: DependencyContainer): void {
  c.register(VtBindingToken, { useFactory: (dc) => addonAs<VtBinding>(dc) });
  c.register(MetalBindingToken, { useFactory: (dc) => addonAs<MetalBinding>(dc) });
  c.register(HostPlatformToken, { useValue: process.platform });
}
