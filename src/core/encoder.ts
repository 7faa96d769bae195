/**
 * The encoder contract every backend implements, and the descriptor through
 * which a backend is registered as a plugin.
 */
import type { ColorDescriptor } from './color';
import type { MemoryKind, RawFrame } from './frame';
import type { PixelFormat } from './pixel-format';

export type Transport = 'image' | 'video';

export interface EncodeOptions {
  /** Make this frame an IDR (video). Ignored by image encoders: every image is a keyframe. */
  forceKeyframe?: boolean;
  /** Microseconds since the display was created (publish time), copied to the unit. */
  timestampUs: number;
}

/**
 * One encoded access unit (H.264) or image file. It describes itself and
 * belongs to no viewer: the server shares one unit among every viewer of an
 * encode group and stamps each viewer's own seq into that viewer's envelope.
 */
export interface EncodedUnit {
  data: Uint8Array;
  keyframe: boolean;
  /** The frame's publish time, from EncodeOptions.timestampUs. */
  timestampUs: number;
  /** Video: 1 s / fps. Images leave it out. */
  durationUs?: number;
  /** Video: the WebCodecs codec string derived from the latest SPS. */
  codec?: string;
  /** Image: the payload's MIME type. */
  mime?: string;
  /** The encoded size: the encoder's (even) size for video, the frame's for images. */
  width: number;
  height: number;
  /** The frame's device-pixel ratio, when it is not 1. */
  pixelRatio?: number;
  /** The frame's colour descriptor, when it has one. */
  color?: ColorDescriptor;
}

/**
 * A unit for `frame`: the frame's pixel ratio and colour travel with the
 * bytes, so sinks that never see the frame (viewers, relays, recorders) can
 * describe it.
 */
export function unitOf(
  frame: Pick<RawFrame, 'width' | 'height' | 'pixelRatio' | 'color'>,
  fields: Omit<EncodedUnit, 'width' | 'height' | 'pixelRatio' | 'color'> & { width?: number; height?: number },
): EncodedUnit {
  return {
    ...fields,
    width: fields.width ?? frame.width,
    height: fields.height ?? frame.height,
    ...(frame.pixelRatio !== undefined && frame.pixelRatio !== 1 ? { pixelRatio: frame.pixelRatio } : {}),
    ...(frame.color ? { color: frame.color } : {}),
  };
}

/**
 * One encoder instance. Video encoders have a fixed resolution (they are
 * rebuilt, never reconfigured). `encode` is 1-in-1-out: it resolves with this
 * frame's unit(s) only, and calls complete in the order they were made.
 */
export interface EncoderBackend {
  readonly transport: Transport;
  /** Video: the current codec string (from the emitted SPS). */
  readonly codec?: string;
  /** Image: the MIME type of the payloads. */
  readonly mime?: string;
  encode(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]>;
  /** A still for a settled scene: lossless PNG for images, a forced IDR for video. */
  encodeStill?(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]>;
  /** Drains anything buffered (nothing, for the 1-in-1-out backends built in). */
  flush(): Promise<EncodedUnit[]>;
  /** Frees native resources; later calls to encode reject with EncoderClosedError. */
  close(): Promise<void>;
}

/** What the registry passes to a backend factory. */
export interface EncoderOptions {
  width: number;
  height: number;
  fps?: number;
  bitrate?: number;
  color?: ColorDescriptor;
  /** Image backends: `jpeg`, `png` or `webp`. */
  mode?: string;
  quality?: number;
  /**
   * The memory the encoder's frames will live in (default `host`). When the
   * backend cannot take it, the registry wraps the encoder in a frame adapter.
   */
  memory?: MemoryKind;
  /** Backend-specific extras (preset, threads, pipeline depth, ...). */
  [option: string]: unknown;
}

export interface BackendCapabilities {
  pixelFormats: readonly PixelFormat[];
  memories: readonly MemoryKind[];
  /** Video: codec families, e.g. `avc1`. Image: MIME types. */
  codecs: readonly string[];
  hardware: boolean;
  /** Image backends: the modes (`jpeg`, `png`, `webp`). */
  modes?: readonly string[];
}

/**
 * `absent`: a prerequisite is missing (wrong OS, library not built in).
 * `broken`: everything is installed, yet the real test encode failed.
 */
export type ProbeState = 'ok' | 'absent' | 'broken';

export interface ProbeResult {
  available: boolean;
  state: ProbeState;
  reason?: string;
  detail?: string;
  /** Backends with several modes (image) report each one. */
  modes?: Record<string, ProbeResult>;
}

/** A backend plugin: its identity, rank, capabilities, availability probe and factory. */
export interface BackendDescriptor {
  readonly name: string;
  readonly label: string;
  readonly transport: Transport;
  /** Higher wins, GStreamer style (see `Rank`). */
  readonly rank: number;
  readonly capabilities: BackendCapabilities;
  /** Cheap checks first, then a real tiny encode. Should not throw; the registry guards it anyway. */
  probe(): Promise<ProbeResult>;
  create(options: EncoderOptions): EncoderBackend | Promise<EncoderBackend>;
}

/** GStreamer's rank scale. */
export const Rank = Object.freeze({ NONE: 0, MARGINAL: 64, SECONDARY: 128, PRIMARY: 256 });

export const ok = (): ProbeResult => ({ available: true, state: 'ok' });
export const absent = (reason: string, detail?: string): ProbeResult => ({
  available: false,
  state: 'absent',
  reason,
  ...(detail ? { detail } : {}),
});
export const broken = (reason: string, detail?: string): ProbeResult => ({
  available: false,
  state: 'broken',
  reason,
  ...(detail ? { detail } : {}),
});

/**
 * Lets a backend that only takes host frames consume frames from another
 * memory (e.g. Metal): the adapter wraps the encoder and moves each frame
 * to host memory first. Registered in the container under FrameAdapterToken.
 */
export interface FrameAdapter {
  readonly memory: MemoryKind;
  adapt(encoder: EncoderBackend, descriptor: BackendDescriptor): EncoderBackend;
}
