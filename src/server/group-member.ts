/**
 * What an encode group hands its units to (PROTOCOL.md §9.4). A viewer's
 * socket is one kind of member; a recorder or a relay's rendition publisher
 * is another. Each member keeps its own seq space and says whether it can
 * take a unit now; the group never waits for any of them.
 */
import type { EncodedUnit } from '../core/encoder';

/** Why a member awaits a keyframe. `request` and `reset` come from a client and are always rate-limited (H12). */
export type KeyframeDemand = 'join' | 'skip' | 'backstop' | 'request' | 'reset';

/** The targets of the group's encoder, for a member's metrics and announcements. */
export interface Targets {
  /** Bits per second. */
  bitrate: number;
  /** Frames per second. */
  fps: number;
  /** The encoder's time per frame (moving average). */
  encodeMs: number;
}

/** A sink of an encode group: a viewer's socket, a recording, a relay's publisher. */
export interface GroupMember {
  /** Its id, for logs and metrics. */
  readonly id: string;
  /** Set while the member awaits a keyframe, with the first reason. */
  readonly demand: KeyframeDemand | undefined;
  /** Joining a group: the member needs that group's keyframe before anything else. */
  joined(targets: () => Targets): void;
  /** Whether the member can take a unit now (may fire its backstop or close it when too slow). */
  canTake(nowMs: number): boolean;
  /** Room for a still, without side effects. */
  hasRoom(): boolean;
  /** The member's seq for the frame the group just took. */
  takeSeq(): number;
  /** The member misses a unit: it counts it and awaits a keyframe. */
  skip(): void;
  /** One shared unit with the member's seq. `fps` is the group's (for durations). */
  deliver(unit: EncodedUnit, seq: number, fps: number): void;
  /** The group's targets changed by an operator retune. */
  announce(bitrate: number, fps: number): void;
  /** The group cannot serve the member any more (its encoder failed): close with this code. */
  end(code?: number, reason?: string): void;
}
