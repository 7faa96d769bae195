/**
 * PROTOCOL.md §18 items about the H.264 bitstream (25, 26, 27, and the colour
 * half of 38), proven with the real libx264 backend through a real server:
 * every access unit a viewer receives is parsed here, and ffmpeg decodes the
 * stream back.
 */
import { type Display, DISPLAY_P3, type FrameInput, serve } from 'rfbcast';

import { decodeToRaw, probeH264Frames } from './helpers/ffmpeg';
import { parseSps } from './helpers/h264-sps';
import { rgba, testScope } from './helpers/server';
import { TestViewer, until } from './helpers/viewer';
import { movingPattern } from '../src/scenes/patterns';
import { codecStringFromSps, splitAnnexB } from '../src/backends/h264';

const H264 = 'webcodecs/h264-annexb';

const scope = testScope();
let display: Display | undefined;

/** Publishes `count` frames one at a time, each acked before the next, so nothing is dropped or forced. */
async function lockstep(d: Display, v: TestViewer, count: number, frame: (i: number) => FrameInput, opts = {}): Promise<void> {
  for (let i = 0; i < count; i++) {
    const before = v.frames.length;
    d.publish(frame(i), opts);
    await v.waitForFrames(before + 1, 10_000);
    v.ack(Number(v.frames.at(-1)?.header.seq));
    await until(() => d.metrics()[0].inflight === 0);
  }
}

async function h264Viewer(width: number, height: number, options = {}): Promise<TestViewer> {
  display = scope.own(await serve(width, height, { port: 0, backend: 'libx264', ...options }));
  const v = await TestViewer.connect(display.url, ['image/jpeg', H264]);
  scope.track(v);
  await v.waitFor((x) => x.texts.length > 0);
  return v;
}

describe('§18 encoding and H.264 (real libx264)', () => {
  it('25. each message is one access unit with a start code; IDRs carry SPS+PPS+IDR, deltas no SPS/PPS; an IDR every fps frames', async () => {
    const fps = 10;
    const v = await h264Viewer(160, 96, { fps });
    await lockstep(display as Display, v, 25, (i) => movingPattern(160, 96, i));
    expect(display?.metrics()[0].frames_dropped).toBe(0);
    const keyframeSeqs: number[] = [];
    for (const f of v.frames) {
      expect([...f.payload.subarray(0, 4)].join(',') === '0,0,0,1' || [...f.payload.subarray(0, 3)].join(',') === '0,0,1').toBe(true);
      const types = splitAnnexB(f.payload).map((n) => n.type);
      const slices = types.filter((t) => t === 1 || t === 5);
      expect(slices.length).toBeGreaterThanOrEqual(1);
      expect(new Set(slices).size).toBe(1);
      if (f.header.keyframe) {
        keyframeSeqs.push(Number(f.header.seq));
        expect(types).toEqual(expect.arrayContaining([7, 8, 5]));
      } else {
        expect(types).not.toContain(7);
        expect(types).not.toContain(8);
        expect(types).not.toContain(5);
      }
    }
    expect(keyframeSeqs).toEqual([0, 10, 20]);
    const probed = probeH264Frames(Buffer.concat(v.frames.map((f) => f.payload)));
    expect(probed).toHaveLength(25);
    expect(probed.filter((p) => p.key_frame === 1)).toHaveLength(3);
    expect(probed.every((p) => p.pict_type !== 'B')).toBe(true);
  });

  it('26. every SPS has profile_idc 66, bitstream_restriction_flag 1 and max_num_reorder_frames 0', async () => {
    const v = await h264Viewer(320, 180, { fps: 5 });
    await lockstep(display as Display, v, 12, (i) => movingPattern(320, 180, i));
    const spss = v.frames.flatMap((f) => splitAnnexB(f.payload).filter((n) => n.type === 7));
    expect(spss.length).toBeGreaterThanOrEqual(3);
    for (const nal of spss) {
      const sps = parseSps(nal.data);
      expect(sps.profileIdc).toBe(66);
      expect(sps.vui?.bitstreamRestriction?.maxNumReorderFrames).toBe(0);
    }
  });

  it('27. codec is "avc1." + uppercase hex of SPS bytes 1-3 and changes only on keyframes; duration_us 33333 at 30 fps, after keyframe', async () => {
    const v = await h264Viewer(160, 96, { fps: 30 });
    await lockstep(display as Display, v, 4, (i) => movingPattern(160, 96, i));
    // A new size makes a new SPS (a different level may follow): the codec may change there only.
    await lockstep(display as Display, v, 4, (i) => ({ data: movingPattern(1280, 720, i), width: 1280, height: 720, pixelFormat: 'rgba', memory: 'host' }));
    let codec = '';
    for (const f of v.frames) {
      const h = f.header;
      expect(Object.keys(h).indexOf('duration_us')).toBe(Object.keys(h).indexOf('keyframe') + 1);
      expect(h.duration_us).toBe(33333);
      const sps = splitAnnexB(f.payload).find((n) => n.type === 7);
      if (h.keyframe) {
        expect(sps).toBeDefined();
        const hex = [...(sps as { data: Uint8Array }).data.subarray(1, 4)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
        expect(h.codec).toBe(`avc1.${hex}`);
        expect(h.codec).toBe(codecStringFromSps((sps as { data: Uint8Array }).data));
        codec = String(h.codec);
      } else {
        expect(h.codec).toBe(codec);
      }
    }
    expect(v.frames.at(-1)?.header).toMatchObject({ width: 1280, height: 720 });
  });

  it('38. a DISPLAY_P3 stream writes VUI colour (12, 13, 6, limited range) in its SPS', async () => {
    const v = await h264Viewer(160, 96, {});
    await lockstep(display as Display, v, 2, () => rgba(160, 96, 90), { color: DISPLAY_P3 });
    const sps = parseSps(splitAnnexB(v.frames[0].payload).find((n) => n.type === 7)?.data as Uint8Array);
    expect(sps.vui?.colour).toEqual({ primaries: 12, transfer: 13, matrix: 6 });
    expect(sps.vui?.videoFullRange).toBe(false);
    expect(v.frames[0].header.color).toEqual({ primaries: 'display-p3', transfer: 'srgb', matrix: 'bt709', full_range: true, bit_depth: 8 });
  });

  it('11.1: an odd-sized frame is cropped to even for a video viewer; config has the display size, the header the encoded size', async () => {
    const v = await h264Viewer(161, 97, {});
    expect(v.texts[0]).toMatchObject({ width: 161, height: 97 });
    await lockstep(display as Display, v, 2, (i) => movingPattern(161, 97, i));
    expect(v.frames[0].header).toMatchObject({ width: 160, height: 96 });
    const decoded = decodeToRaw(Buffer.concat(v.frames.map((f) => f.payload)), { format: 'h264', fileName: 'odd.h264' });
    expect(decoded.length).toBe(160 * 96 * 3 * 2);
  });
});
