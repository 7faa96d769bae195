/**
 * A gpu stream served end to end on Linux, with the fake VideoToolbox and
 * Metal bindings injected through the container (issue 7): H.264 viewers get
 * vtenc, an image-only viewer of Metal frames gets its picture through the
 * Metal frame adapter and the real image backend, and host frames still work.
 */
import { type Display, Metal, serve } from 'rfbcast';

import { fakeMac } from './helpers/fake-apple';
import { decodeToRaw, rgbaToRgb } from './helpers/ffmpeg';
import { TestViewer, until } from './helpers/viewer';
import { testScope } from './helpers/server';
import { METAL_PATTERN_ENTRY, METAL_PATTERN_SOURCE } from '../src/scenes/metal-pattern';
import { movingPattern } from '../src/scenes/patterns';

const W = 96;
const H = 64;
const H264 = 'webcodecs/h264-annexb';

const scope = testScope();
let display: Display | undefined;

it('serves a gpu stream: vtenc for H.264 viewers, Metal frames adapted for an image-only viewer, host frames too', async () => {
  const mac = fakeMac();
  display = scope.own(await serve(W, H, { port: 0, gpu: true, container: mac.c }));
  const video = await TestViewer.connect(display.url, [H264, 'image/jpeg']);
  const png = await TestViewer.connect(display.url, ['image/png']);
  scope.track(video);
  scope.track(png);
  await video.waitFor((v) => v.texts.length > 0);
  await png.waitFor((v) => v.texts.length > 0);
  expect(display.viewers().map((v) => v.backend)).toEqual(['vtenc', 'image:png']);

  const metal = mac.c.resolve(Metal);
  const frame = metal.frame({ width: W, height: H });
  await metal.kernel(METAL_PATTERN_SOURCE, METAL_PATTERN_ENTRY).run(frame, [5]);
  expect(frame.memory).toBe('metal');
  display.publish(frame);
  await video.waitForFrames(1);
  await png.waitForFrames(1);
  // The encoder is built for the group's first frame.
  expect(mac.vt.encoders[0].options.pipelineDepth).toBe(0);
  expect(video.frames[0].header).toMatchObject({ type: 'video_chunk', keyframe: true, width: W, height: H });
  expect(mac.vt.encoders[0].calls.at(-1)).toMatchObject({ kind: 'encodeMetal', forceKeyframe: true });
  // The PNG viewer's picture is exactly the pattern the Metal kernel drew.
  const decoded = decodeToRaw(png.frames[0].payload, { fileName: 'f.png', pixFmt: 'rgb24' });
  expect(Buffer.compare(decoded, Buffer.from(rgbaToRgb(movingPattern(W, H, 5))))).toBe(0);

  video.ack(0);
  png.ack(0);
  await until(() => display?.metrics().every((m) => m.inflight === 0) === true, undefined, 'both acks');
  display.publish(movingPattern(W, H, 6));
  await video.waitForFrames(2);
  await png.waitForFrames(2);
  expect(mac.vt.encoders[0].calls.at(-1)).toMatchObject({ kind: 'encode', format: 'rgba' });
  const host = decodeToRaw(png.frames[1].payload, { fileName: 'f.png', pixFmt: 'rgb24' });
  expect(Buffer.compare(host, Buffer.from(rgbaToRgb(movingPattern(W, H, 6))))).toBe(0);
});

it('gpu: true without a hardware encoder refuses to start, naming vtenc\'s reason', async () => {
  const linux = fakeMac({}, 'linux');
  await expect(serve(W, H, { port: 0, gpu: true, container: linux.c })).rejects.toThrow('no hardware encoder is available (vtenc: not macOS)');
});

it('encodePipelineDepth reaches the vtenc pipelined mode, and frames keep their own seqs', async () => {
  const mac = fakeMac();
  display = scope.own(await serve(W, H, { port: 0, gpu: true, container: mac.c, encodePipelineDepth: 3, maxInflight: 8 }));
  const v = await TestViewer.connect(display.url, [H264]);
  scope.track(v);
  await v.waitFor((x) => x.texts.length > 0);
  // Each frame is submitted to the encoder before the next is published, so none is skipped.
  for (let i = 0; i < 6; i++) {
    display.publish(movingPattern(W, H, i));
    await until(() => (mac.vt.encoders[0]?.calls.length ?? 0) > i, undefined, `frame ${i} submitted`);
  }
  await v.waitForFrames(4);
  expect(mac.vt.encoders[0].options.pipelineDepth).toBe(2);
  const seqs = v.frames.map((f) => Number(f.header.seq));
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(v.frames.map((f) => f.header.timestamp_us)).toEqual([...v.frames.map((f) => f.header.timestamp_us)].sort((a, b) => Number(a) - Number(b)));
});
