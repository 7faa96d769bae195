/**
 * The GPU path end to end on a Mac: render each frame with a Metal compute
 * kernel, convert it to NV12 on the GPU, encode it with VideoToolbox, and
 * write a playable Annex B .h264 file. With --check the file is decoded back
 * with ffmpeg and compared with the same pattern drawn on the CPU.
 *
 *   npm run build && node dist/examples/metal-vt-stream.js [--out metal.h264]
 *       [--frames 120] [--size 1280x720] [--check]
 *
 * On other systems it exits with a message saying what is missing.
 */
import 'reflect-metadata';

import { spawnSync } from 'node:child_process';
import { openSync, writeSync, closeSync } from 'node:fs';

import { metalOf, registryOf, type VtencEncoder } from '../src';
import { METAL_PATTERN_ENTRY, METAL_PATTERN_SOURCE } from '../src/scenes/metal-pattern';
import { movingPattern } from '../src/scenes/patterns';

/** The process-wide container's Metal. */
const metal = metalOf();

interface Options {
  out: string;
  frames: number;
  width: number;
  height: number;
  check: boolean;
}

function parse(argv: string[]): Options {
  const o: Options = { out: 'metal.h264', frames: 120, width: 1280, height: 720, check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') o.out = argv[++i];
    else if (a === '--frames') o.frames = Number(argv[++i]);
    else if (a === '--size') [o.width, o.height] = argv[++i].split('x').map(Number);
    else if (a === '--check') o.check = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.frames) || o.frames < 1) throw new Error('--frames must be a positive integer');
  return o;
}

/** Why this machine cannot run the example, or undefined. */
async function missing(): Promise<string | undefined> {
  const probe = await registryOf().probe('vtenc');
  const reasons = [
    ...(probe.available ? [] : [`vtenc: ${probe.reason}`]),
    ...(metal.available() ? [] : [`Metal: ${metal.unavailableReason()}`]),
  ];
  return reasons.length ? reasons.join('; ') : undefined;
}

async function encode(o: Options): Promise<void> {
  const enc = (await registryOf().create('vtenc', { width: o.width, height: o.height, memory: 'metal' })) as VtencEncoder;
  const render = metal.kernel(METAL_PATTERN_SOURCE, METAL_PATTERN_ENTRY);
  const rgba = metal.frame({ width: o.width, height: o.height });
  const nv12 = metal.frame({ width: o.width, height: o.height, pixelFormat: 'nv12' });
  const file = openSync(o.out, 'w');
  try {
    for (let i = 0; i < o.frames; i++) {
      await render.run(rgba, [i]);
      await metal.rgbToNv12(rgba, nv12);
      for (const p of await enc.encode(nv12, { timestampUs: Math.round((i * 1e6) / 30), forceKeyframe: i === 0 })) {
        writeSync(file, p.data);
      }
    }
  } finally {
    closeSync(file);
    await enc.close();
  }
  process.stdout.write(`wrote ${o.frames} frames of ${o.width}x${o.height} H.264 to ${o.out} (codec ${enc.codec})\n`);
}

/** Decodes the file with ffmpeg and compares every frame with the CPU-drawn pattern. */
function check(o: Options): boolean {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'h264', '-i', o.out, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 1 << 31,
  });
  if (r.status !== 0) {
    process.stderr.write(`ffmpeg could not decode ${o.out}: ${r.stderr.toString()}\n`);
    return false;
  }
  const size = o.width * o.height * 3;
  const decoded = r.stdout.length / size;
  let worst = Infinity;
  for (let i = 0; i < decoded; i++) {
    const want = movingPattern(o.width, o.height, i);
    let sum = 0;
    for (let p = 0, q = i * size; p < want.length; p += 4, q += 3) {
      for (let c = 0; c < 3; c++) sum += (r.stdout[q + c] - want[p + c]) ** 2;
    }
    worst = Math.min(worst, 10 * Math.log10((255 * 255) / Math.max(sum / size, 1e-9)));
  }
  const ok = decoded === o.frames && worst > 30;
  process.stdout.write(`check: ffmpeg decoded ${decoded}/${o.frames} frames, worst PSNR ${worst.toFixed(1)} dB: ${ok ? 'ok' : 'FAILED'}\n`);
  return ok;
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const why = await missing();
  if (why) {
    process.stderr.write(`metal-vt-stream needs macOS with VideoToolbox and Metal; here: ${why}\n`);
    process.exit(1);
  }
  await encode(o);
  if (o.check && !check(o)) process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`metal-vt-stream failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
