/**
 * A Display is one stream: the latest frame, a version counter, the viewers'
 * sessions and their merged input queue. The publisher calls publish() when
 * it likes (latest wins); each session encodes whatever is newest when it is
 * ready, so viewers never slow each other down.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { appendFile } from 'node:fs/promises';

import type { ColorDescriptor } from '../core/color';
import { ConfigError } from '../core/errors';
import { type FrameInput, isHostFrame, toFrame } from '../core/frame';
import type { Logger } from '../core/logging';
import type { EncoderRegistry } from '../core/registry';
import { CAP_H264, type HelloMessage, type ImageMode, IMAGE_MODES, type InputEvent, mimeOf, type ResizeInputEvent } from '../wire';
import type { Clock } from './clock';
import { CLOSE } from './close-codes';
import { DisplayClosedError, SwitchError, UnknownViewerError } from './errors';
import { encoderRefusal } from './encoder-refusal';
import { EventQueue, type QueuedEvent } from './event-queue';
import type { MetricsSnapshot } from './metrics';
import {
  chooseEncoder,
  describeChoice,
  type EncoderChoice,
  type ForcedBackend,
  imageModeFor,
  type NegotiationContext,
  sameChoice,
} from './negotiation';
import { borrowedFrame, FramePool, type PublishedFrame } from './published-frame';
import { DebouncedTarget } from './render-target';
import { Session, type StreamContext, type ViewerInfo } from './session';
import type { StreamConfig } from './stream-config';
import type { ViewerSocket } from './viewer-socket';

export interface PublishOptions {
  pixelRatio?: number;
  color?: ColorDescriptor;
}

export interface QualityOptions {
  bitrate?: number;
  fps?: number;
}

export interface StreamInfo {
  name: string;
  width: number;
  height: number;
  fps: number;
  clients: number;
}

const IMAGE_BACKEND = 'image';

export interface DisplayDeps {
  name: string;
  width: number;
  height: number;
  config: StreamConfig;
  registry: EncoderRegistry;
  clock: Clock;
  logger: Logger;
  /** The H.264 backend new viewers get, resolved when the stream was created. */
  videoBackend: string | undefined;
  /** Called once when the display closes (the hub forgets it; serve() also stops listening). */
  onClose: (d: Display) => Promise<void>;
}

export class Display extends EventEmitter implements StreamContext {
  readonly name: string;
  readonly config: StreamConfig;
  readonly registry: EncoderRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The WebSocket URL of this stream, once the hub listens. */
  url = '';

  private size: { width: number; height: number };
  private current?: PublishedFrame;
  private version = 0;
  private readonly createdMs: number;
  private publishSignal!: { promise: Promise<void>; resolve: () => void };
  private readonly sessions = new Map<string, Session>();
  private readonly queue: EventQueue;
  private readonly recorded: InputEvent[] = [];
  private readonly pool = new FramePool();
  private readonly target: DebouncedTarget;
  private forced?: ForcedBackend;
  private readonly videoBackend: string | undefined;
  private closed = false;
  private closing?: Promise<void>;
  private handshaking = 0;

  constructor(private readonly deps: DisplayDeps) {
    super();
    this.name = deps.name;
    this.config = deps.config;
    this.registry = deps.registry;
    this.clock = deps.clock;
    this.logger = deps.logger.child({ stream: deps.name });
    this.size = { width: deps.width, height: deps.height };
    this.videoBackend = deps.videoBackend;
    this.createdMs = deps.clock.now();
    this.queue = new EventQueue(deps.config.eventQueueSize);
    this.target = new DebouncedTarget(deps.clock, deps.config.resizeDebounceMs, deps.config.maxRenderDimension, (t) =>
      this.emit('target', t),
    );
    this.renewSignal();
  }

  // ---------------------------------------------------------------- publisher API

  get width(): number {
    return this.size.width;
  }

  get height(): number {
    return this.size.height;
  }

  /** Frames live in GPU memory on a gpu stream; image viewers then get a frame adapter. */
  get memory(): string {
    return this.config.gpu ? 'metal' : 'host';
  }

  /** The committed render target under `match_client` (undefined before the first commit). */
  get targetSize(): { width: number; height: number } | undefined {
    const t = this.target.target;
    return t ? { width: t.width, height: t.height } : undefined;
  }

  get targetRatio(): number {
    return this.target.target?.ratio ?? 1;
  }

  /**
   * Makes `input` the latest frame and wakes the viewers. Synchronous and O(1)
   * unless ownFrames is set: frames are borrowed by default, so do not write
   * into a published buffer; publish a new one (or set ownFrames).
   */
  publish(input: FrameInput, options: PublishOptions = {}): void {
    if (this.closed) throw new DisplayClosedError(this.name);
    const frame = toFrame(input, this.size.width, this.size.height, options);
    const version = ++this.version;
    const timestampUs = Math.round((this.clock.now() - this.createdMs) * 1000);
    const next =
      this.config.ownFrames && isHostFrame(frame)
        ? this.pool.own(frame, version, timestampUs)
        : borrowedFrame(frame, version, timestampUs);
    const previous = this.current;
    this.current = next;
    previous?.release();
    this.size = { width: frame.width, height: frame.height };
    const signal = this.publishSignal;
    this.renewSignal();
    signal.resolve();
  }

  /** Drains the input queue (bounded; the oldest events are dropped when it is full). */
  pollEvents(): QueuedEvent[] {
    return this.queue.drain();
  }

  /** `for await (const e of display.events())`: ends when the display closes. */
  events(): AsyncGenerator<QueuedEvent> {
    return this.queue.iterate();
  }

  /** Every raw input event received, when recording is on (GET /recorded-events). */
  recordedEvents(): InputEvent[] {
    return [...this.recorded];
  }

  resetRecordedEvents(): void {
    this.recorded.length = 0;
  }

  /** Viewers connected or still in their handshake: what maxViewers limits. */
  get occupancy(): number {
    return this.sessions.size + this.handshaking;
  }

  beginHandshake(): void {
    this.handshaking++;
  }

  endHandshake(): void {
    this.handshaking--;
  }

  viewers(): ViewerInfo[] {
    return [...this.sessions.values()].map((s) => s.info());
  }

  metrics(): MetricsSnapshot[] {
    return [...this.sessions.values()].map((s) => s.metrics());
  }

  info(): StreamInfo {
    return { name: this.name, width: this.width, height: this.height, fps: this.config.fps, clients: this.sessions.size };
  }

  /**
   * Switches the backend of one viewer (`{ viewer }`) or of the whole stream:
   * `libx264`, `vtenc`, `image` or `image:jpeg|png|webp`, or a plugin's name.
   * A viewer is only switched to something it advertised (PROTOCOL.md §17 H7).
   */
  async switchBackend(spec: string, options: { viewer?: string } = {}): Promise<void> {
    const forced = await this.resolveSwitch(spec);
    if (options.viewer !== undefined) {
      const session = this.sessions.get(options.viewer);
      if (!session) throw new UnknownViewerError(options.viewer);
      const choice = this.choiceForViewer(forced, session.supported, spec);
      this.queueChoice(session, choice);
      return;
    }
    this.forced = forced;
    for (const session of this.sessions.values()) {
      if (forced.transport === 'video' && !session.supported.includes(CAP_H264)) {
        this.logger.info({ viewer: session.id, to: spec }, 'viewer keeps its image transport: it did not advertise H.264');
        continue;
      }
      const choice = chooseEncoder(session.supported, this.negotiation());
      if (choice) this.queueChoice(session, choice);
    }
  }

  /** Retunes bitrate and/or fps for every viewer (one rebuild and keyframe each) and for new viewers. */
  setQuality(q: QualityOptions): void {
    for (const k of ['bitrate', 'fps'] as const) {
      if (q[k] !== undefined && (!Number.isInteger(q[k]) || (q[k] as number) <= 0)) {
        throw new ConfigError(`${k} must be a positive integer, got ${String(q[k])}`);
      }
    }
    if (q.bitrate !== undefined) this.config.bitrate = q.bitrate;
    if (q.fps !== undefined) this.config.fps = q.fps;
    for (const s of this.sessions.values()) s.reconfigure({ bitrate: q.bitrate, fps: q.fps, announce: true });
  }

  /** Closes every viewer with 1001 and stops accepting new ones. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.target.cancel();
    this.publishSignal.resolve();
    await Promise.all([...this.sessions.values()].map((s) => s.end(CLOSE.GOING_AWAY, 'going away')));
    this.queue.end();
    this.current?.release();
    await this.deps.onClose(this);
    this.emit('close');
  }

  // ---------------------------------------------------------------- viewers

  /** Negotiates, creates the session and starts it; returns the close it needs instead, if any. */
  async admit(socket: ViewerSocket, hello: HelloMessage, principal: unknown): Promise<Session | { code: number; reason: string }> {
    // The stream may have been removed while the viewer was authenticating.
    if (this.closed) return { code: CLOSE.GOING_AWAY, reason: 'going away' };
    const choice = chooseEncoder(hello.supported, this.negotiation());
    if (!choice) return { code: CLOSE.NO_TRANSPORT, reason: 'no supported transport' };
    const id = randomBytes(16).toString('hex');
    const session = new Session(id, this, socket, hello, principal, choice);
    this.sessions.set(id, session);
    try {
      await session.start(this.width, this.height, this.current?.frame);
    } catch (error) {
      this.sessions.delete(id);
      this.logger.error({ err: error, backend: describeChoice(choice) }, 'cannot create the encoder for a viewer');
      return encoderRefusal(this.registry, choice);
    }
    this.logger.info({ viewer: id, backend: describeChoice(choice) }, 'viewer connected');
    this.emit('viewer', session.info());
    return session;
  }

  // ---------------------------------------------------------------- StreamContext

  latest(): PublishedFrame | undefined {
    return this.current;
  }

  nextPublish(): Promise<void> {
    return this.publishSignal.promise;
  }

  pushEvent(viewer: Session, event: InputEvent): void {
    this.queue.push({
      viewer: viewer.id,
      principal: viewer.principal,
      receivedUs: Math.round((this.clock.now() - this.createdMs) * 1000),
      event,
    });
    const rec = this.config.recordEvents;
    if (!rec) return;
    this.recorded.push(event);
    if (typeof rec === 'object') {
      appendFile(rec.file, `${JSON.stringify(event)}\n`).catch((err: unknown) =>
        this.logger.warn({ err, file: rec.file }, 'cannot append to the event log'),
      );
    }
  }

  viewportChanged(_viewer: Session, resize: ResizeInputEvent): void {
    if (this.config.resizePolicy === 'match_client') this.target.offer(resize.pwidth, resize.pheight, resize.ratio);
  }

  sessionEnded(viewer: Session): void {
    if (this.sessions.delete(viewer.id)) {
      this.logger.info({ viewer: viewer.id }, 'viewer left');
      this.emit('viewer-left', viewer.id);
    }
  }

  // ---------------------------------------------------------------- switching

  private negotiation(): NegotiationContext {
    return { video: this.videoBackend, imageBackend: IMAGE_BACKEND, imageMode: this.config.imageMode, forced: this.forced };
  }

  private async resolveSwitch(spec: string): Promise<ForcedBackend> {
    const [backend, mode, ...rest] = spec.split(':');
    const fail = (why: string) => {
      this.logger.warn({ backend: spec, reason: why }, 'backend switch rejected');
      return new SwitchError(`cannot switch to '${spec}': ${why}`);
    };
    if (rest.length > 0 || !backend) throw fail('expected a backend name, optionally followed by :mode');
    if (!this.registry.has(backend)) throw fail(`no backend named '${backend}' is registered`);
    const descriptor = this.registry.get(backend);
    if (mode !== undefined && (descriptor.transport !== 'image' || !IMAGE_MODES.includes(mode as ImageMode))) {
      throw fail(`'${mode}' is not an image mode of '${backend}'`);
    }
    const probe = await this.registry.probe(backend);
    const modeProbe = mode !== undefined ? probe.modes?.[mode] : undefined;
    if (!probe.available) throw fail(probe.reason ?? 'unavailable');
    if (modeProbe && !modeProbe.available) throw fail(modeProbe.reason ?? `${mode} is unavailable`);
    return descriptor.transport === 'video'
      ? { transport: 'video', backend }
      : { transport: 'image', backend, ...(mode ? { mode: mode as ImageMode } : {}) };
  }

  private choiceForViewer(forced: ForcedBackend, supported: readonly string[], spec: string): EncoderChoice {
    if (forced.transport === 'video') {
      if (!supported.includes(CAP_H264)) throw new SwitchError(`viewer did not advertise ${CAP_H264}; cannot switch it to '${spec}'`);
      return forced;
    }
    const mode = forced.mode ?? imageModeFor(supported, this.config.imageMode);
    if (!mode || !supported.includes(mimeOf(mode))) {
      throw new SwitchError(`viewer did not advertise ${mode ? mimeOf(mode) : 'any image format'}; cannot switch it to '${spec}'`);
    }
    return { transport: 'image', backend: forced.backend, mode };
  }

  private queueChoice(session: Session, choice: EncoderChoice): void {
    if (sameChoice(choice, session.effectiveChoice)) return;
    session.reconfigure({ choice });
  }

  private renewSignal(): void {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.publishSignal = { promise, resolve };
  }
}
