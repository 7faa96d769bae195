/**
 * A stream, inside the server (its public face is `Display`): the latest frame, a version counter, its viewers,
 * their encode groups and their merged input queue. The publisher calls
 * publish() when it likes (latest wins). Viewers whose encoding is identical
 * share one encode group (PROTOCOL.md §9.4), created on the first join and
 * closed on the last leave; each group encodes whatever is newest when one of
 * its members can take it, so viewers never slow each other down.
 */
import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';

import { orderedColor } from '../core/color';
import { ConfigError } from '../core/errors';
import { type FrameInput, isHostFrame, toFrame } from '../core/frame';
import type { Logger } from '../core/logging';
import type { EncoderRegistry } from '../core/registry';
import { CAP_H264, CAP_PNG, type HelloMessage, type InputEvent, mimeOf, type ResizeInputEvent } from '../wire';
import type { Quality } from './adaptive';
import type { Clock } from './clock';
import { CLOSE } from './close-codes';
import { EncodeGroup, type GroupHost, type GroupMetrics, groupKey, type GroupSpec } from './encode-group';
import type { Group, GroupFactory } from './group';
import { DisplayClosedError, UnknownViewerError } from './errors';
import { encoderRefusal } from './encoder-refusal';
import { EventQueue, type QueuedEvent } from './event-queue';
import type { GroupMember } from './group-member';
import type { MetricsSnapshot } from './metrics';
import {
  chooseEncoder,
  choiceForViewer,
  describeChoice,
  type EncoderChoice,
  type ForcedBackend,
  imageModeFor,
  type NegotiationContext,
  resolveSwitch,
  sameChoice,
  unavailableChoice,
} from './negotiation';
import { borrowedFrame, FramePool, type PublishedFrame } from './published-frame';
import { DebouncedTarget } from './render-target';
import type { StreamConfig } from './stream-config';
import { Display, type PublishOptions, type QualityOptions, type Rendition, type StreamInfo } from './display';
import { Viewer, type ViewerHost, type ViewerInfo } from './viewer';
import type { ViewerSocket } from './viewer-socket';

/** Adaptive quality's bitrate tiers in shared mode, as fractions of the stream bitrate (§15.2). */
const TIERS = [1, 1 / 2, 1 / 4];

export interface StreamDeps {
  name: string;
  width: number;
  height: number;
  config: StreamConfig;
  registry: EncoderRegistry;
  clock: Clock;
  logger: Logger;
  /** The backends new viewers get, resolved through the registry when the stream was created. */
  backends: Pick<NegotiationContext, 'video' | 'image'>;
  /** Called once when the stream closes (the hub forgets it; serve() also stops listening). */
  onClose: (s: Stream) => Promise<void>;
  /** Where groups come from (default: encode groups; a relay forwards its origin's units instead). */
  groups?: GroupFactory;
  /** Where viewers' input goes (default: the stream's own queue; a relay sends it to its origin). */
  input?: (e: QueuedEvent) => void;
}

export class Stream implements ViewerHost, GroupHost {
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
  private readonly sessions = new Map<string, Viewer>();
  /** Encode groups by key (§9.4): created on the first join, closed on the last leave. */
  private readonly groups = new Map<string, Group>();
  private readonly groupOf = new Map<GroupMember, Group>();
  private readonly closingGroups = new Set<Promise<void>>();
  private readonly queue: EventQueue;
  private readonly recorded: InputEvent[] = [];
  private readonly pool = new FramePool();
  private readonly target: DebouncedTarget;
  private forced?: ForcedBackend;
  private readonly backends: Pick<NegotiationContext, 'video' | 'image'>;
  private closed = false;
  private closing?: Promise<void>;
  private handshaking = 0;

  /** What the program holds; the stream's events ('target', 'viewer', 'viewer-left', 'close') go out through it. */
  readonly display: Display;

  constructor(private readonly deps: StreamDeps) {
    this.display = new Display(this);
    this.name = deps.name;
    this.config = deps.config;
    this.registry = deps.registry;
    this.clock = deps.clock;
    this.logger = deps.logger.child({ stream: deps.name });
    this.size = { width: deps.width, height: deps.height };
    this.backends = deps.backends;
    this.createdMs = deps.clock.now();
    this.queue = new EventQueue(deps.config.eventQueueSize);
    this.target = new DebouncedTarget(deps.clock, deps.config.resizeDebounceMs, deps.config.maxRenderDimension, (t) =>
      this.display.emit('target', t),
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
  publish(input: FrameInput, options: PublishOptions = {}): number {
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
    return timestampUs;
  }

  /** The display size without a frame: a relay's stream follows its origin's, so new viewers' config carries it. */
  resizeTo(width: number, height: number): void {
    this.size = { width, height };
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
    return [...this.sessions.values()].map((v) => v.info(this.groupOf.get(v)?.key));
  }

  /** Per-viewer snapshots (§15.1), as `/streams/<name>/metrics` serves them. */
  metrics(): MetricsSnapshot[] {
    return [...this.sessions.values()].map((s) => s.metrics());
  }

  /** Each encode group: members, encodes per second, encode time, forced keyframes and why. */
  groupMetrics(): GroupMetrics[] {
    return [...this.groups.values()].map((g) => g.metrics());
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
    const forced = await resolveSwitch(this.registry, spec, this.logger);
    if (options.viewer !== undefined) {
      const viewer = this.sessions.get(options.viewer);
      if (!viewer) throw new UnknownViewerError(options.viewer);
      this.moveViewer(viewer, choiceForViewer(forced, viewer.supported, spec, this.config.imageMode));
      return;
    }
    this.forced = forced;
    for (const viewer of this.sessions.values()) {
      if (forced.transport === 'video' && !viewer.supported.includes(CAP_H264)) {
        this.logger.info({ viewer: viewer.id, to: spec }, 'viewer keeps its image transport: it did not advertise H.264');
        continue;
      }
      const choice = chooseEncoder(viewer.supported, this.negotiation());
      if (choice) this.moveViewer(viewer, choice);
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
    for (const g of this.groups.values()) {
      g.retune({ bitrate: Math.round(this.config.bitrate * g.spec.tier), fps: this.config.fps, announce: true });
    }
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
    for (const viewer of [...this.sessions.values()]) viewer.end(CLOSE.GOING_AWAY, 'going away');
    await Promise.all([...this.groups.values()].map((g) => g.close()));
    await Promise.all(this.closingGroups);
    this.queue.end();
    this.current?.release();
    await this.deps.onClose(this);
    this.display.emit('close');
  }

  // ---------------------------------------------------------------- viewers

  /** Negotiates, creates the viewer, sends its config and joins it to its encode group; or returns the close it needs. */
  async admit(socket: ViewerSocket, hello: HelloMessage, principal: unknown): Promise<Viewer | { code: number; reason: string }> {
    // The stream may have been removed while the viewer was authenticating.
    if (this.closed) return { code: CLOSE.GOING_AWAY, reason: 'going away' };
    const choice = chooseEncoder(hello.supported, this.negotiation());
    if (!choice) {
      // Something the viewer takes is registered but unavailable here: say why, so the page can show it.
      const wanted = unavailableChoice(this.registry, hello.supported, this.config.imageMode);
      if (!wanted) return { code: CLOSE.NO_TRANSPORT, reason: 'no supported transport' };
      const refusal = await encoderRefusal(this.registry, wanted);
      this.logger.error({ backend: describeChoice(wanted), reason: refusal.reason }, 'no encoder for a viewer');
      return refusal;
    }
    const id = randomBytes(16).toString('hex');
    const viewer = new Viewer(id, this, socket, hello, principal, choice);
    this.sessions.set(id, viewer);
    const latest = this.current?.frame;
    // config carries the display size at connect time (§5); video headers carry the encoded (even) size.
    const color = latest?.color ? { color: orderedColor(latest.color) } : {};
    viewer.sendConfig(this.width, this.height, { pixelRatio: latest?.pixelRatio, ...color });
    this.join(viewer, true);
    this.logger.info({ viewer: id, backend: describeChoice(choice), group: this.groupOf.get(viewer)?.key }, 'viewer connected');
    this.display.emit('viewer', viewer.info());
    return viewer;
  }

  // ---------------------------------------------------------------- encode groups

  private specFor(v: Viewer): GroupSpec {
    const c = v.choice;
    // Stills are PNG only for viewers that advertised PNG (§17 H8).
    const still = c.transport === 'image' ? { stillMime: v.supported.includes(CAP_PNG) ? CAP_PNG : mimeOf(c.mode) } : {};
    const owner = this.config.encoding === 'per-viewer' ? { owner: v.id } : {};
    return { choice: c, ...still, tier: v.tier, ...owner };
  }

  private join(v: Viewer, catchUp: boolean): void {
    this.joinGroup(v, this.specFor(v), catchUp);
  }

  private joinGroup(v: GroupMember, spec: GroupSpec, catchUp: boolean): void {
    const key = groupKey(spec);
    let group = this.groups.get(key);
    if (!group) {
      const shared = this.config.encoding === 'shared';
      group = this.deps.groups?.(spec, shared) ?? new EncodeGroup(spec, this, shared);
      this.groups.set(key, group);
    }
    group.add(v, catchUp);
    this.groupOf.set(v, group);
  }

  private leave(v: GroupMember): void {
    const group = this.groupOf.get(v);
    this.groupOf.delete(v);
    if (!group?.remove(v)) return;
    if (this.groups.get(group.key) === group) this.groups.delete(group.key);
    const closing = group.close();
    this.closingGroups.add(closing);
    void closing.finally(() => this.closingGroups.delete(closing));
  }

  /**
   * Adds a sink that is not a viewer (a recorder, a relay's rendition
   * publisher) to the stream's encode group for `rendition`, creating the
   * group if no viewer has it yet. It shares the group's encoder: it costs no
   * extra encode. Returns the function that removes it.
   */
  attachSink(sink: GroupMember, rendition: Rendition): () => void {
    if (this.closed) throw new DisplayClosedError(this.name);
    const choice = this.renditionChoice(rendition);
    const still = choice.transport === 'image' ? { stillMime: mimeOf(choice.mode) } : {};
    this.joinGroup(sink, { choice, ...still, tier: 1 }, true);
    return () => this.leave(sink);
  }

  /** An attached sink awaits a keyframe: its group makes one soon, even on a quiet stream (within the keyframe limit). */
  refreshSink(sink: GroupMember): void {
    this.groupOf.get(sink)?.refresh();
  }

  /** The renditions a sink can take: H.264 when the stream has a video backend, and each image mode it has. */
  get renditions(): Rendition[] {
    const video: Rendition[] = this.backends.video ? [{ transport: 'video' }] : [];
    return [...video, ...(this.backends.image?.modes ?? []).map((mode): Rendition => ({ transport: 'image', mode }))];
  }

  private renditionChoice(r: Rendition): EncoderChoice {
    if (r.transport === 'video') {
      if (!this.backends.video) throw new ConfigError(`stream '${this.name}' has no H.264 backend`);
      return { transport: 'video', backend: this.backends.video };
    }
    const image = this.backends.image;
    if (!image?.modes.includes(r.mode)) throw new ConfigError(`stream '${this.name}' has no image backend for ${r.mode}`);
    return { transport: 'image', backend: image.backend, mode: r.mode };
  }

  /** A switch is a leave and a join; a new backend is announced with config before the next binary frame (§10.3). */
  private moveViewer(v: Viewer, choice: EncoderChoice = v.choice, catchUp = false): void {
    if (v.isClosed) return;
    const switched = !sameChoice(choice, v.choice);
    if (switched) this.logger.info({ viewer: v.id, from: describeChoice(v.choice), to: describeChoice(choice) }, 'backend switched');
    this.leave(v);
    v.choice = choice;
    if (switched) {
      const video = choice.transport === 'video';
      v.sendConfig(video ? this.width & ~1 : this.width, video ? this.height & ~1 : this.height);
    }
    this.join(v, catchUp);
  }

  /** A failing encoder moves its video viewers to images when they can decode them; the rest are closed with 1011. */
  groupFailed(group: Group, error: unknown): void {
    if (this.groups.get(group.key) === group) this.groups.delete(group.key);
    const image = this.backends.image;
    for (const v of group.members) {
      if (!(v instanceof Viewer)) {
        this.logger.error({ member: v.id, group: group.key, err: error }, 'encoder failed');
        v.end(CLOSE.INTERNAL, 'encoder failed');
        continue;
      }
      const mode = image && group.transport === 'video' ? imageModeFor(v.supported, this.config.imageMode, image.modes) : undefined;
      if (!image || !mode) {
        this.logger.error({ viewer: v.id, group: group.key, err: error }, 'encoder failed');
        void encoderRefusal(this.registry, v.choice).then((r) => v.end(r.code, r.reason));
        continue;
      }
      const to: EncoderChoice = { transport: 'image', backend: image.backend, mode };
      this.logger.warn({ viewer: v.id, from: describeChoice(v.choice), to: describeChoice(to), err: error }, 'encoder failed; falling back to images');
      // The frame that failed is owed to them: the image group encodes it at once.
      this.moveViewer(v, to, true);
    }
  }

  /** Adaptive quality (§15.2): its own encoder's targets in per-viewer mode, a bitrate tier in shared mode. */
  qualityWanted(v: Viewer, next: Quality): void {
    const group = this.groupOf.get(v);
    if (!group) return;
    if (this.config.encoding === 'per-viewer') {
      if (next.bitrate !== group.bitrate || next.fps !== group.fps) group.retune({ bitrate: next.bitrate, fps: next.fps });
      v.announce(next.bitrate, next.fps);
      return;
    }
    const at = TIERS.indexOf(v.tier);
    const tier = TIERS[Math.max(0, Math.min(TIERS.length - 1, next.bitrate < group.bitrate ? at + 1 : next.bitrate > group.bitrate ? at - 1 : at))];
    if (tier === v.tier) return;
    v.tier = tier;
    this.moveViewer(v);
    v.announce(Math.round(this.config.bitrate * tier), this.config.fps);
  }

  // ---------------------------------------------------------------- ViewerHost and GroupHost

  latest(): PublishedFrame | undefined {
    return this.current;
  }

  nextPublish(): Promise<void> {
    return this.publishSignal.promise;
  }

  pushEvent(viewer: Viewer, event: InputEvent): void {
    const queued = { viewer: viewer.id, principal: viewer.principal, receivedUs: this.receivedUs(), event };
    if (this.deps.input) this.deps.input(queued);
    else this.enqueue(queued);
  }

  /**
   * Input from a viewer of a relay (src/relay): queued and recorded like a
   * local viewer's, stamped with this stream's clock; its resize feeds
   * match_client like a local viewport.
   */
  pushRelayedEvent(e: Omit<QueuedEvent, 'receivedUs'>): void {
    this.enqueue({ ...e, receivedUs: this.receivedUs() });
    if (e.event.type === 'resize') this.viewportOffered(e.event as ResizeInputEvent);
  }

  private receivedUs(): number {
    return Math.round((this.clock.now() - this.createdMs) * 1000);
  }

  private enqueue(queued: QueuedEvent): void {
    this.queue.push(queued);
    const event = queued.event;
    const rec = this.config.recordEvents;
    if (!rec) return;
    this.recorded.push(event);
    if (typeof rec === 'object') {
      appendFile(rec.file, `${JSON.stringify(event)}\n`).catch((err: unknown) =>
        this.logger.warn({ err, file: rec.file }, 'cannot append to the event log'),
      );
    }
  }

  viewportChanged(_viewer: Viewer, resize: ResizeInputEvent): void {
    // A relay's viewports reach match_client at the origin, with the resize event.
    if (!this.deps.input) this.viewportOffered(resize);
  }

  private viewportOffered(resize: ResizeInputEvent): void {
    if (this.config.resizePolicy === 'match_client') this.target.offer(resize.pwidth, resize.pheight, resize.ratio);
  }

  viewerEnded(viewer: Viewer): void {
    this.leave(viewer);
    if (this.sessions.delete(viewer.id)) {
      this.logger.info({ viewer: viewer.id }, 'viewer left');
      this.display.emit('viewer-left', viewer.id);
    }
  }

  private negotiation(): NegotiationContext {
    return { ...this.backends, imageMode: this.config.imageMode, forced: this.forced };
  }

  private renewSignal(): void {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.publishSignal = { promise, resolve };
  }
}
