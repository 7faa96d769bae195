/**
 * The demo's scenes and the publisher that drives them, in process: the Metal
 * shader scene exists only where Metal does and (with the fake Metal binding
 * on Linux, whose kernel draws the moving pattern into padded rows) reaches a
 * real viewer pixel for pixel through a real server; a scene that renders
 * asynchronously never has two frames in the works, and a failed render is
 * logged without stopping the stream. The benchmark feeds `vtenc:metal`
 * Metal frames, so the encoder converts them on the GPU.
 */
import { Metal, serve } from 'rfbcast';

import { benchmark } from '../src/cli/benchmark';
import { ScenePublisher } from '../src/cli/publisher';
import { demoScenes } from '../src/scenes/demo-scenes';
import { movingPattern } from '../src/scenes/patterns';
import type { Scene } from '../src/scenes/scene';
import { fakeMac, fakeMetalBinding } from './helpers/fake-apple';
import { decodeToRaw, rgbaToRgb } from './helpers/ffmpeg';
import { captureLogger, type LogRecord } from './helpers/log-capture';
import { TestViewer } from './helpers/viewer';

jest.setTimeout(60_000);

const fakeMetal = (platform: NodeJS.Platform) => new Metal(() => fakeMetalBinding(), platform);

const teardown: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

/**
 * A real server publishing `scene` through the demo's ScenePublisher to a
 * PNG-only viewer, once that viewer has 3 frames; torn down after the test.
 */
async function publishToViewer(scene: Scene, w: number, h: number, fps: number): Promise<{ v: TestViewer; records: LogRecord[] }> {
  const display = await serve(w, h, { port: 0 });
  teardown.push(() => display.close());
  const { logger, records } = captureLogger();
  const v = (await TestViewer.connect(display.url, ['image/png'])).autoAck();
  teardown.push(() => v.ws.terminate());
  await v.waitFor((x) => x.texts.length > 0, 20_000, 'config');
  const publisher = new ScenePublisher(display, scene, w, h, fps, logger);
  teardown.push(() => publisher.stop());
  publisher.start();
  await v.waitForFrames(3, 20_000);
  return { v, records };
}

describe('the Metal shader scene', () => {
  it('is listed only where Metal is available', () => {
    expect(Object.keys(demoScenes())).not.toContain('metal_shader');
    expect(Object.keys(demoScenes(fakeMetal('linux')))).not.toContain('metal_shader');
    expect(Object.keys(demoScenes(fakeMetal('darwin')))).toEqual(['test_card', 'bouncing_box', 'gradient', 'plasma', 'checkerboard', 'paint', 'metal_shader']);
  });

  it('copies the kernel output out of the padded Metal rows, at every size', async () => {
    const scene = demoScenes(fakeMetal('darwin')).metal_shader;
    for (const [w, h, index] of [[30, 20, 3], [64, 48, 7], [30, 20, 8]]) {
      const out = new Uint8Array(w * h * 4);
      await scene.render(out, w, h, index);
      expect(Buffer.compare(out, movingPattern(w, h, index))).toBe(0);
    }
  });

  it('streams through the demo publisher to a real viewer, pixel for pixel', async () => {
    const [w, h] = [96, 64];
    const { v, records } = await publishToViewer(demoScenes(fakeMetal('darwin')).metal_shader, w, h, 20);
    // Which index a frame shows depends on timing: it must be one of the pattern's frames exactly.
    const rgb = decodeToRaw(v.frames[2].payload, { fileName: 'f.png' });
    const match = Array.from({ length: 400 }, (_, i) => i).find((i) => Buffer.compare(rgb, rgbaToRgb(movingPattern(w, h, i))) === 0);
    expect(match).toBeDefined();
    expect(records).toEqual([]);
  });
});

describe('ScenePublisher with a scene that renders asynchronously', () => {
  it('renders one frame at a time, and a failed render is logged while the stream goes on', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow: Scene = {
      name: 'slow',
      animated: true,
      async render(out, _w, _h, index) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // Slower than the 100 fps ticks, so ticks find it busy.
        await new Promise((r) => setTimeout(r, 40));
        inFlight--;
        if (index === 1) throw new Error('GPU lost');
        out.fill(index & 255);
      },
    };
    const { v, records } = await publishToViewer(slow, 32, 16, 100);
    expect(maxInFlight).toBe(1);
    expect(records).toEqual([expect.objectContaining({ msg: 'scene render failed', scene: 'slow', err: expect.objectContaining({ message: 'GPU lost' }) })]);
    // Frame 1 failed and was never published; the others arrive in order.
    const values = v.frames.slice(0, 3).map((f) => decodeToRaw(f.payload, { fileName: 'f.png' })[0]);
    expect(values).not.toContain(1);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
  });
});

describe('rfbcast benchmark on a (fake) Mac', () => {
  it('adds a vtenc:metal row to the available backends; only that row converts on the GPU', async () => {
    const mac = fakeMac();
    const rows = await benchmark(
      { sizes: [[64, 48]], frames: 3, fps: 30, bitrate: 2_000_000, pattern: 'gradient', jpegQuality: 80, progress: false },
      mac.c,
    );
    expect(rows.map((r) => r.backend).sort()).toEqual(['image:jpeg', 'image:png', 'image:webp', 'libx264', 'vtenc', 'vtenc:metal']);
    // Three warm-up and three timed frames, all of the vtenc:metal row's, went through the GPU conversion.
    expect(mac.metal.conversions).toBe(6);
    for (const r of rows) {
      expect(r.frames).toBe(3);
      expect(typeof r.psnrDb).toBe('number');
    }
  });
});
