/**
 * A relay's group (the relay's counterpart of an encode group): the relay's
 * viewers of one stream whose negotiated rendition is the same. It never
 * encodes: it forwards the units its origin publishes for that rendition to
 * each member with the member's own seq, window and budget (the shared
 * Fanout), and a member that cannot take a unit, or a unit lost on the way,
 * resyncs at the next keyframe, which the group asks the origin for.
 * While it has members it renews its interest, so the origin keeps
 * publishing the rendition.
 */
import type { Subscription } from '@nats-io/transport-node';

import type { Logger } from '../core/logging';
import type { Clock, Timer } from '../server/clock';
import { groupKey, type GroupMetrics, type GroupSpec } from '../server/encode-group';
import { type Group, MemberGroup } from '../server/group';
import type { GroupMember } from '../server/group-member';
import { KEYFRAME_INTERVAL_MS } from '../server/keyframe-limiter';
import type { NatsLink } from './nats-link';
import { INTEREST_EVERY_MS } from './origin';
import { type RenditionName } from './subjects';
import { Reassembler } from './unit-codec';

/** How long a keyframe request may take before it counts as lost. */
const KEYFRAME_REQUEST_TIMEOUT_MS = 1000;

export interface RelayGroupHost {
  readonly link: NatsLink;
  readonly relayId: string;
  readonly stream: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The relay stream's bitrate: what its viewers' byte budgets are sized for. */
  readonly bitrate: number;
  readonly fps: number;
  /** The group closed (its last member left). */
  closed(group: RelayGroup): void;
}

export class RelayGroup extends MemberGroup implements Group {
  readonly key: string;
  readonly fps: number;
  readonly bitrate: number;
  private readonly reassembler = new Reassembler();
  private readonly subscription: Subscription;
  private readonly interest: NodeJS.Timeout;
  private readonly subjects: { units: string; interest: string; keyframe: string };
  private requesting = false;
  private lastRequestMs = -Infinity;
  private retry?: Timer;
  private closed = false;
  private unitsIn = 0;
  private lost = 0;
  private keyframeRequests = 0;
  private readonly onDisconnect = () => this.broken();
  private readonly onReconnect = () => this.wantKeyframe(true);

  constructor(
    spec: GroupSpec,
    readonly rendition: RenditionName,
    private readonly host: RelayGroupHost,
  ) {
    super(spec, true, host.clock);
    this.key = groupKey(spec);
    this.fps = host.fps;
    this.bitrate = host.bitrate;
    const s = host.link.subjects;
    this.subjects = {
      units: s.rendition(host.stream, rendition, 'units'),
      interest: s.rendition(host.stream, rendition, 'interest'),
      keyframe: s.rendition(host.stream, rendition, 'keyframe'),
    };
    this.subscription = host.link.nc.subscribe(this.subjects.units, { callback: (err, m) => (err ? undefined : this.onUnit(m.data)) });
    this.interest = setInterval(() => this.renewInterest(), INTEREST_EVERY_MS);
    host.link.on('disconnect', this.onDisconnect);
    host.link.on('reconnect', this.onReconnect);
  }

  /** A joiner awaits the origin's next keyframe, which it asks for now: its first picture comes at once, even on a quiet stream. */
  add(member: GroupMember): void {
    member.joined(() => ({ bitrate: this.bitrate, fps: this.fps, encodeMs: 0 }));
    this.fanout.add(member);
    this.wantKeyframe(true);
  }

  remove(member: GroupMember): boolean {
    return this.fanout.remove(member);
  }

  retune(): void {
    // A relay has no encoder: its origin's targets apply.
  }

  refresh(): void {
    this.wantKeyframe(false);
  }

  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.interest);
    this.retry?.cancel();
    this.subscription.unsubscribe();
    this.host.link.off('disconnect', this.onDisconnect);
    this.host.link.off('reconnect', this.onReconnect);
    this.host.closed(this);
    return Promise.resolve();
  }

  metrics(): GroupMetrics {
    return {
      key: this.key,
      backend: `relay:${this.rendition}`,
      members: this.fanout.size,
      encodes: 0,
      encodes_per_s: 0,
      encode_ms: 0,
      // Units the relay lost on the way (their members resynced at a keyframe).
      frames_skipped: this.lost,
      keyframes_forced: this.keyframeRequests,
      forced_by: {},
      target_bitrate: this.bitrate,
      target_fps: this.fps,
    };
  }

  /** Units forwarded and lost, and keyframes asked for. */
  counters(): { unitsIn: number; lost: number; keyframeRequests: number } {
    return { unitsIn: this.unitsIn, lost: this.lost, keyframeRequests: this.keyframeRequests };
  }

  // ---------------------------------------------------------------- units from the origin

  private onUnit(data: Uint8Array): void {
    if (this.closed) return;
    const { unit, broken } = this.reassembler.push(data);
    if (broken) this.broken();
    if (unit) {
      this.unitsIn++;
      this.fanout.handOut(this.fanout.take(), [unit], this.fps);
    }
    if (this.fanout.members.some((m) => m.demand !== undefined)) this.wantKeyframe(false);
  }

  /** Units were lost (or may have been): every member resyncs at the next keyframe. */
  private broken(): void {
    this.lost++;
    this.reassembler.reset();
    for (const m of this.fanout.members) m.skip();
  }

  private renewInterest(): void {
    if (this.host.link.connected) this.host.link.nc.publish(this.subjects.interest, this.host.relayId);
  }

  /**
   * Asks the origin for a keyframe: at most one request in flight and one per
   * keyframe interval (the origin's limit would coalesce more anyway), with a
   * retry while members still wait. `now` skips the interval (a joiner, a
   * reconnect).
   */
  private wantKeyframe(now: boolean): void {
    if (this.closed || this.requesting || this.retry) return;
    const wait = now ? 0 : this.lastRequestMs + KEYFRAME_INTERVAL_MS - this.host.clock.now();
    if (wait > 0) {
      this.retry = this.host.clock.setTimeout(() => {
        this.retry = undefined;
        if (this.fanout.members.some((m) => m.demand !== undefined)) this.wantKeyframe(true);
      }, wait);
      return;
    }
    if (!this.host.link.connected) return;
    this.requesting = true;
    this.lastRequestMs = this.host.clock.now();
    this.keyframeRequests++;
    this.host.link.nc
      .request(this.subjects.keyframe, this.host.relayId, { timeout: KEYFRAME_REQUEST_TIMEOUT_MS })
      .then((reply) => {
        const answer = reply.json<{ ok?: boolean; error?: string }>();
        if (!answer.ok) this.host.logger.warn({ stream: this.host.stream, rendition: this.rendition, error: answer.error }, 'origin refused a keyframe');
      })
      .catch((err: unknown) => this.host.logger.debug({ err, stream: this.host.stream }, 'keyframe request failed; retrying'))
      .finally(() => {
        this.requesting = false;
        // Still waiting (the origin was away, or the IDR was lost): ask again after the interval.
        if (this.fanout.members.some((m) => m.demand !== undefined)) this.wantKeyframe(false);
      });
  }
}
