/**
 * What a stream asks of a group of members, whoever makes its units: an
 * encode group encodes the stream's frames; a relay's group forwards the
 * units an origin publishes over NATS (src/relay).
 */
import type { GroupMetrics, GroupSpec, Retune } from './encode-group';
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
