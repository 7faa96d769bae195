/**
 * An encoded unit as NATS messages: a small header (format byte, header
 * length, JSON) and the unit's bytes. A unit larger than the server's
 * max_payload (a 4K IDR, a PNG) is split into parts that the relay
 * reassembles; NATS keeps one publisher's messages in order, so a part
 * missing from the sequence means a lost part, and that unit is discarded.
 *
 * Every unit a publisher sends carries its publisher's epoch (new each time
 * an origin attaches a publisher) and a counter that grows by one per unit,
 * so a relay notices a lost unit, or a new publisher, and resyncs its
 * viewers at the next keyframe.
 */
import type { EncodedUnit } from '../core/encoder';

const FORMAT = 1;
/** Room kept in each message for the header. */
const HEADER_ROOM = 1024;
/** The most a relay holds for one unit being reassembled. */
export const MAX_UNIT_BYTES = 64 * 1024 * 1024;

type UnitMeta = Omit<EncodedUnit, 'data'>;

interface Header {
  /** Publisher epoch. */
  e: string;
  /** Unit counter within the epoch. */
  n: number;
  /** Part index and count. */
  p: number;
  c: number;
  /** The unit's description, in part 0. */
  u?: UnitMeta;
}

/** The NATS messages for `unit`, each at most `maxPayload` bytes. */
export function encodeUnit(unit: EncodedUnit, epoch: string, n: number, maxPayload: number): Uint8Array[] {
  const chunk = Math.max(1, maxPayload - HEADER_ROOM);
  const { data, ...meta } = unit;
  const count = Math.max(1, Math.ceil(data.byteLength / chunk));
  const out: Uint8Array[] = [];
  for (let p = 0; p < count; p++) {
    const header: Header = { e: epoch, n, p, c: count, ...(p === 0 ? { u: meta } : {}) };
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const body = data.subarray(p * chunk, Math.min(data.byteLength, (p + 1) * chunk));
    const message = Buffer.allocUnsafe(5 + json.length + body.byteLength);
    message[0] = FORMAT;
    message.writeUInt32BE(json.length, 1);
    json.copy(message, 5);
    message.set(body, 5 + json.length);
    out.push(message);
  }
  return out;
}

function decodeMessage(msg: Uint8Array): { header: Header; body: Uint8Array } | undefined {
  if (msg.byteLength < 5 || msg[0] !== FORMAT) return undefined;
  const length = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength).readUInt32BE(1);
  if (5 + length > msg.byteLength) return undefined;
  try {
    const header = JSON.parse(Buffer.from(msg.buffer, msg.byteOffset + 5, length).toString('utf8')) as Header;
    const ok = typeof header.e === 'string' && [header.n, header.p, header.c].every(Number.isInteger) && header.p < header.c;
    return ok ? { header, body: msg.subarray(5 + length) } : undefined;
  } catch {
    return undefined;
  }
}

export interface Reassembled {
  /** A complete unit, when this message finished one. */
  unit?: EncodedUnit;
  /** Something was lost before this point (a part, a unit, or the publisher changed): resync at a keyframe. */
  broken: boolean;
}

/** Puts one publisher's units back together, noticing what was lost on the way. */
export class Reassembler {
  private last?: { epoch: string; n: number };
  private pending?: { header: Header; parts: Uint8Array[]; bytes: number };

  push(msg: Uint8Array): Reassembled {
    const decoded = decodeMessage(msg);
    if (!decoded) return this.lose();
    const { header, body } = decoded;
    let broken = false;
    const current = this.pending?.header;
    if (current && (current.e !== header.e || current.n !== header.n)) broken = this.drop();
    if (header.p === 0) {
      const last = this.last;
      if (last && (last.epoch !== header.e || header.n !== last.n + 1)) broken = true;
      if (!header.u) return this.lose();
      this.pending = { header, parts: [], bytes: 0 };
    } else if (!this.pending || this.pending.parts.length !== header.p) {
      // A part whose predecessors never arrived: the unit is lost.
      this.pending = undefined;
      this.last = { epoch: header.e, n: header.n };
      return { broken: true };
    }
    const pending = this.pending;
    pending.parts.push(body);
    pending.bytes += body.byteLength;
    if (pending.bytes > MAX_UNIT_BYTES) return this.lose();
    if (pending.parts.length < header.c) return { broken };
    this.pending = undefined;
    this.last = { epoch: header.e, n: header.n };
    const data = pending.parts.length === 1 ? pending.parts[0] : Buffer.concat(pending.parts);
    return { unit: { ...(pending.header.u as UnitMeta), data }, broken };
  }

  /** The connection was lost: whatever was in progress is gone, and so may be the units sent meanwhile. */
  reset(): void {
    this.pending = undefined;
    this.last = undefined;
  }

  private drop(): true {
    this.pending = undefined;
    return true;
  }

  private lose(): Reassembled {
    this.pending = undefined;
    return { broken: true };
  }
}
