// Serves an animated scene at http://127.0.0.1:8765/ and logs pointer events.
// Run: npm run build && node dist/examples/hello.js
import { serve } from 'rfbcast';

async function main(): Promise<void> {
  const width = 640;
  const height = 360;
  const display = await serve(width, height, { port: Number(process.env.PORT ?? 8765) });
  console.log(`open http://127.0.0.1:${new URL(display.url).port}/`);

  let t = 0;
  setInterval(() => {
    const frame = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      const x = i % width;
      const y = (i / width) | 0;
      frame.set([(x + t) & 255, (y + 2 * t) & 255, 128, 255], i * 4);
    }
    display.publish(frame);
    t += 2;
  }, 1000 / 30);

  for await (const { viewer, event } of display.events()) {
    if (event.type.startsWith('pointer_')) console.log(viewer.slice(0, 6), event);
  }
}

void main();
