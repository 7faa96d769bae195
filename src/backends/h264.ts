/**
 * H.264 Annex B helpers shared by the video backends: NAL unit splitting, IDR
 * detection and the WebCodecs codec string derived from an emitted SPS
 * (PROTOCOL.md §11.2: "avc1." + uppercase hex of SPS bytes 1..3).
 */
export const NAL_SLICE = 1;
export const NAL_IDR = 5;
export const NAL_SEI = 6;
export const NAL_SPS = 7;
export const NAL_PPS = 8;
export const NAL_AUD = 9;

export interface NalUnit {
  type: number;
  /** The NAL unit without its start code, header byte included. */
  data: Uint8Array;
}

/** Splits an Annex B access unit at its 3- or 4-byte start codes. */
export function splitAnnexB(au: Uint8Array): NalUnit[] {
  const starts: Array<{ at: number; len: number }> = [];
  for (let i = 0; i + 2 < au.length; i++) {
    if (au[i] === 0 && au[i + 1] === 0) {
      if (au[i + 2] === 1) {
        starts.push({ at: i, len: 3 });
        i += 2;
      } else if (au[i + 2] === 0 && i + 3 < au.length && au[i + 3] === 1) {
        starts.push({ at: i, len: 4 });
        i += 3;
      }
    }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1].at : au.length;
    // A 3-byte start code may follow a trailing zero that belongs to no NAL unit.
    while (end > s.at + s.len && au[end - 1] === 0 && k + 1 < starts.length) end--;
    const data = au.subarray(s.at + s.len, end);
    return { type: data[0] & 0x1f, data };
  });
}

export function nalTypes(au: Uint8Array): number[] {
  return splitAnnexB(au).map((n) => n.type);
}

export function containsIdr(au: Uint8Array): boolean {
  return splitAnnexB(au).some((n) => n.type === NAL_IDR);
}

/** "avc1.PPCCLL" from an SPS NAL unit (header byte first). */
export function codecStringFromSps(sps: Uint8Array): string {
  if (sps.length < 4 || (sps[0] & 0x1f) !== NAL_SPS) throw new Error('not an SPS NAL unit');
  const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');
  return `avc1.${hex(sps[1])}${hex(sps[2])}${hex(sps[3])}`;
}

/** The codec string of the first SPS in an access unit, if it carries one. */
export function codecStringOf(au: Uint8Array): string | undefined {
  const sps = splitAnnexB(au).find((n) => n.type === NAL_SPS);
  return sps ? codecStringFromSps(sps.data) : undefined;
}
