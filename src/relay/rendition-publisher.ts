/**
 * The origin's member in an encode group for one rendition that relays want:
 * it publishes each unit the group hands it to NATS, at no extra encode. It
 * is one member like a viewer: while NATS is unreachable it takes nothing
 * (nothing piles up) and awaits a keyframe, so the units it publishes always
 * form a decodable stream, and pictures resume with an IDR.
 */
import { randomBytes } from 'node:crypto';

import type { EncodedUnit } from '../core/encoder';
import type { GroupMember, KeyframeDemand } from '../server/group-member';
import type { NatsLink } from './nats-link';
import { encodeUnit } from './unit-codec';

export class RenditionPublisher implements GroupMember {
  readonly id: string;
  demand: KeyframeDemand | undefined = 'join';
  /** New for every publisher, so relays tell a re-attached or restarted origin from a lost unit. */
  private readonly epoch = randomBytes(8).toString('hex');
  /** Units published: relays see a gap when NATS lost one. */
  private count = 0;
  private closed = false;

  constructor(
    private readonly link: NatsLink,
    readonly subject: string,
    private readonly onEnd: () => void,
  ) {
    this.id = `relay-publisher:${subject}`;
  }

  joined(): void {
    this.demand = 'join';
  }

  /** Relays asked for a keyframe (a joiner, a resync): the group's limit applies. */
  await(demand: KeyframeDemand): void {
    this.demand ??= demand;
  }

  canTake(): boolean {
    return !this.closed && this.link.connected;
  }

  hasRoom(): boolean {
    return this.canTake();
  }

  /** Seqs are per relay viewer; the publisher numbers the units it actually sends. */
  takeSeq(): number {
    return this.count;
  }

  skip(): void {
    this.demand ??= 'skip';
  }

  deliver(unit: EncodedUnit): void {
    if (!this.canTake()) return;
    for (const part of encodeUnit(unit, this.epoch, this.count, this.link.maxPayload)) this.link.nc.publish(this.subject, part);
    this.count++;
    if (unit.keyframe) this.demand = undefined;
  }

  announce(): void {
    // Relays keep their viewers' own budgets; an operator retune reaches them in the units.
  }

  /** The group cannot serve it any more (its encoder failed): the origin forgets it; the next interest attaches a new one. */
  end(): void {
    this.closed = true;
    this.onEnd();
  }
}
