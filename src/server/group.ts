/**
 * What a stream asks of a group of members, whoever makes its units: an
 * encode group encodes the stream's frames; a relay's group forwards the
 * units an origin publishes over NATS (src/relay).
 */
import type { Clock } from './clock';
import type { GroupMetrics, GroupSpec, Retune } from './encode-group';
import { Fanout } from './fanout';
import type { GroupMember } from './group-member';

export interface Group {
  readonly key: string;
  readonly spec: GroupSpec;
  readonly bitrate: number;
  readonly fps: number;
  readonly size: number;
  readonly members: GroupMember[];
  readonly transport: 'video' | 'image';
  /** `catchUp`: the member gets the current picture at once, even on a quiet stream. */
  add(member: GroupMember, catchUp: boolean): void;
  /** Returns true when the group is now empty (the stream then closes it). */
  remove(member: GroupMember): boolean;
  retune(r: Retune): void;
  /** Members that await a keyframe get one soon, even on a quiet stream (within the group's keyframe limit). */
  refresh(): void;
  close(): Promise<void>;
  metrics(): GroupMetrics;
}

/** Makes the group for `spec`; `shared` is the stream's encoding mode (§9.4). */
export type GroupFactory = (spec: GroupSpec, shared: boolean) => Group;

/** What every group holds: its spec and its members, handed units through a Fanout. */
export abstract class MemberGroup {
  protected readonly fanout: Fanout;

  constructor(
    readonly spec: GroupSpec,
    shared: boolean,
    clock: Clock,
  ) {
    this.fanout = new Fanout(shared, clock);
  }

  get size(): number {
    return this.fanout.size;
  }

  get members(): GroupMember[] {
    return this.fanout.members;
  }

  get transport(): 'video' | 'image' {
    return this.spec.choice.transport;
  }
}
