/**
 * Per-stream settings with the defaults of PROTOCOL.md (bitrate 12 Mbit/s,
 * 30 fps, maxInflight 2, 2 s in-flight timeout, queue of 4096 events, ...).
 */
import { ConfigError } from '../core/errors';
import type { Logger } from '../core/logging';
import { ENCODER_DEFAULTS } from '../core/options';
import type { ImageMode } from '../wire';
import { IMAGE_MODES } from '../wire';

/** `publisher`: the program decides the size. `match_client`: the stream follows the last viewer's viewport (§12.2). */
export type ResizePolicy = 'publisher' | 'match_client';

/**
 * `shared` (default): viewers whose negotiated encoding is identical share one
 * encoder (PROTOCOL.md §9.4). `per-viewer`: every viewer has its own encoder.
 */
export type EncodingMode = 'shared' | 'per-viewer';

/** What an authenticate hook sees of a connecting viewer: its token, HTTP request and hello. */
export interface AuthContext {
  /** The token from the hello, the `token` query parameter or the Authorization header. */
  token: string | undefined;
  /** The upgrade request's headers. */
  headers: Record<string, string | string[] | undefined>;
  /** Its cookies, parsed. */
  cookies: Record<string, string>;
  /** The request path. */
  path: string;
  /** The query parameters. */
  query: Record<string, string>;
  /** The peer's address. */
  remote: string | undefined;
  /** The hello message as sent. */
  hello: Record<string, unknown>;
  /** The stream asked for. */
  stream: string;
}

/** Returns a principal (any value) to accept the viewer, or null to reject it. */
export type Authenticate = (ctx: AuthContext) => unknown | Promise<unknown>;

/** Options of a stream: serve() and hub.addStream() take them. */
export interface StreamOptions {
  /** Frames per second the encoders target (default 30). */
  fps?: number;
  /** Target bits per second for H.264 (default 12 000 000). */
  bitrate?: number;
  /** Use a hardware H.264 encoder (VideoToolbox); throws when none is available. */
  gpu?: boolean;
  /** The H.264 backend by name (default: the best available video backend). */
  backend?: string;
  /** The image mode for viewers without H.264 (default `jpeg`). */
  imageMode?: ImageMode;
  /** Frames a viewer may have unacknowledged before it is skipped (default 2). */
  maxInflight?: number;
  /** How long an unacknowledged frame counts before it is forgiven (default 2000 ms). */
  inflightTimeoutMs?: number;
  /** Send one still (lossless PNG / forced IDR) once the scene has been quiet this long. */
  stillAfterMs?: number;
  /** Who decides the size (default `publisher`). */
  resizePolicy?: ResizePolicy;
  /** match_client: the largest width or height a viewer may ask for. */
  maxRenderDimension?: number;
  /** match_client: how long a viewport must be stable before it is committed. */
  resizeDebounceMs?: number;
  /** Decides whether a viewer may watch; its return value is the viewer's principal. */
  authenticate?: Authenticate;
  /** Shorthand for authenticate: accept exactly this token (compared in constant time). */
  token?: string;
  /** How long authenticate may take (default 10 s). */
  authTimeoutMs?: number;
  /** Send each viewer its `stats` this often (default: never). */
  statsIntervalMs?: number;
  /** Lower and raise each group's bitrate with its viewers' acknowledgements (§15.2; default false). */
  adaptive?: boolean;
  /** Copy each published host frame into a pooled buffer (for publishers that reuse one buffer). */
  ownFrames?: boolean;
  /** One encoder per configuration (`shared`, the default) or one per viewer. */
  encoding?: EncodingMode;
  /** Frames in flight inside a pipelined encoder (vtenc); 1 = synchronous. */
  encodePipelineDepth?: number;
  /** Input events held for events() before the oldest are dropped (counted; default 4096). */
  eventQueueSize?: number;
  /** Viewers at once (default 64); more are refused with 4429. */
  maxViewers?: number;
  /** Buffered bytes a viewer's socket may hold before frames are dropped (default max(4 MiB, 2 s of bitrate)). */
  slowViewerBudgetBytes?: number;
  /** How long a socket may stay over budget before it is closed with 4413. */
  slowViewerTimeoutMs?: number;
  /** A logger for this stream (default: the hub's). */
  logger?: Logger;
  /** Keep every raw input event for GET /recorded-events (and optionally append them to a JSON-lines file). */
  recordEvents?: boolean | { file: string };
}

export type StreamConfig = Required<
  Omit<StreamOptions, 'logger' | 'backend' | 'stillAfterMs' | 'maxRenderDimension' | 'authenticate' | 'token' | 'statsIntervalMs' | 'slowViewerBudgetBytes' | 'recordEvents'>
> &
  Pick<StreamOptions, 'backend' | 'stillAfterMs' | 'maxRenderDimension' | 'authenticate' | 'statsIntervalMs' | 'slowViewerBudgetBytes' | 'recordEvents'>;

/** The stream options STREAM_DEFAULTS gives a value. */
export type DefaultedKey =
  | 'fps' | 'bitrate' | 'gpu' | 'imageMode' | 'maxInflight' | 'inflightTimeoutMs' | 'resizePolicy' | 'resizeDebounceMs'
  | 'authTimeoutMs' | 'adaptive' | 'ownFrames' | 'encodePipelineDepth' | 'eventQueueSize' | 'maxViewers' | 'slowViewerTimeoutMs';

/** The stream options used when one is left out. */
export const STREAM_DEFAULTS: Readonly<Required<Pick<StreamOptions, DefaultedKey>>> = Object.freeze({
  fps: ENCODER_DEFAULTS.fps,
  bitrate: ENCODER_DEFAULTS.bitrate,
  gpu: false,
  imageMode: 'jpeg',
  maxInflight: 2,
  inflightTimeoutMs: 2000,
  resizePolicy: 'publisher',
  resizeDebounceMs: 120,
  authTimeoutMs: 10_000,
  adaptive: false,
  ownFrames: false,
  encodePipelineDepth: 1,
  encoding: 'shared' as EncodingMode,
  eventQueueSize: 4096,
  maxViewers: 64,
  slowViewerTimeoutMs: 10_000,
});

function positiveInt(name: string, v: unknown): void {
  if (!Number.isInteger(v) || (v as number) <= 0) throw new ConfigError(`${name} must be a positive integer, got ${String(v)}`);
}

function positiveNumber(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new ConfigError(`${name} must be a positive number, got ${String(v)}`);
  }
}

/**
 * Every StreamOptions key: anything else given (hub options from serve()) stays
 * out of the config. A record, so that a key added to StreamOptions and not
 * here fails to compile.
 */
const STREAM_KEY_SET: Record<keyof StreamOptions, true> = {
  fps: true, bitrate: true, gpu: true, backend: true, imageMode: true, maxInflight: true, inflightTimeoutMs: true,
  stillAfterMs: true, resizePolicy: true, maxRenderDimension: true, resizeDebounceMs: true, authenticate: true,
  token: true, authTimeoutMs: true, statsIntervalMs: true, adaptive: true, ownFrames: true, encoding: true,
  encodePipelineDepth: true, eventQueueSize: true, maxViewers: true, slowViewerBudgetBytes: true,
  slowViewerTimeoutMs: true, logger: true, recordEvents: true,
};
export const STREAM_KEYS = Object.keys(STREAM_KEY_SET) as ReadonlyArray<keyof StreamOptions>;

export function resolveStreamConfig(o: StreamOptions): StreamConfig {
  const given = Object.fromEntries(
    STREAM_KEYS.filter((k) => o[k] !== undefined && k !== 'token' && k !== 'logger').map((k) => [k, o[k]]),
  ) as StreamOptions;
  const c: StreamOptions & typeof STREAM_DEFAULTS = { ...STREAM_DEFAULTS, ...given };
  for (const k of ['fps', 'bitrate', 'maxInflight', 'encodePipelineDepth', 'eventQueueSize', 'maxViewers'] as const) {
    positiveInt(k, c[k]);
  }
  for (const k of ['inflightTimeoutMs', 'resizeDebounceMs', 'authTimeoutMs', 'slowViewerTimeoutMs'] as const) {
    positiveNumber(k, c[k]);
  }
  for (const k of ['stillAfterMs', 'statsIntervalMs', 'slowViewerBudgetBytes'] as const) {
    if (c[k] !== undefined) positiveNumber(k, c[k]);
  }
  if (c.maxRenderDimension !== undefined) positiveInt('maxRenderDimension', c.maxRenderDimension);
  if (c.resizePolicy !== 'publisher' && c.resizePolicy !== 'match_client') {
    throw new ConfigError(`unknown resize policy '${String(c.resizePolicy)}' (expected 'publisher' or 'match_client')`);
  }
  if (c.encoding !== 'shared' && c.encoding !== 'per-viewer') {
    throw new ConfigError(`unknown encoding '${String(c.encoding)}' (expected 'shared' or 'per-viewer')`);
  }
  if (!IMAGE_MODES.includes(c.imageMode)) {
    throw new ConfigError(`unknown image mode '${String(c.imageMode)}' (expected ${IMAGE_MODES.join(', ')})`);
  }
  if (c.authenticate !== undefined && typeof c.authenticate !== 'function') {
    throw new ConfigError('authenticate must be a function');
  }
  return c as StreamConfig;
}
