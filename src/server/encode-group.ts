/**
 * An encode group (PROTOCOL.md §9.4): the viewers of one stream whose
 * negotiated encoding is identical share one encoder. The group takes the
 * newest frame, encodes it at most once, and hands the unit to every member
 * that can take it; a member that cannot skips to the next keyframe and
 * never delays the group or another member. The group owns the encoder, its
 * rebuilds and retunes (§10, H6), the keyframe limit (H12) and stills (§14).
 */
import { type ColorDescriptor, colorKey } from '../core/color';
import type { EncodedUnit, EncoderBackend } from '../core/encoder';
import { cropFrame, isHostFrame, type RawFrame } from '../core/frame';
import type { Logger } from '../core/logging';
import type { EncoderRegistry } from '../core/registry';
import type { Clock, Timer } from './clock';
import { CLOSE } from './close-codes';
import { KeyframeLimiter } from './keyframe-limiter';
import { Ema } from './metrics';
import { describeChoice, type EncoderChoice } from './negotiation';
import type { PublishedFrame } from './published-frame';
import type { StreamConfig } from './stream-config';
import { CLIENT_DEMANDS, Fanout } from './fanout';
import { type Group, MemberGroup } from './group';
import type { GroupMember, KeyframeDemand } from './group-member';

/** What makes two viewers' encodings identical. Size, colour and memory are the stream's, so they are left out. */
export interface GroupSpec {
  readonly choice: EncoderChoice;
  /** Image groups: the MIME type of stills (PNG only for viewers that advertised it, §17 H8). */
  readonly stillMime?: string;
  /** Fraction of the stream's bitrate: adaptive quality's tiers in shared mode (§15.2). */
  readonly tier: number;
  /** Per-viewer mode: the one viewer this group serves. */
  readonly owner?: string;
}

export function groupKey(s: GroupSpec): string {
  return [describeChoice(s.choice), s.stillMime ?? '', s.tier, s.owner ?? ''].join('|');
}

/** What a group needs from its stream. */
export interface GroupHost {
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
  /** The encoder failed: every member must move (to images) or be closed. */
  groupFailed(group: EncodeGroup, error: unknown): void;
}

export interface Retune {
  bitrate?: number;
  fps?: number;
  /** Operator retunes announce the new targets to every member with set_quality. */
  announce?: boolean;
}

/** One encode group's counters, as Display.groupMetrics() and the side channel report them. */
export interface GroupMetrics {
  /** The group's configuration key (backend, mode, still format, bitrate tier). */
  key: string;
  /** Its backend. */
  backend: string;
  /** Its members now. */
  members: number;
  /** Frames encoded. */
  encodes: number;
  /** Frames encoded per second, lately. */
  encodes_per_s: number;
  /** Encode time per frame (moving average). */
  encode_ms: number;
  /** Frames taken but not encoded because no member could take them. */
  frames_skipped: number;
  /** IDRs forced for members. */
  keyframes_forced: number;
  /** Forced IDRs by the reasons members awaited them. */
  forced_by: Partial<Record<KeyframeDemand, number>>;
  /** The encoder's bitrate target. */
  target_bitrate: number;
  /** The encoder's frame-rate target. */
  target_fps: number;
}

type Work = { kind: 'frame' | 'still'; pub: PublishedFrame };

/** The size (even for video) and colour an encoder is built for. */
interface Shape {
  width: number;
  height: number;
  color?: ColorDescriptor;
}

export class EncodeGroup extends MemberGroup implements Group {
  readonly key: string;
  bitrate: number;
  fps: number;

  private encoder?: EncoderBackend;
  private encoderShape?: Shape;
  private readonly pending: Retune[] = [];
  private readonly limiter = new KeyframeLimiter();
  private lastVersion = 0;
  /** A member joined: a quiet stream still owes it the current frame. */
  private catchUp = false;
  private stillArmed = false;
  private closed = false;
  private failed = false;
  private wake?: () => void;
  private loopDone?: Promise<void>;

  private readonly startedMs: number;
  private encodes = 0;
  private readonly encodeMs = new Ema();
  private framesSkipped = 0;
  private keyframesForced = 0;
  private readonly forcedBy: Partial<Record<KeyframeDemand, number>> = {};

  /**
   * `shared`: every keyframe demand is rate-limited (§9.4). A per-viewer group
   * limits only client requests, as §9.1 and H12 do for a lone viewer.
   */
  constructor(
    spec: GroupSpec,
    private readonly host: GroupHost,
    private readonly shared: boolean,
  ) {
    super(spec, shared, host.clock);
    this.key = groupKey(spec);
    this.bitrate = Math.round(host.config.bitrate * spec.tier);
    this.fps = host.config.fps;
    this.startedMs = host.clock.now();
  }

  /**
   * `catchUp`: a new viewer gets the current frame at once, even on a quiet
   * stream. A viewer moved by a switch or retune waits for the next frame,
   * where its pending changes apply together (§17 H6).
   */
  add(member: GroupMember, catchUp: boolean): void {
    member.joined(() => ({ bitrate: this.bitrate, fps: this.fps, encodeMs: this.encodeMs.current }));
    this.fanout.add(member);
    this.catchUp ||= catchUp;
    // A group made for a moved viewer starts at the next frame, not the one already sent.
    if (!this.loopDone && !catchUp) this.lastVersion = this.host.latest()?.version ?? 0;
    this.loopDone ??= this.loop();
    this.wake?.();
  }

  /** Returns true when the group is now empty (the table then closes it). */
  remove(member: GroupMember): boolean {
    return this.fanout.remove(member);
  }

  /** A member (a relay's publisher) asked for a keyframe: the current frame is encoded again, as the limit allows. */
  refresh(): void {
    this.catchUp = true;
    this.wake?.();
  }

  /** Queues a retune, applied with one rebuild at the next encode (§17 H6). */
  retune(r: Retune): void {
    this.pending.push(r);
  }

  /** Stops the loop; resolves once the encoder is closed. */
  close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    return this.loopDone ?? Promise.resolve();
  }

  metrics(): GroupMetrics {
    const elapsed = Math.max(0, (this.host.clock.now() - this.startedMs) / 1000);
    return {
      key: this.key,
      backend: describeChoice(this.spec.choice),
      members: this.fanout.size,
      encodes: this.encodes,
      encodes_per_s: elapsed > 0 ? Math.round((this.encodes / elapsed) * 100) / 100 : 0,
      encode_ms: Math.round(this.encodeMs.current * 100) / 100,
      frames_skipped: this.framesSkipped,
      keyframes_forced: this.keyframesForced,
      forced_by: { ...this.forcedBy },
      target_bitrate: this.bitrate,
      target_fps: this.fps,
    };
  }

  // ---------------------------------------------------------------- the loop

  private async loop(): Promise<void> {
    try {
      for (;;) {
        // nextWork() retains the frame when it takes it, before any await can let a publish recycle it.
        const work = await this.nextWork();
        if (!work) break;
        try {
          await this.step(work.kind, work.pub);
        } finally {
          work.pub.release();
        }
      }
    } catch (error) {
      this.host.logger.error({ group: this.key, err: error }, 'encode group failed');
      for (const m of this.fanout.members) m.end(CLOSE.INTERNAL, 'internal error');
    } finally {
      const encoder = this.encoder;
      this.encoder = undefined;
      await encoder?.close().catch((err: unknown) => this.host.logger.warn({ err }, 'encoder close failed'));
    }
  }

  private get done(): boolean {
    return this.closed || this.failed || this.host.isClosed;
  }

  /** Waits for a frame newer than the last one taken, a joiner to catch up, a still, or the end. */
  private async nextWork(): Promise<Work | undefined> {
    const { clock, config } = this.host;
    for (;;) {
      if (this.done) return undefined;
      const latest = this.host.latest();
      if (latest && latest.version > this.lastVersion) {
        this.lastVersion = latest.version;
        this.catchUp = false;
        latest.retain();
        return { kind: 'frame', pub: latest };
      }
      // A joiner on a quiet stream gets the current frame now, not at the next publish.
      let catchUpInMs: number | undefined;
      if (latest && this.catchUp) {
        catchUpInMs = this.encoder && this.shared && this.transport === 'video' ? this.limiter.waitMs(clock.now()) : 0;
        if (catchUpInMs === 0) {
          this.catchUp = false;
          latest.retain();
          return { kind: 'frame', pub: latest };
        }
      }
      const stillInMs = this.stillArmed ? config.stillAfterMs : undefined;
      let fired: 'still' | 'catch-up' | undefined;
      const timers: Timer[] = [];
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void this.host.nextPublish().then(resolve);
        const at = (ms: number | undefined, what: 'still' | 'catch-up') => {
          if (ms !== undefined) timers.push(clock.setTimeout(() => ((fired ??= what), resolve()), ms));
        };
        at(stillInMs, 'still');
        at(catchUpInMs, 'catch-up');
      });
      for (const t of timers) t.cancel();
      this.wake = undefined;
      if (fired === 'still' && !this.done) {
        this.stillArmed = false;
        // A still is skipped when no member can take it (§14, H11).
        const pub = this.host.latest();
        if (pub && this.fanout.members.some((m) => m.hasRoom())) {
          pub.retain();
          return { kind: 'still', pub };
        }
      }
    }
  }

  private async step(kind: 'frame' | 'still', pub: PublishedFrame): Promise<void> {
    const now = this.host.clock.now();
    const taken = this.fanout.take();
    const takers = taken.members.filter((m) => m.canTake(now));
    const shape = this.shapeOf(pub.frame);
    const fresh = !this.encoder || this.pending.length > 0 || (this.transport === 'video' && !sameShape(shape, this.encoderShape));
    const force = kind === 'still' || fresh || this.keyframeWanted(takers, now);
    // Nobody could use a delta: leave the frame unencoded, so the encoder's references stay intact.
    if (takers.length === 0 || (!force && takers.every((m) => this.fanout.waitsForKeyframe(m)))) {
      this.framesSkipped++;
      for (const m of taken.members) m.skip();
      return;
    }
    const frame =
      isHostFrame(pub.frame) && (shape.width !== pub.frame.width || shape.height !== pub.frame.height)
        ? cropFrame(pub.frame, shape.width, shape.height)
        : pub.frame;
    const started = this.host.clock.now();
    let units: EncodedUnit[];
    try {
      if (fresh) await this.prepare(shape);
      units = await this.encode(kind, frame, { timestampUs: pub.timestampUs, forceKeyframe: force });
    } catch (error) {
      // A backend that cannot build or encode fails the group, never the stream.
      this.failed = true;
      this.host.groupFailed(this, error);
      return;
    }
    this.encodes++;
    this.encodeMs.add(this.host.clock.now() - started);
    if (kind === 'frame') {
      // Video stills are forced IDRs; image stills need the encoder's encodeStill (§14).
      this.stillArmed = this.host.config.stillAfterMs !== undefined && (this.transport === 'video' || this.encoder?.encodeStill !== undefined);
    }
    this.fanout.handOut(taken, units, this.fps);
  }

  /**
   * Whether members that can take this frame need it to be an IDR, within
   * the group's limit of one demanded IDR per 250 ms.
   */
  private keyframeWanted(takers: GroupMember[], now: number): boolean {
    const demands = Fanout.demandsOf(takers);
    if (demands.size === 0) return false;
    // Every image is a keyframe: there is nothing to limit.
    if (this.transport === 'image') return true;
    const immediate = !this.shared && [...demands].some((d) => !CLIENT_DEMANDS.has(d));
    if (!immediate && !this.limiter.take(now)) return false;
    this.keyframesForced++;
    for (const d of demands) this.forcedBy[d] = (this.forcedBy[d] ?? 0) + 1;
    return true;
  }

  // ---------------------------------------------------------------- the encoder

  /** Video encoders need even sizes: an odd frame is cropped, never refused (§11.1). */
  private shapeOf(f: { width: number; height: number; color?: ColorDescriptor }): Shape {
    const video = this.transport === 'video';
    return { width: video ? f.width & ~1 : f.width, height: video ? f.height & ~1 : f.height, ...(f.color ? { color: f.color } : {}) };
  }

  /** Drains the retune FIFO and (re)builds the encoder once, for the frame's shape (§10.2, H6). */
  private async prepare(shape: Shape): Promise<void> {
    let announce = false;
    for (const r of this.pending.splice(0)) {
      if (r.bitrate !== undefined) this.bitrate = r.bitrate;
      if (r.fps !== undefined) this.fps = r.fps;
      announce ||= r.announce === true;
    }
    const old = this.encoder;
    this.encoder = undefined;
    await old?.close();
    this.encoder = await this.createEncoder(shape);
    this.encoderShape = shape;
    if (announce) for (const m of this.fanout.members) m.announce(this.bitrate, this.fps);
  }

  private createEncoder(shape: Shape): Promise<EncoderBackend> {
    const { choice } = this.spec;
    const common = { width: shape.width, height: shape.height, fps: this.fps, bitrate: this.bitrate, memory: this.host.memory };
    if (choice.transport === 'video') {
      // The colour descriptor goes into the SPS's VUI (§13.3).
      const color = shape.color ? { color: shape.color } : {};
      // encodePipelineDepth counts the frame being submitted; an encoder's pipelineDepth counts those waiting behind it.
      const pipelineDepth = this.host.config.encodePipelineDepth - 1;
      return this.host.registry.create(choice.backend, { ...common, ...color, pipelineDepth });
    }
    return this.host.registry.create(choice.backend, { ...common, mode: choice.mode, stillMime: this.spec.stillMime });
  }

  private async encode(kind: 'frame' | 'still', frame: RawFrame, options: { timestampUs: number; forceKeyframe: boolean }): Promise<EncodedUnit[]> {
    const encoder = this.encoder as EncoderBackend;
    if (kind === 'frame') return encoder.encode(frame, options);
    // The publisher may write into a borrowed buffer once it publishes again.
    const owned = isHostFrame(frame) ? { ...frame, data: frame.data.slice() } : frame;
    return encoder.encodeStill ? encoder.encodeStill(owned, options) : encoder.encode(owned, options);
  }
}

function sameShape(a: Shape, b: Shape | undefined): boolean {
  return b !== undefined && a.width === b.width && a.height === b.height && colorKey(a.color) === colorKey(b.color);
}
