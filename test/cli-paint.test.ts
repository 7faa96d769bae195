/**
 * The demo's paint scene end to end: `rfbcast demo` runs as a user would
 * start it, a protocol-level viewer that advertises only PNG (so every frame
 * decodes exactly) switches to the paint scene, drags the pointer along a
 * line in frame pixels, and ffmpeg decodes what the server sent back: the
 * paint colour lies along the drag and nowhere else; a key clears it.
 */
import { PAINT_RGB } from '../src/scenes/demo-scenes';
import { type RunningCli, startCli } from './helpers/cli';
import { decodeToRaw } from './helpers/ffmpeg';
import { TestViewer } from './helpers/viewer';

const W = 320;
const H = 180;
const BACKGROUND = 245;
const A = { x: 40, y: 40 };
const B = { x: 280, y: 140 };

jest.setTimeout(60_000);

interface Picture {
  seq: number;
  rgb: Buffer;
}

/** Decodes the newest frame each time one arrives until `accept` takes it. */
async function waitForPicture(v: TestViewer, accept: (p: Picture) => boolean, what: string, timeoutMs = 20_000): Promise<Picture> {
  let seen = 0;
  let found: Picture | undefined;
  await v.waitFor(
    () => {
      const frames = v.frames;
      if (frames.length === seen) return false;
      seen = frames.length;
      const newest = frames[frames.length - 1];
      expect(newest.header).toMatchObject({ type: 'image_frame', mime: 'image/png', width: W, height: H });
      const picture = { seq: Number(newest.header.seq), rgb: decodeToRaw(newest.payload, { fileName: 'frame.png' }) };
      if (accept(picture)) found = picture;
      return found !== undefined;
    },
    timeoutMs,
    what,
  );
  return found as Picture;
}

const pixel = (p: Picture, x: number, y: number) => [...p.rgb.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];
const isPaint = (p: Picture, x: number, y: number) => pixel(p, x, y).every((v, i) => v === PAINT_RGB[i]);
const isBlank = (p: Picture) => p.rgb.every((v) => v === BACKGROUND);

/** Distance from (x, y) to the segment A-B. */
function distanceToStroke(x: number, y: number): number {
  const [dx, dy] = [B.x - A.x, B.y - A.y];
  const t = Math.max(0, Math.min(1, ((x - A.x) * dx + (y - A.y) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (A.x + t * dx), y - (A.y + t * dy));
}

function pointer(type: string, x: number, y: number, buttons: number[]) {
  return { type: 'event', event: { type, x, y, inside: true, pixel_ratio: 1, button: 0, buttons, modifiers: [], timestamp: Date.now() } };
}

describe('rfbcast demo: the paint scene', () => {
  let cli: RunningCli;
  let v: TestViewer;

  beforeAll(async () => {
    cli = await startCli(['demo', '--port', '0', '--size', `${W}x${H}`, '--fps', '20']);
    v = (await TestViewer.connect(cli.url.replace(/^http/, 'ws'), ['image/png'])).autoAck();
    await v.waitForFrames(1, 20_000);
  });

  afterAll(async () => {
    v?.ws.terminate();
    await cli?.stop();
  });

  const showPaintScene = () => v.send({ type: 'event', event: { type: 'demo', action: 'scene', scene: 'paint' } });

  /** Drags from A to B and waits for the picture with the stroke's end painted. */
  function dragAtoB(): Promise<Picture> {
    v.send(pointer('pointer_down', A.x, A.y, [0]));
    const samples = 12;
    for (let i = 1; i <= samples; i++) {
      v.send(pointer('pointer_move', A.x + ((B.x - A.x) * i) / samples, A.y + ((B.y - A.y) * i) / samples, [0]));
    }
    v.send(pointer('pointer_up', B.x, B.y, []));
    return waitForPicture(v, (p) => isPaint(p, B.x, B.y), 'the stroke to reach its end');
  }

  it('paints where the pointer was dragged, and only there', async () => {
    showPaintScene();
    await waitForPicture(v, isBlank, 'the blank paint canvas');
    // Hovering (a move with no button down, and one without the optional fields) paints nothing.
    v.send(pointer('pointer_move', 300, 20, []));
    v.send({ type: 'event', event: { type: 'pointer_move', x: 10, y: 170 } });
    const painted = await dragAtoB();
    let count = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const d = distanceToStroke(x, y);
        const paint = isPaint(painted, x, y);
        if (paint) count++;
        else expect(pixel(painted, x, y)).toEqual([BACKGROUND, BACKGROUND, BACKGROUND]);
        if (d <= 1 && !paint) throw new Error(`(${x}, ${y}) lies on the drag but is ${pixel(painted, x, y).join(',')}`);
        if (d >= 6 && paint) throw new Error(`(${x}, ${y}) is ${d.toFixed(1)} px from the drag but painted`);
      }
    }
    // A stroke about 6 px wide along the whole drag.
    const length = Math.hypot(B.x - A.x, B.y - A.y);
    expect(count).toBeGreaterThan(length * 4);
    expect(count).toBeLessThan(length * 10);

    const status = (await (await fetch(`${cli.url}api/status`)).json()) as { scene: string; lastError: string };
    expect(status).toMatchObject({ scene: 'paint', lastError: '' });
  });

  it('any key clears the canvas', async () => {
    // Paint something first, so this test stands on its own.
    showPaintScene();
    await dragAtoB();
    v.send({ type: 'event', event: { type: 'key_down', key: 'c', code: 'KeyC', modifiers: [], timestamp: 1 } });
    const cleared = await waitForPicture(v, isBlank, 'the cleared canvas');
    expect(cleared.rgb.length).toBe(W * H * 3);
  });
});
