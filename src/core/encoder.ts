/**
 * The encoder contract every backend implements, and the descriptor through
 * which a backend is registered as a plugin.
 */
import type { ColorDescriptor } from './color';
import type { MemoryKind, RawFrame } from './frame';
import type { PixelFormat } from './pixel-format';

/** `video`: a stream of H.264 access units. `image`: self-contained image files. */
export type Transport = 'image' | 'video';

/** Per-frame options of {@link EncoderBackend.encode}. */
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
  /** The bytes: an Annex B access unit (video) or an image file. */
  data: Uint8Array;
  /** Whether a decoder can start here: an IDR with SPS and PPS (video); always true for images. */
  keyframe: boolean;
  /** The frame's publish time, from EncodeOptions.timestampUs. */
  timestampUs: number;
  /** Video: 1 s / fps. Images leave it out. */
  durationUs?: number;
  /** Video: the WebCodecs codec string derived from the latest SPS. */
  codec?: string;
  /** Image: the payload's MIME type. */
  mime?: string;
  /** The encoded width: the encoder's (even) width for video, the frame's for images. */
  width: number;
  /** The encoded height, as `width`. */
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
 * One encoder instance, made by {@link BackendDescriptor.create}. The server
 * feeds it frames one call at a time per encode group, and shares each unit
 * it returns among every viewer of that group.
 *
 * The contract, which the built-in backends meet and `test/backend-contract.test.ts`
 * checks for each of them and for the example plugin:
 *
 * - **One in, one out.** `encode(frame)` resolves with this frame's units
 *   only: usually one, or none when the encoder dropped the frame. It never
 *   returns units of earlier frames; an encoder that buffers returns them
 *   from {@link EncoderBackend.flush}. Calls may overlap (the server may
 *   submit the next frame before the last resolves) and must resolve in
 *   call order.
 * - **Keyframes.** Video: the first unit is a keyframe (an IDR carrying SPS
 *   and PPS, Annex B), and so is the unit of a frame encoded with
 *   `forceKeyframe`. Between them, an IDR every `fps` frames (PROTOCOL.md
 *   §9.2). Images: every unit is a keyframe.
 * - **Timestamps.** Each unit carries its frame's `timestampUs` unchanged;
 *   video units carry `durationUs` = 1 s / fps. Build units with
 *   {@link unitOf} so the frame's pixel ratio and colour travel too.
 * - **Size.** A video encoder's size is fixed at creation: a frame of
 *   another size is refused (the server rebuilds the encoder). An image
 *   encoder encodes each frame at the frame's own size.
 * - **Errors.** `encode` rejects (never throws synchronously) with
 *   `ConfigError` for bad options (a `timestampUs` that is not a
 *   non-negative integer), `FrameError` for something that is not a frame or
 *   a frame it cannot take (size, pixel format, memory), `EncoderClosedError`
 *   after `close`, and `EncoderError` when the codec itself fails. Bad input
 *   leaves the encoder usable; an `EncoderError` may leave it failed, and the
 *   server then rebuilds it.
 * - **Close.** `close` lets queued encodes finish, frees native resources,
 *   and may be called any number of times.
 */
export interface EncoderBackend {
  /** `video` (a stream of H.264 access units) or `image` (self-contained image files). */
  readonly transport: Transport;
  /** Video: the current codec string (from the emitted SPS). */
  readonly codec?: string;
  /** Image: the MIME type of the payloads. */
  readonly mime?: string;
  /**
   * Encodes one frame.
   * @param frame - The frame, in a pixel format and memory the backend's capabilities list.
   * @param options - Its timestamp, and whether it must be a keyframe.
   * @returns This frame's units: one, or none when the frame was dropped.
   */
  encode(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]>;
  /** A still for a settled scene: lossless PNG for images, a forced IDR for video. Optional: the server falls back to `encode`. */
  encodeStill?(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]>;
  /** Drains anything buffered (nothing, for the 1-in-1-out backends built in). Rejects with EncoderClosedError after close. */
  flush(): Promise<EncodedUnit[]>;
  /** Frees native resources once queued encodes finish; later calls to encode reject with EncoderClosedError. Idempotent. */
  close(): Promise<void>;
}

/**
 * The options every backend's factory takes. The server adds a few by
 * transport ({@link VideoEncoderOptions}, {@link ImageTransportOptions}); a
 * backend also takes options of its own (declared in {@link BackendOptionsMap})
 * and refuses any other key with a ConfigError.
 */
export interface EncoderOptions {
  /** Width in pixels, 1 to MAX_DIMENSION; even for video. The server passes the stream's size. */
  width: number;
  /** Height in pixels, 1 to MAX_DIMENSION; even for video. */
  height: number;
  /** Frames per second, 1..240 (default 30): the time base, the keyframe interval and `durationUs`. */
  fps?: number;
  /** Target bits per second, 1000..2e9 (default 12 000 000). Image backends may ignore it. */
  bitrate?: number;
  /** The frames' colour. Video writes it into the SPS's VUI; none means sRGB (PROTOCOL.md §13.1, §13.3). */
  color?: ColorDescriptor;
  /**
   * The memory the encoder's frames will live in (default `host`). When the
   * backend cannot take it, the registry wraps the encoder in a frame adapter.
   */
  memory?: MemoryKind;
}

/** What the server passes to a video backend: the common options, plus a pipelining hint. */
export interface VideoEncoderOptions extends EncoderOptions {
  /**
   * How many frames may wait inside the encoder behind the one being
   * submitted (default 0). A hint: a backend that cannot pipeline ignores it.
   */
  pipelineDepth?: number;
}

/** What the server passes to an image backend: the common options, plus the viewer's image mode. */
export interface ImageTransportOptions extends EncoderOptions {
  /** `jpeg`, `png` or `webp`. */
  mode?: string;
  /** Quality of the lossy modes, 1..100. */
  quality?: number;
  /** The MIME type of `encodeStill` payloads. */
  stillMime?: string;
}

/** Every option the server may pass, to a backend of either transport. */
export type AnyEncoderOptions = VideoEncoderOptions & ImageTransportOptions;

/**
 * Each backend's own options, by backend name: `registry.create(name, options)`
 * type-checks `options` against the entry for `name`. The built-in backends
 * add theirs; a plugin adds its own the same way:
 *
 * ```ts
 * declare module 'rfbcast' {
 *   interface BackendOptionsMap {
 *     grey: ImageTransportOptions & { compressionLevel?: number };
 *   }
 * }
 * ```
 */
export interface BackendOptionsMap {}

/** The options `create` takes for the backend called `N`: its own, when it declared them. */
export type OptionsFor<N extends string> = N extends keyof BackendOptionsMap ? BackendOptionsMap[N] : AnyEncoderOptions;

/** What a backend can take and make: the registry's selection and adapters read it. */
export interface BackendCapabilities {
  /** Pixel formats `encode` accepts. */
  pixelFormats: readonly PixelFormat[];
  /** Memories `encode` accepts (`host`, `metal`); others reach it through a frame adapter. */
  memories: readonly MemoryKind[];
  /** Video: codec families, e.g. `avc1`. Image: MIME types. */
  codecs: readonly string[];
  /** Whether encoding runs on dedicated hardware; `selectBackend({ gpu: true })` prefers these. */
  hardware: boolean;
  /** Image backends: the modes (`jpeg`, `png`, `webp`). */
  modes?: readonly string[];
}

/**
 * `absent`: a prerequisite is missing (wrong OS, library not built in).
 * `broken`: everything is installed, yet the real test encode failed.
 */
export type ProbeState = 'ok' | 'absent' | 'broken';

/** What a probe found. Build it with {@link ok}, {@link absent} or {@link broken}. */
export interface ProbeResult {
  /** Whether the backend can be used here. */
  available: boolean;
  /** Why not, as a category: see ProbeState. */
  state: ProbeState;
  /** A short reason a person can act on ("not macOS", "built without libx264"). */
  reason?: string;
  /** More detail for logs (a library's own message). */
  detail?: string;
  /** Backends with several modes (image) report each one. */
  modes?: Record<string, ProbeResult>;
}

/**
 * A backend plugin: its identity, rank, capabilities, availability probe and
 * factory. Register it with `registerBackend()`; the registry then offers it
 * to `selectBackend()`, to streams' `backend` option and to per-viewer switches.
 *
 * @typeParam O - The options `create` takes: the transport's (VideoEncoderOptions or
 *   ImageTransportOptions) plus the backend's own.
 */
export interface BackendDescriptor<O extends EncoderOptions = AnyEncoderOptions> {
  /** Unique name, used in options, the wire's backend ids and logs (e.g. `libx264`). */
  readonly name: string;
  /** A human-readable name for pickers and `rfbcast doctor`. */
  readonly label: string;
  /** `video` or `image`: which viewers it can serve and which options the server passes. */
  readonly transport: Transport;
  /**
   * Higher wins when several backends fit, GStreamer style (see {@link Rank}):
   * hardware encoders rank above software ones, images below video.
   */
  readonly rank: number;
  /** What it can take and make. */
  readonly capabilities: BackendCapabilities;
  /**
   * Whether the backend works here. Cheap checks first (platform, library
   * built in: `absent` when missing), then a real tiny encode (`broken` when
   * it fails). Resolve, don't throw: the registry turns a throw or a probe
   * slower than PROBE_TIMEOUT_MS into `broken`. Called once per registry;
   * the result is cached.
   */
  probe(): Promise<ProbeResult>;
  /**
   * Makes an encoder. Checks its options first and throws (or rejects with)
   * a ConfigError naming the backend and the option for an unknown key or a
   * bad value: `checkEncoderOptions` in the built-ins does the common part.
   */
  create(options: O): EncoderBackend | Promise<EncoderBackend>;
}

/** GStreamer's rank scale. */
export const Rank = Object.freeze({ NONE: 0, MARGINAL: 64, SECONDARY: 128, PRIMARY: 256 });

/** A probe result: the backend works. */
export const ok = (): ProbeResult => ({ available: true, state: 'ok' });
/** A probe result: a prerequisite is missing (`reason` says which). */
export const absent = (reason: string, detail?: string): ProbeResult => ({
  available: false,
  state: 'absent',
  reason,
  ...(detail ? { detail } : {}),
});
/** A probe result: installed, but the test encode failed. */
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
  /** The memory whose frames this adapter moves to the host. */
  readonly memory: MemoryKind;
  /** Wraps `encoder` (made by `descriptor`) so it takes frames in `memory`. */
  adapt(encoder: EncoderBackend, descriptor: BackendDescriptor): EncoderBackend;
}
