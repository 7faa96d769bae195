/**
 * An H.264 sequence parameter set parser (ITU-T H.264 §7.3.2.1.1 and Annex E),
 * written independently of the code under test so tests can check what an
 * encoder really put in its SPS: profile, size, and the VUI through
 * bitstream_restriction.
 */

/** Drops emulation-prevention bytes (00 00 03 -> 00 00). */
function rbsp(nal: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of nal) {
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
}

class BitReader {
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.bytes[this.pos >> 3];
      if (byte === undefined) throw new Error('SPS ended early');
      v = v * 2 + ((byte >> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return v;
  }

  flag(): boolean {
    return this.u(1) === 1;
  }

  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) zeros++;
    return 2 ** zeros - 1 + this.u(zeros);
  }

  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}

export interface ColourDescription {
  primaries: number;
  transfer: number;
  matrix: number;
}

export interface Vui {
  videoFullRange?: boolean;
  colour?: ColourDescription;
  timing?: { numUnitsInTick: number; timeScale: number; fixedFrameRate: boolean };
  bitstreamRestriction?: { maxNumReorderFrames: number; maxDecFrameBuffering: number };
}

export interface Sps {
  profileIdc: number;
  constraintFlags: number;
  levelIdc: number;
  width: number;
  height: number;
  maxNumRefFrames: number;
  frameMbsOnly: boolean;
  vui?: Vui;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

function skipHrd(r: BitReader): void {
  const cpbCount = r.ue() + 1;
  r.u(4);
  r.u(4);
  for (let i = 0; i < cpbCount; i++) {
    r.ue();
    r.ue();
    r.u(1);
  }
  r.u(20);
}

function parseVui(r: BitReader): Vui {
  const vui: Vui = {};
  if (r.flag() && r.u(8) === 255) r.u(32); // aspect_ratio_idc, then an explicit SAR
  if (r.flag()) r.u(1); // overscan
  if (r.flag()) {
    r.u(3); // video_format
    vui.videoFullRange = r.flag();
    if (r.flag()) vui.colour = { primaries: r.u(8), transfer: r.u(8), matrix: r.u(8) };
  }
  if (r.flag()) {
    r.ue();
    r.ue();
  }
  if (r.flag()) vui.timing = { numUnitsInTick: r.u(32), timeScale: r.u(32), fixedFrameRate: r.flag() };
  const nalHrd = r.flag();
  if (nalHrd) skipHrd(r);
  const vclHrd = r.flag();
  if (vclHrd) skipHrd(r);
  if (nalHrd || vclHrd) r.u(1); // low_delay_hrd_flag
  r.u(1); // pic_struct_present_flag
  if (r.flag()) {
    r.u(1); // motion_vectors_over_pic_boundaries_flag
    r.ue(); // max_bytes_per_pic_denom
    r.ue(); // max_bits_per_mb_denom
    r.ue(); // log2_max_mv_length_horizontal
    r.ue(); // log2_max_mv_length_vertical
    vui.bitstreamRestriction = { maxNumReorderFrames: r.ue(), maxDecFrameBuffering: r.ue() };
  }
  return vui;
}

/** Parses an SPS NAL unit (header byte first, no start code). */
export function parseSps(nal: Uint8Array): Sps {
  if ((nal[0] & 0x1f) !== 7) throw new Error(`not an SPS: NAL type ${nal[0] & 0x1f}`);
  const r = new BitReader(rbsp(nal.subarray(1)));
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormat = r.ue();
    if (chromaFormat === 3) r.u(1);
    r.ue();
    r.ue();
    r.u(1);
    if (r.flag()) {
      for (let i = 0; i < (chromaFormat === 3 ? 12 : 8); i++) if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.u(1);
    r.se();
    r.se();
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  const maxNumRefFrames = r.ue();
  r.u(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.u(1);
  r.u(1); // direct_8x8_inference_flag
  let crop = [0, 0, 0, 0];
  if (r.flag()) crop = [r.ue(), r.ue(), r.ue(), r.ue()];
  const cropX = chromaFormat === 0 || chromaFormat === 3 ? 1 : 2;
  const cropY = (chromaFormat === 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
  const width = widthMbs * 16 - cropX * (crop[0] + crop[1]);
  const height = heightUnits * 16 * (frameMbsOnly ? 1 : 2) - cropY * (crop[2] + crop[3]);
  const vui = r.flag() ? parseVui(r) : undefined;
  return { profileIdc, constraintFlags, levelIdc, width, height, maxNumRefFrames, frameMbsOnly, ...(vui ? { vui } : {}) };
}
