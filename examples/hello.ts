// Serves an animated scene at http://127.0.0.1:8765/ and logs pointer events.
// Run: npm run build && node dist/examples/hello.js
import { isPointerEvent, serve } from 'rfbcast';

async function main(): Promise<void> {
  const width = 640;
  const height = 360;
  const display = await serve(width, height, { port: Number(process.env.PORT ?? 8765) });
  console.log(`open http://127.0.0.1:${new URL(display.url).port}/`);

  let t = 0;
  setInterval(() => {
    // A fresh buffer per frame (rfbcast borrows published frames), written
    // byte by byte: no array or object per pixel.
    const frame = new Uint8Array(width * height * 4);
    for (let y = 0, o = 0; y < height; y++) {
      const g = (y + 2 * t) & 255;
      for (let x = 0; x < width; x++, o += 4) {
        frame[o] = (x + t) & 255;
        frame[o + 1] = g;
        frame[o + 2] = 128;
        frame[o + 3] = 255;
      }
    }
    display.publish(frame);
    t += 2;
  }, 1000 / 30);

  for await (const { viewer, event } of display.events()) {
    if (isPointerEvent(event)) console.log(viewer.slice(0, 6), event.type, event.x, event.y);
  }
}

void main();
