/**
 * A Display is what a program holds for one stream: it publishes frames,
 * reads its viewers' input, and steers encoding. Everything else about the
 * stream (its viewers' handshakes, encode groups, config and registry) stays
 * inside the server, in `Stream`.
 *
 * Events: `target` (match_client committed a render size), `viewer` (a viewer
 * joined, with its info), `viewer-left` (its id), `close`.
 */
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';

import type { ColorDescriptor } from '../core/color';
import type { FrameInput } from '../core/frame';
import type { ImageMode, InputEvent } from '../wire';
import { record, type RecordedStream, type Recording, recordingsOf, type RecordingMetrics, type RecordOptions } from '../recorder/recording';
import type { GroupMetrics } from './encode-group';
import { DisplayClosedError } from './errors';
import type { QueuedEvent } from './event-queue';
import type { GroupMember } from './group-member';
import type { MetricsSnapshot } from './metrics';
import type { Stream } from './stream';
import type { ViewerInfo } from './viewer';

/** Options of Display.publish(): what travels with the frame to every viewer. */
export interface PublishOptions {
  /** The render device-pixel ratio, echoed to viewers (default 1). */
  pixelRatio?: number;
  /** The frame's colour (default: none, meaning sRGB). */
  color?: ColorDescriptor;
}

/** An encoding of the stream that a sink can take: H.264 from the stream's video backend, or an image mode. */
export type Rendition = { transport: 'video' } | { transport: 'image'; mode: ImageMode };

/** New targets for Display.setQuality(). */
export interface QualityOptions {
  /** Target bits per second. */
  bitrate?: number;
  /** Frames per second. */
  fps?: number;
}

/** A stream at a glance: its name, size, frame rate and viewer count. */
export interface StreamInfo {
  /** The stream's name. */
  name: string;
  /** Its width in pixels. */
  width: number;
  /** Its height in pixels. */
  height: number;
  /** Its frame rate. */
  fps: number;
  /** Viewers connected now. */
  clients: number;
}

/** Each display's stream, for tests that reach inside (spying on admission, counting handshakes); not exported by the package. */
const streams = new WeakMap<Display, Stream>();

export function streamOf(display: Display): Stream {
  return streams.get(display) as Stream;
}

/**
 * The program's face of one stream, made by serve() or hub.addStream(): publish frames, read the
 * viewers' input from events(), inspect viewers and metrics, switch backends, record, close.
 */
export class Display extends EventEmitter {
  readonly #stream: Stream;
  /** What recordings see of this stream. */
  readonly #recorded: RecordedStream;

  /**
   * Displays are made by `serve()` and `hub.addStream()`.
   * @internal
   */
  constructor(stream: Stream) {
    super();
    this.#stream = stream;
    streams.set(this, stream);
    // Getters: the stream makes its display before it has finished making itself.
    this.#recorded = {
      get name() {
        return stream.name;
      },
      get logger() {
        return stream.logger;
      },
      attachSink: (sink, rendition) => stream.attachSink(sink, rendition),
      once: (event, listener) => this.once(event, listener),
      off: (event, listener) => this.off(event, listener),
    };
  }

  /** The stream's name (its path on the hub). */
  get name(): string {
    return this.#stream.name;
  }

  /** The WebSocket URL of this stream, once the hub listens. */
  get url(): string {
    return this.#stream.url;
  }

  /** The display size: the size of the last frame published. */
  get width(): number {
    return this.#stream.width;
  }

  /** The display height (see width). */
  get height(): number {
    return this.#stream.height;
  }

  /** The committed render target under `match_client` (undefined before the first commit). */
  get targetSize(): { width: number; height: number } | undefined {
    return this.#stream.targetSize;
  }

  /** Under `match_client`, the device-pixel ratio of the committed viewport (1 otherwise). */
  get targetRatio(): number {
    return this.#stream.targetRatio;
  }

  /** The stream's current encoder targets (changed by setQuality). */
  get quality(): Required<QualityOptions> {
    return { bitrate: this.#stream.config.bitrate, fps: this.#stream.config.fps };
  }

  /** Whether close() has been called. */
  get isClosed(): boolean {
    return this.#stream.isClosed;
  }

  /**
   * Makes `input` the latest frame and wakes the encode groups; returns its
   * timestamp (µs since the display was created), which viewers receive as
   * `timestamp_us`. Synchronous and O(1) unless ownFrames is set: frames are
   * borrowed by default, so do not write into a published buffer; publish a
   * new one (or set ownFrames).
   */
  publish(input: FrameInput, options: PublishOptions = {}): number {
    return this.#stream.publish(input, options);
  }

  /** Drains the input queue (bounded; the oldest events are dropped when it is full). */
  pollEvents(): QueuedEvent[] {
    return this.#stream.pollEvents();
  }

  /** `for await (const e of display.events())`: ends when the display closes. */
  events(): AsyncGenerator<QueuedEvent> {
    return this.#stream.events();
  }

  /** Every raw input event received, when recording is on (GET /recorded-events). */
  recordedEvents(): InputEvent[] {
    return this.#stream.recordedEvents();
  }

  /** Forgets the events recorded so far (with the `recordEvents` option). */
  resetRecordedEvents(): void {
    this.#stream.resetRecordedEvents();
  }

  /** Every connected viewer: id, principal, transport, backend, viewport and counters. */
  viewers(): ViewerInfo[] {
    return this.#stream.viewers();
  }

  /** Per-viewer snapshots (PROTOCOL.md §15.1), as `/streams/<name>/metrics` serves them. */
  metrics(): MetricsSnapshot[] {
    return this.#stream.metrics();
  }

  /** Each encode group: members, encodes per second, encode time, forced keyframes and why. */
  groupMetrics(): GroupMetrics[] {
    return this.#stream.groupMetrics();
  }

  /** Its name, size, frame rate and viewer count now. */
  info(): StreamInfo {
    return this.#stream.info();
  }

  /**
   * Switches the backend of one viewer (`{ viewer }`) or of the whole stream:
   * `libx264`, `vtenc`, `image` or `image:jpeg|png|webp`, or a plugin's name.
   * A viewer is only switched to something it advertised (PROTOCOL.md §17 H7).
   */
  switchBackend(spec: string, options: { viewer?: string } = {}): Promise<void> {
    return this.#stream.switchBackend(spec, options);
  }

  /** Retunes bitrate and/or fps for every encode group (one rebuild and keyframe each) and for new viewers. */
  setQuality(q: QualityOptions): void {
    this.#stream.setQuality(q);
  }

  /**
   * Adds a sink that is not a viewer (a recorder, a relay's rendition
   * publisher) to the stream's encode group for `rendition`. It shares the
   * group's encoder, so it costs no extra encode. Returns its detach function.
   */
  attachSink(sink: GroupMember, rendition: Rendition): () => void {
    return this.#stream.attachSink(sink, rendition);
  }

  /**
   * Records the stream's H.264 to a fragmented MP4 file (or a Writable) as one
   * more member of its encode group; `await rec.stop()` finishes the file.
   */
  record(target: string | Writable, options: RecordOptions = {}): Recording {
    if (this.isClosed) throw new DisplayClosedError(this.name);
    return record(this.#recorded, target, options);
  }

  /** The recordings running: file, duration, bytes (kept apart from metrics(), whose shape §15.1 fixes). */
  recordings(): RecordingMetrics[] {
    return recordingsOf(this.#recorded);
  }

  /** Closes every viewer with 1001 and stops accepting new ones. */
  close(): Promise<void> {
    return this.#stream.close();
  }
}
