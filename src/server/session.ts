/**
 * One viewer's session (PROTOCOL.md §3, §9, §10, §14, §15, §17 H6-H8, H11,
 * H12): its own encoder, seq space, in-flight set and keyframe flag, and a
 * strictly serial encode loop that awaits the native encoder so the event
 * loop never blocks. Control messages are handled as they arrive, in order.
 */
import { type ColorDescriptor, orderedColor } from '../core/color';
import type { EncodedPayload, EncoderBackend } from '../core/encoder';
import { cropFrame, isHostFrame, type RawFrame } from '../core/frame';
import type { Logger } from '../core/logging';
import type { EncoderRegistry } from '../core/registry';
import {
  type AckMessage,
  type ClientMessage,
  configMessage,
  type HelloMessage,
  inputEventProblem,
  mimeOf,
  parseClientMessage,
  resizeEventOf,
  setQualityMessage,
  type SetViewportMessage,
  statsMessage,
  CAP_PNG,
  CONFIG_CODEC,
  type ResizeInputEvent,
} from '../wire';
import { AdaptiveController } from './adaptive';
import type { Clock, Timer } from './clock';
import { CLOSE, closeReason } from './close-codes';
import type { InputEvent } from '../wire';
import { FlowControl } from './flow-control';
import { type EnvelopeContext, payloadEnvelope } from './payload-envelope';
import { type MetricsSnapshot, SessionCounters } from './metrics';
import { describeChoice, type EncoderChoice, imageModeFor, sameChoice } from './negotiation';
import type { PublishedFrame } from './published-frame';
import type { StreamConfig } from './stream-config';
import { OPEN, type ViewerSocket } from './viewer-socket';

/** What a session needs from its stream. */
export interface StreamContext {
  readonly name: string;
  readonly config: StreamConfig;
  readonly registry: EncoderRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The memory published frames live in ('metal' on a GPU stream), for frame adapters. */
  readonly memory: string;
  readonly isClosed: boolean;
  latest(): PublishedFrame | undefined;
  /** Resolves at the next publish (or when the stream closes). */
  nextPublish(): Promise<void>;
  pushEvent(viewer: Session, event: InputEvent): void;
  viewportChanged(viewer: Session, resize: ResizeInputEvent): void;
  sessionEnded(viewer: Session): void;
}

/** A queued reconfiguration (§17 H6): a backend switch and/or a retune. */
export interface Reconfig {
  choice?: EncoderChoice;
  bitrate?: number;
  fps?: number;
  /** Operator retunes and adaptive changes announce the new targets with set_quality. */
  announce?: boolean;
}

/** How long a viewer closed for being too slow gets to take the close frame before it is cut off. */
const SLOW_VIEWER_GRACE_MS = 1000;

type Work = { kind: 'frame' | 'still'; pub: PublishedFrame } | { kind: 'closed' };

export interface ViewerInfo {
  id: string;
  principal: unknown;
  transport: 'video' | 'image';
  backend: string;
  supported: readonly string[];
  viewport?: { pwidth: number; pheight: number; ratio: number };
  decoderResets: number;
  inflightTimeouts: number;
  /** Bytes queued in the socket, not yet taken by the network (§17 H11). */
  bufferedBytes: number;
}

export class Session {
  readonly counters: SessionCounters;
  viewport?: { pwidth: number; pheight: number; ratio: number };

  private encoder?: EncoderBackend;
  /** What the current encoder was built for; a frame with another shape rebuilds it (§10.2). */
  private encoderShape?: Shape;
  private nextSeq = 0;
  private readonly flow: FlowControl;
  private readonly pending: Reconfig[] = [];
  private lastVersion = 0;
  private stillArmed = false;
  private codec?: string;
  private bitrate: number;
  private fps: number;
  private lastStatsMs = -Infinity;
  private readonly adaptive?: AdaptiveController;
  private closed = false;
  private closingTooSlow = false;
  private wake?: () => void;
  private loopDone?: Promise<void>;

  constructor(
    readonly id: string,
    private readonly stream: StreamContext,
    private readonly socket: ViewerSocket,
    readonly hello: HelloMessage,
    readonly principal: unknown,
    private choice: EncoderChoice,
  ) {
    const c = stream.config;
    this.counters = new SessionCounters(stream.clock.now());
    this.bitrate = c.bitrate;
    this.fps = c.fps;
    this.flow = new FlowControl(
      {
        maxInflight: c.maxInflight,
        inflightTimeoutMs: c.inflightTimeoutMs,
        budgetBytes: this.budgetFor(c.bitrate),
        overBudgetTimeoutMs: c.slowViewerTimeoutMs,
      },
      this.counters,
    );
    if (c.adaptive) this.adaptive = new AdaptiveController(() => ({ bitrate: c.bitrate, fps: c.fps, maxInflight: c.maxInflight }));
  }

  get supported(): readonly string[] {
    return this.hello.supported;
  }

  /** The backend this viewer will be on once its queued reconfigurations apply. */
  get effectiveChoice(): EncoderChoice {
    return this.pending.reduce<EncoderChoice>((c, r) => r.choice ?? c, this.choice);
  }

  info(): ViewerInfo {
    return {
      id: this.id,
      principal: this.principal,
      transport: this.choice.transport,
      backend: describeChoice(this.choice),
      supported: this.hello.supported,
      ...(this.viewport ? { viewport: this.viewport } : {}),
      decoderResets: this.counters.decoderResets,
      inflightTimeouts: this.counters.inflightTimeouts,
      bufferedBytes: this.socket.bufferedAmount,
    };
  }

  metrics(): MetricsSnapshot {
    return this.counters.snapshot(this.stream.clock.now(), this.flow.size, this.bitrate, this.fps);
  }

  /** Sends `config`, builds the encoder at the display's size, and starts the encode loop. */
  async start(width: number, height: number, latest: RawFrame | undefined): Promise<void> {
    const shape = this.shapeOf({ width, height, color: latest?.color });
    this.encoder = await this.createEncoder(shape);
    this.encoderShape = shape;
    const color = latest?.color ? { color: orderedColor(latest.color) } : {};
    // config carries the display size at connect time (§5); video headers carry the encoded (even) size.
    this.sendConfig(width, height, { pixelRatio: latest?.pixelRatio, ...color });
    this.loopDone = this.loop();
  }

  /** Queues a reconfiguration, applied at the next non-dropped encode step (§10.3, H6). */
  reconfigure(r: Reconfig): void {
    this.pending.push(r);
  }

  // ---------------------------------------------------------------- input

  /** Handles one text message after the hello; returns false if the socket was closed for it. */
  handleText(text: string): boolean {
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.closeSocket(CLOSE.PROTOCOL, parsed.reason);
      return false;
    }
    this.handleMessage(parsed.message);
    return true;
  }

  private handleMessage(m: ClientMessage): void {
    switch (m.type) {
      case 'ack':
        return this.onAck(m as AckMessage);
      case 'event': {
        const event = (m as { event: InputEvent }).event;
        const problem = inputEventProblem(event as Record<string, unknown>);
        if (problem) {
          this.stream.logger.warn({ viewer: this.id, problem }, 'input event dropped');
          return;
        }
        return this.stream.pushEvent(this, event);
      }
      case 'set_viewport': {
        const resize = resizeEventOf(m as SetViewportMessage);
        this.viewport = { pwidth: resize.pwidth, pheight: resize.pheight, ratio: resize.ratio };
        this.stream.pushEvent(this, resize);
        return this.stream.viewportChanged(this, resize);
      }
      case 'request_keyframe':
        return this.flow.requestKeyframe();
      case 'decoder_reset':
        this.counters.decoderResets++;
        return this.flow.decoderReset();
      default:
        // hello again, and unknown types: ignored (§2, H1).
        return;
    }
  }

  private onAck(m: AckMessage): void {
    const now = this.stream.clock.now();
    const rtt = this.flow.acked(m.seq, now);
    if (rtt !== undefined) this.counters.rttMs.add(rtt);
    this.counters.framesAcked++;
    this.counters.decodeQueueSize = Number.isInteger(m.decode_queue_size) ? (m.decode_queue_size as number) : 0;
    const interval = this.stream.config.statsIntervalMs;
    if (interval !== undefined && now - this.lastStatsMs >= interval) {
      this.lastStatsMs = now;
      const s = this.metrics();
      this.sendText(statsMessage({ ...s, dropped: s.frames_dropped }));
    }
  }

  // ---------------------------------------------------------------- output

  private sendText(message: object): void {
    if (this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private sendConfig(width: number, height: number, extras: { pixelRatio?: number; color?: object }): void {
    const transport = this.choice.transport === 'video' ? 'webcodecs' : 'image';
    this.sendText(configMessage({ transport, width, height, ...extras }));
  }

  private sendPayload(p: EncodedPayload, frame: RawFrame, size: { width: number; height: number }): void {
    if (this.socket.readyState !== OPEN) return;
    if (p.keyframe && p.codec) this.codec = p.codec;
    const ctx: EnvelopeContext =
      this.choice.transport === 'video'
        ? { transport: 'video', ...size, codec: this.codec ?? p.codec ?? CONFIG_CODEC, fps: this.fps }
        : { transport: 'image', mode: this.choice.mode };
    this.socket.send(payloadEnvelope(p, frame, ctx));
    this.flow.sent(p.seq, this.stream.clock.now());
    this.counters.framesSent++;
    this.counters.bytesSent += p.data.byteLength;
    if (p.keyframe) this.counters.keyframesSent++;
  }

  // ---------------------------------------------------------------- encoders

  /** Video encoders need even sizes: an odd frame is cropped, never refused (§11.1). */
  private shapeOf(f: { width: number; height: number; color?: ColorDescriptor }): Shape {
    const video = this.choice.transport === 'video';
    return { width: video ? f.width & ~1 : f.width, height: video ? f.height & ~1 : f.height, ...(f.color ? { color: f.color } : {}) };
  }

  private async createEncoder(shape: Shape): Promise<EncoderBackend> {
    const c = this.stream.config;
    const common = {
      width: shape.width,
      height: shape.height,
      fps: this.fps,
      bitrate: this.bitrate,
      memory: this.stream.memory,
    };
    if (this.choice.transport === 'video') {
      // The colour descriptor goes into the SPS's VUI (§13.3).
      const color = shape.color ? { color: shape.color } : {};
      // encodePipelineDepth counts the frame being submitted; an encoder's pipelineDepth counts those waiting behind it.
      const pipelineDepth = c.encodePipelineDepth - 1;
      return this.stream.registry.create(this.choice.backend, { ...common, ...color, pipelineDepth });
    }
    // Stills are PNG only for viewers that advertised PNG (§17 H8).
    const stillMime = this.supported.includes(CAP_PNG) ? CAP_PNG : mimeOf(this.choice.mode);
    return this.stream.registry.create(this.choice.backend, { ...common, mode: this.choice.mode, stillMime });
  }

  private async rebuild(shape: Shape): Promise<void> {
    const old = this.encoder;
    this.encoder = undefined;
    await old?.close();
    this.encoder = await this.createEncoder(shape);
    this.encoderShape = shape;
    this.flow.forceKeyframe();
  }

  /** Drains the reconfiguration FIFO into one rebuild and one keyframe (§17 H6). */
  private async applyPending(frame: RawFrame): Promise<boolean> {
    if (this.pending.length === 0) return false;
    const drained = this.pending.splice(0);
    const before = this.choice;
    let announce = false;
    for (const r of drained) {
      if (r.choice) this.choice = r.choice;
      if (r.bitrate !== undefined) {
        this.bitrate = r.bitrate;
        this.flow.limits.budgetBytes = this.budgetFor(r.bitrate);
      }
      if (r.fps !== undefined) this.fps = r.fps;
      announce ||= r.announce === true;
    }
    const switched = drained.some((r) => r.choice && !sameChoice(r.choice, before));
    const shape = this.shapeOf(frame);
    await this.rebuild(shape);
    if (switched) {
      this.codec = undefined;
      this.stream.logger.info({ viewer: this.id, from: describeChoice(before), to: describeChoice(this.choice) }, 'backend switched');
      this.sendConfig(shape.width, shape.height, {});
    }
    if (announce) this.sendText(setQualityMessage(this.bitrate, this.fps));
    return true;
  }

  // ---------------------------------------------------------------- the encode loop

  private async loop(): Promise<void> {
    try {
      for (;;) {
        // nextWork() retains the frame when it takes it, before any await can let a publish recycle it.
        const work = await this.nextWork();
        if (work.kind === 'closed') break;
        try {
          await this.step(work.kind, work.pub);
        } finally {
          work.pub.release();
        }
      }
    } catch (error) {
      this.stream.logger.error({ viewer: this.id, err: error }, 'session failed');
      this.closeSocket(CLOSE.INTERNAL, 'internal error');
    } finally {
      const encoder = this.encoder;
      this.encoder = undefined;
      await encoder?.close().catch((err: unknown) => this.stream.logger.warn({ err }, 'encoder close failed'));
    }
  }

  /** Waits for a frame newer than the last one taken, a still timeout, or the end. */
  private async nextWork(): Promise<Work> {
    const { clock, config } = this.stream;
    for (;;) {
      if (this.closed || this.stream.isClosed) return { kind: 'closed' };
      const latest = this.stream.latest();
      if (latest && latest.version > this.lastVersion) {
        this.lastVersion = latest.version;
        latest.retain();
        // Video stills are forced IDRs; image stills need the encoder's encodeStill (§14).
        this.stillArmed =
          config.stillAfterMs !== undefined && (this.choice.transport === 'video' || this.encoder?.encodeStill !== undefined);
        return { kind: 'frame', pub: latest };
      }
      let timedOut = false;
      let timer: Timer | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void this.stream.nextPublish().then(resolve);
        if (this.stillArmed && config.stillAfterMs !== undefined) {
          timer = clock.setTimeout(() => {
            timedOut = true;
            resolve();
          }, config.stillAfterMs);
        }
      });
      timer?.cancel();
      this.wake = undefined;
      if (timedOut && !this.closed) {
        this.stillArmed = false;
        // A still is skipped when the window is full or the socket over its budget (§14, H11).
        const pub = this.stream.latest();
        if (pub && !this.flow.full && this.socket.bufferedAmount <= this.flow.limits.budgetBytes) {
          pub.retain();
          return { kind: 'still', pub };
        }
      }
    }
  }

  /** §17 H11: the socket may hold this much before frames are dropped (default: 2 s of bitrate, at least 4 MiB). */
  private budgetFor(bitrate: number): number {
    return this.stream.config.slowViewerBudgetBytes ?? Math.max(4 * 1024 * 1024, (2 * bitrate) / 8);
  }

  /** A viewer that does not read will not read a close frame either: close, then cut it off. */
  private closeTooSlow(): void {
    if (this.closingTooSlow) return;
    this.closingTooSlow = true;
    this.stream.logger.warn({ viewer: this.id, bufferedBytes: this.socket.bufferedAmount, code: CLOSE.TOO_SLOW }, 'viewer too slow');
    this.closeSocket(CLOSE.TOO_SLOW, 'viewer too slow');
    setTimeout(() => this.socket.terminate(), SLOW_VIEWER_GRACE_MS).unref();
  }

  private async step(kind: 'frame' | 'still', pub: PublishedFrame): Promise<void> {
    const { clock } = this.stream;
    const seq = this.nextSeq++;
    const admission = kind === 'still' ? 'send' : this.flow.admit(clock.now(), this.socket.bufferedAmount);
    if (admission === 'too-slow') this.closeTooSlow();
    if (admission !== 'send') return;
    // Reconfigure first: a switch to video decides whether an odd frame is cropped.
    const reconfigured = await this.applyPending(pub.frame);
    const shape = this.shapeOf(pub.frame);
    const frame =
      isHostFrame(pub.frame) && (shape.width !== pub.frame.width || shape.height !== pub.frame.height)
        ? cropFrame(pub.frame, shape.width, shape.height)
        : pub.frame;
    if (!reconfigured && this.choice.transport === 'video' && !sameShape(shape, this.encoderShape)) {
      await this.rebuild(shape);
    }
    // Consume any pending keyframe request even for a still, which is an IDR anyway.
    const forceKeyframe = this.flow.keyframeNow(clock.now()) || kind === 'still';
    const options = { seq, timestampUs: pub.timestampUs, forceKeyframe };
    const started = clock.now();
    const payloads = await this.encode(kind, frame, options);
    this.counters.encodeMs.add(clock.now() - started);
    if (this.closed) return;
    for (const p of payloads) {
      if (p.keyframe) this.flow.keyframeSent();
      this.sendPayload(p, frame, this.encoderShape ?? shape);
    }
    if (payloads.length > 0) this.adapt();
  }

  private async encode(kind: 'frame' | 'still', frame: RawFrame, options: { seq: number; timestampUs: number; forceKeyframe: boolean }): Promise<EncodedPayload[]> {
    const encoder = this.encoder;
    if (!encoder) return [];
    try {
      if (kind === 'still') {
        // The publisher may write into a borrowed buffer once it publishes again.
        const owned = isHostFrame(frame) ? { ...frame, data: frame.data.slice() } : frame;
        return encoder.encodeStill ? await encoder.encodeStill(owned, options) : await encoder.encode(owned, options);
      }
      return await encoder.encode(frame, options);
    } catch (error) {
      return this.recoverFromEncoderFailure(error, frame, options);
    }
  }

  /**
   * A failing video encoder moves this viewer to images when it can decode them;
   * otherwise, or if images fail too, the viewer is closed with 1011. Other viewers
   * never notice.
   */
  private async recoverFromEncoderFailure(
    error: unknown,
    frame: RawFrame,
    options: { seq: number; timestampUs: number },
  ): Promise<EncodedPayload[]> {
    const mode = imageModeFor(this.supported, this.stream.config.imageMode);
    if (this.choice.transport !== 'video' || !mode) throw error;
    const from = describeChoice(this.choice);
    this.choice = { transport: 'image', backend: 'image', mode };
    this.stream.logger.warn({ viewer: this.id, from, to: describeChoice(this.choice), err: error }, 'encoder failed; falling back to images');
    await this.rebuild(this.shapeOf(frame));
    this.sendConfig(frame.width, frame.height, {});
    return (this.encoder as EncoderBackend).encode(frame, { ...options, forceKeyframe: true });
  }

  private adapt(): void {
    if (!this.adaptive) return;
    const current = { bitrate: this.bitrate, fps: this.fps, maxInflight: this.flow.limits.maxInflight };
    const next = this.adaptive.update(current, this.counters.decodeQueueSize, this.counters.rttMs.current, this.stream.clock.now());
    if (!next) return;
    this.flow.limits.maxInflight = next.maxInflight;
    if (next.bitrate !== current.bitrate || next.fps !== current.fps) {
      this.pending.push({ bitrate: next.bitrate, fps: next.fps });
    }
    this.sendText(setQualityMessage(next.bitrate, next.fps));
  }

  // ---------------------------------------------------------------- teardown

  private closeSocket(code: number, reason: string): void {
    if (this.socket.readyState === OPEN) this.socket.close(code, closeReason(reason));
  }

  /** Ends the session: wakes a parked loop and waits for it to close the encoder. */
  async end(code?: number, reason?: string): Promise<void> {
    if (code !== undefined) this.closeSocket(code, reason ?? '');
    if (!this.closed) {
      this.closed = true;
      this.wake?.();
      this.stream.sessionEnded(this);
    }
    await this.loopDone;
  }
}

/** The size (even for video) and colour an encoder is built for. */
interface Shape {
  width: number;
  height: number;
  color?: ColorDescriptor;
}

const colorKey = (c: ColorDescriptor | undefined) => (c ? JSON.stringify(orderedColor(c)) : '');

function sameShape(a: Shape, b: Shape | undefined): boolean {
  return b !== undefined && a.width === b.width && a.height === b.height && colorKey(a.color) === colorKey(b.color);
}
