/**
 * Standalone use of the libx264 backend, no server: encodes the moving test
 * pattern into a raw H.264 (Annex B) file that any player opens.
 *
 *   node dist/examples/encode-to-file.js [out.h264] [frames=150] [WIDTHxHEIGHT=1280x720]
 *   ffplay out.h264   (or: ffmpeg -i out.h264 -c copy out.mp4)
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

import { rgbaFrame, X264Encoder } from '../src';
import { movingPattern } from '../src/scenes/patterns';

async function main(): Promise<void> {
  const [path = 'out.h264', count = '150', size = '1280x720'] = process.argv.slice(2);
  const [width, height] = size.split('x').map(Number);
  const frames = Number(count);
  const fps = 30;
  const encoder = new X264Encoder({ width, height, fps, bitrate: 4_000_000 });
  const out = createWriteStream(path);
  for (let i = 0; i < frames; i++) {
    const frame = rgbaFrame(movingPattern(width, height, i), width, height);
    for (const au of await encoder.encode(frame, { timestampUs: Math.floor((i * 1e6) / fps) })) {
      if (!out.write(au.data)) await once(out, 'drain');
    }
  }
  await encoder.close();
  out.end();
  await once(out, 'finish');
  process.stdout.write(`wrote ${frames} frames of ${width}x${height} H.264 (${encoder.codec}) to ${path}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
