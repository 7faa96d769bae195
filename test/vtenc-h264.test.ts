/**
 * The bitstream work the VideoToolbox encoder does after each frame (SPS VUI
 * patching, AVCC -> Annex B), run through the addon on every OS and checked
 * with ffmpeg's own H.264 parser and decoder on real libx264 streams.
 */
import { NAL_IDR, NAL_PPS, NAL_SPS, nalTypes, splitAnnexB } from '../src/backends/h264';
import {
  accessUnits,
  annexB,
  frameMd5s,
  mp4Samples,
  spsFields,
  traceHeaders,
  x264Stream,
} from './helpers/h264-stream';
import { bitstream } from './helpers/native-bitstream';

const native = bitstream();

/** Replaces every SPS of a stream with `patch(sps)`. */
function withSps(stream: Uint8Array, patch: (sps: Uint8Array) => Uint8Array): Buffer {
  return annexB(splitAnnexB(stream).map((n) => (n.type === NAL_SPS ? patch(n.data) : n.data)));
}

function firstSps(stream: Uint8Array): Uint8Array {
  return splitAnnexB(stream).find((n) => n.type === NAL_SPS)!.data;
}

/** True when the NAL payload holds 00 00 00, 00 00 01 or 00 00 02, which emulation prevention must escape. */
function hasStartCodeEmulation(nal: Uint8Array): boolean {
  for (let i = 0; i + 2 < nal.length; i++) if (nal[i] === 0 && nal[i + 1] === 0 && nal[i + 2] <= 2) return true;
  return false;
}

/** NAL bytes -> RBSP bits as '0'/'1' characters, and back (with emulation prevention). */
function nalBits(nal: Uint8Array): string {
  const rbsp: number[] = [];
  let zeros = 0;
  for (const b of nal) {
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    rbsp.push(b);
  }
  return rbsp.map((b) => b.toString(2).padStart(8, '0')).join('');
}

function bitsNal(bits: string): Uint8Array {
  const stop = bits.replace(/0+$/, '');
  const padded = stop.padEnd(Math.ceil(stop.length / 8) * 8, '0');
  const out: number[] = [];
  let zeros = 0;
  for (let i = 0; i < padded.length; i += 8) {
    const b = parseInt(padded.slice(i, i + 8), 2);
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out.push(b);
  }
  return Uint8Array.from(out);
}

/**
 * A baseline SPS with no VUI at all, written from fields ffmpeg traced in a
 * real SPS: what a hardware encoder that writes no VUI would send.
 */
function spsWithoutVui(traced: Record<string, number>): Uint8Array {
  const bits: number[] = [];
  const put = (v: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) bits.push((v >> i) & 1);
  };
  const ue = (v: number) => {
    const len = Math.floor(Math.log2(v + 1));
    put(0, len);
    put(v + 1, len + 1);
  };
  put(0x67, 8);
  put(traced.profile_idc, 8);
  for (let i = 0; i < 6; i++) put(traced[`constraint_set${i}_flag`], 1);
  put(0, 2);
  put(traced.level_idc, 8);
  ue(traced.seq_parameter_set_id);
  ue(traced.log2_max_frame_num_minus4);
  ue(traced.pic_order_cnt_type);
  if (traced.pic_order_cnt_type !== 2) throw new Error('test stream should use POC type 2');
  ue(traced.max_num_ref_frames);
  put(traced.gaps_in_frame_num_allowed_flag, 1);
  ue(traced.pic_width_in_mbs_minus1);
  ue(traced.pic_height_in_map_units_minus1);
  put(1, 1); // frame_mbs_only_flag
  put(traced.direct_8x8_inference_flag, 1);
  put(0, 1); // frame_cropping_flag (the test sizes are multiples of 16)
  put(0, 1); // vui_parameters_present_flag
  put(1, 1);
  while (bits.length % 8) bits.push(0);
  const out = new Uint8Array(bits.length / 8);
  bits.forEach((b, i) => (out[i >> 3] |= b << (7 - (i & 7))));
  return out;
}

/** What every SPS rfbcast sends must say (PROTOCOL.md §11.1). */
const NO_REORDERING = { bitstream_restriction_flag: 1, max_num_reorder_frames: 0 };

describe('SPS VUI patching (PROTOCOL.md §11.1, §13.3)', () => {
  const baseline = x264Stream({ width: 320, height: 240, frames: 8, params: 'keyint=4' });
  const reference = frameMd5s(baseline);

  it('leaves an SPS that already conforms byte for byte unchanged', () => {
    const sps = firstSps(baseline);
    expect(spsFields(baseline)).toMatchObject(NO_REORDERING);
    expect(Buffer.compare(native.h264PatchSps(sps), Buffer.from(sps))).toBe(0);
  });

  it('writes the colour description of a descriptor and keeps everything else', () => {
    const before = spsFields(baseline);
    const patched = withSps(baseline, (sps) => native.h264PatchSps(sps, 12, 13));
    const after = spsFields(patched);
    expect(after).toMatchObject({
      ...NO_REORDERING,
      video_signal_type_present_flag: 1,
      video_full_range_flag: 0,
      colour_description_present_flag: 1,
      colour_primaries: 12,
      transfer_characteristics: 13,
      matrix_coefficients: 6,
    });
    for (const name of ['profile_idc', 'level_idc', 'pic_width_in_mbs_minus1', 'num_units_in_tick', 'time_scale',
      'aspect_ratio_idc', 'max_dec_frame_buffering', 'log2_max_mv_length_horizontal']) {
      expect([name, after[name]]).toEqual([name, before[name]]);
    }
    expect(frameMd5s(patched)).toEqual(reference);
  });

  it('adds bitstream_restriction with max_num_reorder_frames = 0 to an SPS without VUI', () => {
    const bare = withSps(baseline, () => spsWithoutVui(spsFields(baseline)));
    expect(spsFields(bare).vui_parameters_present_flag).toBe(0);
    expect(frameMd5s(bare)).toEqual(reference);
    const patched = withSps(bare, (sps) => native.h264PatchSps(sps));
    const fields = spsFields(patched);
    expect(fields).toMatchObject({
      ...NO_REORDERING,
      vui_parameters_present_flag: 1,
      aspect_ratio_info_present_flag: 0,
      video_signal_type_present_flag: 0,
      timing_info_present_flag: 0,
      max_dec_frame_buffering: fields.max_num_ref_frames,
      log2_max_mv_length_horizontal: 16,
    });
    expect(frameMd5s(patched)).toEqual(reference);
  });

  it('forces matrix 6 and limited range on an existing colour description when no descriptor is set', () => {
    const bt709 = x264Stream({ width: 320, height: 240, frames: 2, params: 'colormatrix=bt709:colorprim=bt709:transfer=bt709:fullrange=on' });
    expect(spsFields(bt709)).toMatchObject({ matrix_coefficients: 1, video_full_range_flag: 1 });
    const patched = withSps(bt709, (sps) => native.h264PatchSps(sps));
    expect(spsFields(patched)).toMatchObject({
      colour_primaries: 1,
      transfer_characteristics: 1,
      matrix_coefficients: 6,
      video_full_range_flag: 0,
      max_num_reorder_frames: 0,
    });
  });

  it('copies HRD parameters, scaling matrices and cropping through unchanged', () => {
    const x264 = x264Stream({
      width: 320, height: 180, frames: 6, profile: 'high',
      params: 'keyint=3:bframes=2:nal-hrd=vbr:vbv-maxrate=800:vbv-bufsize=800',
    });
    // x264 puts scaling matrices in the PPS, so give the SPS some at the
    // traced position of its flag: list 0 explicit (flat 16), list 6 "use
    // default" (delta -8), the others absent.
    const position = traceHeaders(x264).find((u) => u.kind === 'Sequence Parameter Set')!.at
      .seq_scaling_matrix_present_flag;
    const lists = '1' + ('1' + '000010000' + '1'.repeat(15)) + '00000' + ('1' + '000010001') + '0';
    const high = withSps(x264, (sps) => {
      const bits = nalBits(sps);
      return bitsNal(bits.slice(0, position) + lists + bits.slice(position + 1));
    });
    const before = traceHeaders(high).find((u) => u.kind === 'Sequence Parameter Set')!.fields;
    expect(Object.fromEntries(before)).toMatchObject({ seq_scaling_matrix_present_flag: 1, nal_hrd_parameters_present_flag: 1, frame_cropping_flag: 1 });
    const patched = withSps(high, (sps) => native.h264PatchSps(sps, 1, 13));
    const after = traceHeaders(patched).find((u) => u.kind === 'Sequence Parameter Set')!.fields;
    const changed = new Set(['colour_primaries', 'transfer_characteristics', 'matrix_coefficients', 'max_num_reorder_frames',
      'video_signal_type_present_flag', 'video_format', 'video_full_range_flag', 'colour_description_present_flag']);
    expect(after.filter(([n]) => !changed.has(n) && !n.startsWith('rbsp_'))).toEqual(
      before.filter(([n]) => !changed.has(n) && !n.startsWith('rbsp_')),
    );
    expect(Object.fromEntries(after)).toMatchObject({ max_num_reorder_frames: 0, matrix_coefficients: 6, colour_primaries: 1 });
    expect(frameMd5s(patched)).toEqual(frameMd5s(high));
  });

  it('escapes start-code emulation in the rewritten SPS', () => {
    for (const [w, h] of [[320, 240], [16, 16], [1920, 1088]] as const) {
      const stream = x264Stream({ width: w, height: h, frames: 1 });
      for (const [p, t] of [[1, 13], [12, 13], [9, 16], [0, 0]]) {
        const sps = native.h264PatchSps(firstSps(stream), p, t);
        expect(hasStartCodeEmulation(sps.subarray(1))).toBe(false);
        expect(spsFields(withSps(stream, () => sps))).toMatchObject({ colour_primaries: p, transfer_characteristics: t });
      }
    }
  });

  it('rejects bytes that are not a whole SPS', () => {
    const sps = firstSps(baseline);
    expect(() => native.h264PatchSps(Uint8Array.of(0x68, 1, 2, 3))).toThrow('not an SPS NAL unit');
    expect(() => native.h264PatchSps(sps.subarray(0, 6))).toThrow('SPS is truncated');
    expect(() => native.h264PatchSps(sps, 300, 1)).toThrow('VUI colour codes must be 0 to 255');
    expect(() => native.h264PatchSps('sps' as never)).toThrow('sps must be a Uint8Array');
  });
});

describe('AVCC -> Annex B', () => {
  const stream = x264Stream({ width: 160, height: 96, frames: 9, params: 'keyint=4' });
  const mp4 = mp4Samples(stream);

  it('rewrites the mp4 demuxer samples into a stream ffmpeg decodes identically', () => {
    expect(mp4.nalLengthSize).toBe(4);
    const out = mp4.samples.map((s) => native.h264AvccToAnnexB(s.data, mp4.nalLengthSize, [mp4.sps, mp4.pps], false));
    expect(out.map((u) => u.keyframe)).toEqual(mp4.samples.map((s) => s.key));
    for (const unit of out) {
      const types = nalTypes(unit.data);
      // Keyframes open with the parameter sets from the format description; deltas carry none.
      if (unit.keyframe) expect(types.slice(0, 2)).toEqual([NAL_SPS, NAL_PPS]);
      else expect(types.filter((t) => t === NAL_SPS || t === NAL_PPS)).toEqual([]);
      expect(types.filter((t) => t === NAL_SPS)).toHaveLength(unit.keyframe ? 1 : 0);
    }
    expect(frameMd5s(Buffer.concat(out.map((u) => u.data)))).toEqual(frameMd5s(stream));
    // The slices are carried over byte for byte.
    const slices = (s: Uint8Array[][]) => s.map((au) => Buffer.from(au[au.length - 1]).toString('hex'));
    expect(slices(accessUnits(Buffer.concat(out.map((u) => u.data))))).toEqual(slices(accessUnits(stream)));
  });

  it('takes 1- and 2-byte NAL lengths, and a forced keyframe gets the parameter sets', () => {
    const delta = mp4.samples.find((s) => !s.key)!.data;
    const slice = delta.subarray(4);
    const twoByte = Buffer.concat([Buffer.from([slice.length >> 8, slice.length & 255]), slice]);
    const forced = native.h264AvccToAnnexB(twoByte, 2, [mp4.sps, mp4.pps], true);
    expect(forced.keyframe).toBe(true);
    expect(splitAnnexB(forced.data).map((n) => Buffer.from(n.data))).toEqual([mp4.sps, mp4.pps, slice]);
    const tiny = Uint8Array.of(3, 0x09, 0xf0, 0x00);
    expect(nalTypes(native.h264AvccToAnnexB(tiny, 1, [], false).data)).toEqual([9]);
    expect(containsIdrByType(native.h264AvccToAnnexB(twoByte, 2, [], false).data)).toBe(false);
  });

  it('rejects lengths that run past the sample', () => {
    expect(() => native.h264AvccToAnnexB(Uint8Array.of(0, 0, 0, 9, 0x65), 4, [], false)).toThrow(/does not fit/);
    expect(() => native.h264AvccToAnnexB(Uint8Array.of(0, 0), 4, [], false)).toThrow(/ends inside a NAL length/);
    expect(() => native.h264AvccToAnnexB(Uint8Array.of(1, 0x65), 5, [], false)).toThrow(/1 to 4 bytes/);
    expect(() => native.h264AvccToAnnexB(Uint8Array.of(1, 0x65), 1, 'x' as never, false)).toThrow(/expected \(sample/);
  });
});

function containsIdrByType(au: Uint8Array): boolean {
  return nalTypes(au).includes(NAL_IDR);
}
