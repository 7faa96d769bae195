/**
 * Units as NATS messages: split to fit max_payload and put back together
 * byte for byte; a lost part discards its unit; a lost unit, a new publisher
 * epoch or a malformed message is reported as broken so viewers resync.
 */
import type { EncodedUnit } from 'rfbcast';

import { encodeUnit, Reassembler } from '../src/relay/unit-codec';

const unit = (bytes: number, keyframe = true, fill = 7): EncodedUnit => ({
  data: new Uint8Array(bytes).map((_, i) => (i * 31 + fill) & 255),
  keyframe,
  timestampUs: 1234,
  durationUs: 33_333,
  codec: 'avc1.42e01f',
  width: 3840,
  height: 2160,
});

describe('unit codec', () => {
  it('splits a unit larger than max_payload and reassembles it intact', () => {
    const u = unit(2_500_000);
    const parts = encodeUnit(u, 'e1', 0, 1024 * 1024);
    expect(parts).toHaveLength(3);
    for (const p of parts) expect(p.byteLength).toBeLessThanOrEqual(1024 * 1024);
    const r = new Reassembler();
    expect(r.push(parts[0])).toEqual({ broken: false });
    expect(r.push(parts[1])).toEqual({ broken: false });
    const done = r.push(parts[2]);
    expect(done.broken).toBe(false);
    expect(Buffer.compare(Buffer.from(done.unit!.data), Buffer.from(u.data))).toBe(0);
    expect({ ...done.unit, data: undefined }).toEqual({ ...u, data: undefined });
  });

  it('a lost part discards its unit; the next unit is marked broken', () => {
    const r = new Reassembler();
    const first = encodeUnit(unit(3000), 'e1', 0, 2048);
    expect(first.length).toBeGreaterThan(2);
    r.push(first[0]);
    // first[1] is lost
    expect(r.push(first[2])).toEqual({ broken: true });
    const next = r.push(encodeUnit(unit(100, false), 'e1', 1, 2048)[0]);
    expect(next.unit).toBeDefined();
    // The part stream ended mid-unit: unit 0 was dropped, so unit 1 follows a broken one.
    const r2 = new Reassembler();
    r2.push(first[0]);
    const after = r2.push(encodeUnit(unit(100, false), 'e1', 1, 2048)[0]);
    expect(after.broken).toBe(true);
    expect(after.unit).toBeDefined();
  });

  it('a gap in the unit counter, or a new epoch, is broken', () => {
    const r = new Reassembler();
    expect(r.push(encodeUnit(unit(10), 'e1', 0, 4096)[0]).broken).toBe(false);
    expect(r.push(encodeUnit(unit(10, false), 'e1', 1, 4096)[0]).broken).toBe(false);
    expect(r.push(encodeUnit(unit(10, false), 'e1', 3, 4096)[0]).broken).toBe(true);
    expect(r.push(encodeUnit(unit(10), 'e2', 0, 4096)[0]).broken).toBe(true);
  });

  it('malformed messages are broken, never thrown', () => {
    const r = new Reassembler();
    expect(r.push(new Uint8Array([9, 9, 9]))).toEqual({ broken: true });
    expect(r.push(Uint8Array.of(1, 0, 0, 0, 3, 123, 125, 0))).toEqual({ broken: true });
  });
});
