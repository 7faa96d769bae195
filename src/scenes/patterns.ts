/**
 * Deterministic RGBA test patterns, shared by the demo, `rfbcast serve
 * --pattern`, the benchmarks and the tests.
 */
/**
 * Gradients plus a bright box whose position depends on the frame index: real
 * motion for an encoder, with smooth areas and sharp edges.
 */
export function movingPattern(width: number, height: number, index: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  const boxW = Math.max(1, Math.floor(width / 8));
  const boxH = Math.max(1, Math.floor(height / 8));
  const bx = (index * 16) % Math.max(1, width - boxW);
  const by = (index * 9) % Math.max(1, height - boxH);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inBox = x >= bx && x < bx + boxW && y >= by && y < by + boxH;
      data[o] = inBox ? 255 : (x * 255) / width;
      data[o + 1] = inBox ? 220 : (y * 255) / height;
      data[o + 2] = inBox ? 40 : (x + y + index * 4) & 255;
      data[o + 3] = 255;
    }
  }
  return data;
}
