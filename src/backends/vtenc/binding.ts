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

/** What the native VtEncoder opens its session with. */
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

/** What one native call returns: the units that completed, and where the time went. */
export interface VtStep {
  units: VtUnit[];
  /** Writing the frame into the pooled pixel buffer. */
  copyMs: number;
  /** Submitting it to the session and waiting for completed frames. */
  encodeMs: number;
}

/** One native VideoToolbox session; every call but close runs on a pool thread, one at a time. */
export interface NativeVtEncoder {
  /** Opens the compression session on a pool thread (encode opens it too). */
  open(): Promise<VtStep>;
  /** Submits one host frame as submission `seq`; resolves with whatever units completed. */
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
  /** Completes every frame in flight. */
  flush(): Promise<VtStep>;
  /** Invalidates the session; synchronous. */
  close(): void;
}

/** The answer of a real test session. */
export interface VtProbe {
  /** Whether the session encoded its frame. */
  ok: boolean;
  /** The OSStatus VideoToolbox answered with (0 when ok). */
  status: number;
  /** VideoToolbox's own words, when it failed. */
  message?: string;
}

/** The VideoToolbox slice of the native addon. */
export interface VtBinding {
  /** Whether the addon was built with VideoToolbox. */
  features(): Pick<NativeFeatures, 'vtenc'>;
  /** Opens a real hardware H.264 session and encodes one frame. */
  vtSupported(): Promise<VtProbe>;
  /** Makes a session (opened by `open()` or the first encode). */
  VtEncoder: new (options: VtEncoderOptions) => NativeVtEncoder;
}

/** Loads the VideoToolbox binding (throws NativeAddonError when the addon cannot load). */
export const VtBindingToken: InjectionToken<() => VtBinding> = Symbol('rfbcast.VtBinding');

export function registerVtBinding(c: DependencyContainer): void {
  c.register(VtBindingToken, { useFactory: (dc) => nativeSlice<VtBinding>(dc) });
}
