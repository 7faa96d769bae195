/**
 * The members of a group and how a unit reaches them (PROTOCOL.md §9.4 step
 * 5): every taken frame costs each member one seq, and each member gets the
 * unit with its own seq if it can take it and is in sync (or the unit is a
 * keyframe); otherwise it skips and awaits a keyframe. An encode group feeds
 * it from its encoder, a relay group from the units its origin publishes.
 */
import type { EncodedUnit } from '../core/encoder';
import type { Clock } from './clock';
import type { GroupMember, KeyframeDemand } from './group-member';

/** Demands a client makes (request_keyframe, decoder_reset): always rate-limited (H12). */
export const CLIENT_DEMANDS: ReadonlySet<KeyframeDemand> = new Set(['request', 'reset']);

/** The members as they were when a frame was taken, with the seq each spent on it. */
export interface TakenFrame {
  members: GroupMember[];
  seqs: Map<GroupMember, number>;
}

export class Fanout {
  private readonly set = new Set<GroupMember>();

  /** `shared`: any member awaiting a keyframe gets no deltas (§9.4); see waitsForKeyframe. */
  constructor(
    private readonly shared: boolean,
    private readonly clock: Clock,
  ) {}

  get size(): number {
    return this.set.size;
  }

  get members(): GroupMember[] {
    return [...this.set];
  }

  add(member: GroupMember): void {
    this.set.add(member);
  }

  /** Returns true when the set is now empty. */
  remove(member: GroupMember): boolean {
    this.set.delete(member);
    return this.set.size === 0;
  }

  /** §6.4: every member spends a seq on each frame taken, sent or not. */
  take(): TakenFrame {
    const members = [...this.set];
    return { members, seqs: new Map(members.map((m) => [m, m.takeSeq()])) };
  }

  /** Each member of `taken` still here gets the units with its own seq, or skips them and awaits a keyframe. */
  handOut(taken: TakenFrame, units: readonly EncodedUnit[], fps: number): void {
    const now = this.clock.now();
    for (const m of taken.members) {
      if (!this.set.has(m)) continue;
      for (const unit of units) {
        if (!m.canTake(now) || (this.waitsForKeyframe(m) && !unit.keyframe)) {
          m.skip();
          break;
        }
        m.deliver(unit, taken.seqs.get(m) as number, fps);
      }
    }
  }

  /**
   * Whether a member gets no deltas until its keyframe. In a shared group
   * that is any member that awaits one (§9.4). A lone viewer keeps getting
   * deltas while only its own client asked (§9.1, H12): its client discards
   * what it cannot use, as it always has.
   */
  waitsForKeyframe(m: GroupMember): boolean {
    return m.demand !== undefined && (this.shared || !CLIENT_DEMANDS.has(m.demand));
  }

  /** The reasons `members` await a keyframe. */
  static demandsOf(members: readonly GroupMember[]): Set<KeyframeDemand> {
    return new Set(members.flatMap((m) => (m.demand ? [m.demand] : [])));
  }
}
