/**
 * A recording plays in headless Debian Chromium's `<video>` element: every
 * frame decoded, at the recorded size and duration, and the last frame on
 * screen matching the source.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createContainer, serve } from 'rfbcast';
import { ClockToken } from 'rfbcast/testing';

import { useBlankPage } from './helpers/chromium-page';
import { psnr, rgbaToRgb } from './helpers/ffmpeg';
import { ManualClock } from './helpers/manual-clock';
import { until } from './helpers/viewer';
import { movingPattern } from '../src/scenes/patterns';

const W = 320;
const H = 180;
const FRAMES = 24;
const INTERVALS_MS = [33, 47, 21, 100, 66];

interface Playback {
  error: string | null;
  width: number;
  height: number;
  duration: number;
  frames: number;
  /** The last frame as drawn on a canvas, RGBA in base64. */
  last: string;
}

describe('a recording in Chromium', () => {
  const chromium = useBlankPage();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rfbcast-recording-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plays in a <video> element: every frame, at its size, to the end', async () => {
    const clock = new ManualClock();
    const container = createContainer();
    container.register(ClockToken, { useValue: clock });
    const display = await serve(W, H, { port: 0, container, fps: 10 });
    const path = join(dir, 'chromium.mp4');
    const rec = display.record(path);
    let durationMs = 0;
    for (let i = 0; i < FRAMES; i++) {
      const step = INTERVALS_MS[i % INTERVALS_MS.length];
      clock.advance(step);
      if (i > 0) durationMs += step;
      display.publish({ data: movingPattern(W, H, 2 * i), width: W, height: H, pixelFormat: 'rgba', memory: 'host' });
      await until(() => rec.metrics().frames === i + 1, 10_000, 'the recording to write the frame');
    }
    await rec.stop();
    await display.close();

    const report = await chromium.page.evaluate(async (b64: string): Promise<Playback> => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const video = document.createElement('video');
      video.muted = true;
      video.src = URL.createObjectURL(new Blob([bytes], { type: 'video/mp4' }));
      document.body.append(video);
      const error = await new Promise<string | null>((resolve) => {
        video.onended = () => resolve(null);
        video.onerror = () => resolve(video.error?.message || `MediaError ${video.error?.code}`);
        video.play().catch((e: unknown) => resolve(String(e)));
      });
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      ctx.drawImage(video, 0, 0);
      const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let last = '';
      for (let i = 0; i < rgba.length; i += 0x8000) last += String.fromCharCode(...rgba.subarray(i, i + 0x8000));
      return {
        error,
        width: video.videoWidth,
        height: video.videoHeight,
        duration: video.duration,
        frames: video.getVideoPlaybackQuality().totalVideoFrames,
        last: btoa(last),
      };
    }, readFileSync(path).toString('base64'));

    expect(report).toMatchObject({ error: null, width: W, height: H, frames: FRAMES });
    // The last sample lasts one frame interval of the stream (1/10 s).
    expect(report.duration).toBeCloseTo(durationMs / 1000 + 0.1, 2);
    const shown = rgbaToRgb(Buffer.from(report.last, 'base64'));
    expect(psnr(shown, rgbaToRgb(movingPattern(W, H, 2 * (FRAMES - 1))))).toBeGreaterThanOrEqual(38);
  });
});
