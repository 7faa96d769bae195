/**
 * The slice of the native addon the VideoToolbox backend uses, and the token
 * it is injected through. The default comes from the container's
 * NativeLoaderToken; tests register fakes with the same shape in a child
 * container, which is how the backend is verified without a Mac.
 */
import type { DependencyContainer, InjectionToken } from 'tsyringe';

import type { NativeFeatures } from '../../core/native';
import { nativeSlice } from '../../core/tokens';
import type { MetalFrameHandle } from '../../metal/binding';

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

/** Loads the VideoToolbox binding (throws NativeAddonError when the addon cannot load). */
export const VtBindingToken: InjectionToken<() => VtBinding> = Symbol('rfbcast.VtBinding');

export function registerVtBinding(c: DependencyContainer): void {
  c.register(VtBindingToken, { useFactory: (dc) => nativeSlice<VtBinding>(dc) });
}
