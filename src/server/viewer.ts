/**
 * One viewer: only what belongs to the person (PROTOCOL.md §9.4). Its socket,
 * seq space, in-flight window and byte budget, acks, RTT and stats, input, and
 * whether it is in sync or awaiting a keyframe. The encoder belongs to the
 * viewer's encode group, which hands it units; the viewer stamps its own seq
 * into each envelope and shares the unit's bytes with the rest of the group.
 */
import type { EncodedUnit } from '../core/encoder';
import type { Logger } from '../core/logging';
import {
  type AckMessage,
  type ClientMessage,
  configMessage,
  type HelloMessage,
  inputEventProblem,
  type InputEvent,
  parseClientMessage,
  resizeEventOf,
  type ResizeInputEvent,
  setQualityMessage,
  type SetViewportMessage,
  statsMessage,
  CONFIG_CODEC,
} from '../wire';
import { AdaptiveController, type Quality } from './adaptive';
import type { Clock } from './clock';
import { CLOSE, closeReason } from './close-codes';
import { FlowControl } from './flow-control';
import type { GroupMember, KeyframeDemand, Targets } from './group-member';
import { type MetricsSnapshot, SessionCounters } from './metrics';
import { describeChoice, type EncoderChoice } from './negotiation';
import { unitHead } from './payload-envelope';
import type { StreamConfig } from './stream-config';
import { OPEN, type ViewerSocket } from './viewer-socket';

/** What a viewer needs from its stream. */
export interface ViewerHost {
  readonly config: StreamConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  pushEvent(viewer: Viewer, event: InputEvent): void;
  viewportChanged(viewer: Viewer, resize: ResizeInputEvent): void;
  /** The adaptive controller wants other targets for this viewer (§15.2). */
  qualityWanted(viewer: Viewer, next: Quality): void;
  viewerEnded(viewer: Viewer): void;
}

/** One viewer, as Display.viewers() reports it. */
export interface ViewerInfo {
  /** Its id (32 hex characters), also on its events. */
  id: string;
  /** What the authenticate hook returned for it. */
  principal: unknown;
  /** What it receives. */
  transport: 'video' | 'image';
  /** The backend it is served by (`name`, or `image:<mode>`). */
  backend: string;
  /** The capability ids its hello advertised (§7.1). */
  supported: readonly string[];
  /** Its last viewport: physical pixels and device-pixel ratio. */
  viewport?: { pwidth: number; pheight: number; ratio: number };
  /** Times its decoder was rebuilt. */
  decoderResets: number;
  /** Frames it never acknowledged in time. */
  inflightTimeouts: number;
  /** Bytes queued in the socket, not yet taken by the network (§17 H11). */
  bufferedBytes: number;
  /** The encode group the viewer is in. */
  group?: string;
}

/** How long a viewer closed for being too slow gets to take the close frame before it is cut off. */
const SLOW_VIEWER_GRACE_MS = 1000;

export class Viewer implements GroupMember {
  readonly counters: SessionCounters;
  viewport?: { pwidth: number; pheight: number; ratio: number };
  /** Set while the viewer awaits a keyframe, with the first reason. */
  demand: KeyframeDemand | undefined = 'join';
  /** Nothing delivered since the viewer joined its current group. */
  private fresh = true;
  /** Bitrate tier in shared mode (1, 1/2, 1/4 of the stream bitrate). */
  tier = 1;
  /** The group's targets, read for metrics (given by the group the viewer joins). */
  private targets: () => Targets;

  private nextSeq = 0;
  private readonly flow: FlowControl;
  private codec?: string;
  private lastStatsMs = -Infinity;
  private readonly adaptive?: AdaptiveController;
  private closed = false;
  private closingTooSlow = false;

  constructor(
    readonly id: string,
    private readonly host: ViewerHost,
    private readonly socket: ViewerSocket,
    readonly hello: HelloMessage,
    readonly principal: unknown,
    public choice: EncoderChoice,
  ) {
    const c = host.config;
    this.counters = new SessionCounters(host.clock.now());
    this.targets = () => ({ bitrate: c.bitrate, fps: c.fps, encodeMs: 0 });
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

  get isClosed(): boolean {
    return this.closed;
  }

  info(group?: string): ViewerInfo {
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
      ...(group ? { group } : {}),
    };
  }

  metrics(): MetricsSnapshot {
    const t = this.targets();
    return this.counters.snapshot(this.host.clock.now(), this.flow.size, t.bitrate, t.fps);
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
          this.host.logger.warn({ viewer: this.id, problem }, 'input event dropped');
          return;
        }
        return this.host.pushEvent(this, event);
      }
      case 'set_viewport': {
        const resize = resizeEventOf(m as SetViewportMessage);
        this.viewport = { pwidth: resize.pwidth, pheight: resize.pheight, ratio: resize.ratio };
        this.host.pushEvent(this, resize);
        return this.host.viewportChanged(this, resize);
      }
      case 'request_keyframe':
        return this.await('request');
      case 'decoder_reset':
        this.counters.decoderResets++;
        this.flow.reset();
        return this.await('reset');
      default:
        // hello again, and unknown types: ignored (§2, H1).
        return;
    }
  }

  private onAck(m: AckMessage): void {
    const now = this.host.clock.now();
    const rtt = this.flow.acked(m.seq, now);
    if (rtt !== undefined) this.counters.rttMs.add(rtt);
    this.counters.framesAcked++;
    this.counters.decodeQueueSize = Number.isInteger(m.decode_queue_size) ? (m.decode_queue_size as number) : 0;
    const interval = this.host.config.statsIntervalMs;
    if (interval !== undefined && now - this.lastStatsMs >= interval) {
      this.lastStatsMs = now;
      const s = this.metrics();
      this.sendText(statsMessage({ ...s, dropped: s.frames_dropped }));
    }
  }

  // ---------------------------------------------------------------- what the group calls

  /** Marks the viewer as awaiting a keyframe; the first reason is kept for the group's metrics. */
  await(demand: KeyframeDemand): void {
    this.demand ??= demand;
  }

  /** Joining a group: the viewer needs that group's keyframe before anything else. */
  joined(targets: () => Targets): void {
    this.targets = targets;
    this.fresh = true;
    this.demand = 'join';
  }

  /**
   * Whether the viewer can take a unit now: room in its window (or the backstop
   * fired, §9.1) and its socket under budget (H11). A socket over budget for
   * too long is closed with 4413.
   */
  canTake(nowMs: number): boolean {
    if (this.closed || this.socket.readyState !== OPEN) return false;
    const admission = this.flow.admit(nowMs, this.socket.bufferedAmount);
    if (admission === 'too-slow') this.closeTooSlow();
    if (admission === 'backstop') this.await('backstop');
    return admission === 'send' || admission === 'backstop';
  }

  /** Room for a still without touching the backstop: a full window skips the still (§14). */
  hasRoom(): boolean {
    return !this.closed && this.socket.readyState === OPEN && !this.flow.full && this.socket.bufferedAmount <= this.flow.limits.budgetBytes;
  }

  /**
   * The seq of the frame the group just took (§6.4: every taken frame uses
   * one, sent or not). Until its first unit a viewer uses none, so whatever
   * it joins, its first payload is seq 0.
   */
  takeSeq(): number {
    return this.fresh ? this.nextSeq : this.nextSeq++;
  }

  /** The viewer misses a unit (or a frame the group did not encode): count it and await a keyframe. */
  skip(): void {
    this.counters.framesDropped++;
    this.await('skip');
  }

  /** Sends one shared unit with this viewer's seq: only the head is the viewer's own. */
  deliver(unit: EncodedUnit, seq: number, fps: number): void {
    if (this.socket.readyState !== OPEN) return;
    if (unit.keyframe && unit.codec) this.codec = unit.codec;
    const head = unitHead(
      unit,
      seq,
      this.choice.transport === 'video'
        ? { transport: 'video', codec: this.codec ?? unit.codec ?? CONFIG_CODEC, fps }
        : { transport: 'image', mode: this.choice.mode },
    );
    // One WebSocket message in two fragments: the unit's bytes are written as they are, never copied.
    this.socket.send(head, { binary: true, fin: false });
    this.socket.send(unit.data, { binary: true, fin: true });
    this.flow.sent(seq, this.host.clock.now());
    this.counters.framesSent++;
    this.counters.bytesSent += unit.data.byteLength;
    this.counters.encodeMs.add(this.targets().encodeMs);
    if (unit.keyframe) {
      this.counters.keyframesSent++;
      this.demand = undefined;
    }
    if (this.fresh) this.nextSeq = seq + 1;
    this.fresh = false;
    this.adapt();
  }

  /** A config before the next binary frame: at join and on a transport or backend change (§10.3). */
  sendConfig(width: number, height: number, extras: { pixelRatio?: number; color?: object } = {}): void {
    this.codec = undefined;
    const transport = this.choice.transport === 'video' ? 'webcodecs' : 'image';
    this.sendText(configMessage({ transport, width, height, ...extras }));
  }

  /** Announces new targets (§15.2). */
  announce(bitrate: number, fps: number): void {
    this.flow.limits.budgetBytes = this.budgetFor(bitrate);
    this.sendText(setQualityMessage(bitrate, fps));
  }

  private sendText(message: object): void {
    if (this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private adapt(): void {
    if (!this.adaptive) return;
    const t = this.targets();
    const current = { bitrate: t.bitrate, fps: t.fps, maxInflight: this.flow.limits.maxInflight };
    const next = this.adaptive.update(current, this.counters.decodeQueueSize, this.counters.rttMs.current, this.host.clock.now());
    if (!next) return;
    this.flow.limits.maxInflight = next.maxInflight;
    this.host.qualityWanted(this, next);
  }

  /** §17 H11: the socket may hold this much before units are skipped (default: 2 s of bitrate, at least 4 MiB). */
  private budgetFor(bitrate: number): number {
    return this.host.config.slowViewerBudgetBytes ?? Math.max(4 * 1024 * 1024, (2 * bitrate) / 8);
  }

  // ---------------------------------------------------------------- teardown

  /** A viewer that does not read will not read a close frame either: close, then cut it off. */
  private closeTooSlow(): void {
    if (this.closingTooSlow) return;
    this.closingTooSlow = true;
    this.host.logger.warn({ viewer: this.id, bufferedBytes: this.socket.bufferedAmount, code: CLOSE.TOO_SLOW }, 'viewer too slow');
    this.closeSocket(CLOSE.TOO_SLOW, 'viewer too slow');
    setTimeout(() => this.socket.terminate(), SLOW_VIEWER_GRACE_MS).unref();
  }

  closeSocket(code: number, reason: string): void {
    if (this.socket.readyState === OPEN) this.socket.close(code, closeReason(reason));
  }

  /** Ends the viewer: it leaves its group (the stream closes the group's encoder on the last leave). */
  end(code?: number, reason?: string): void {
    if (code !== undefined) this.closeSocket(code, reason ?? '');
    if (this.closed) return;
    this.closed = true;
    this.host.viewerEnded(this);
  }
}
