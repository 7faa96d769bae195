/**
 * The frames a backend's probe encodes: small, cheap to make, and different
 * from one index to the next (so a video encoder sees motion, not a repeat),
 * with no dependency on any scene. Public, for plugin authors' probes.
 */
import { type HostFrame, rgbaFrame } from './frame';

/** A `size` x `size` RGBA frame: diagonal gradients shifted by `index`. */
export function probeFrame(size = 64, index = 0): HostFrame {
  const data = new Uint8Array(size * size * 4);
  for (let y = 0, o = 0; y < size; y++) {
    for (let x = 0; x < size; x++, o += 4) {
      data[o] = (x * 4 + index * 8) & 255;
      data[o + 1] = (y * 4) & 255;
      data[o + 2] = ((x + y) * 2) & 255;
      data[o + 3] = 255;
    }
  }
  return rgbaFrame(data, size, size) as HostFrame;
}
