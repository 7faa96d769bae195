/**
 * The demo's GPU scene on a Mac: the moving pattern drawn by a Metal compute
 * kernel (metal-pattern.ts) into a shared-storage buffer, then copied row by
 * row into the frame the demo publishes. Where Metal is unavailable there is
 * no such scene.
 */
import type { Metal, MetalFrame } from '../metal/metal';
import { METAL_PATTERN_ENTRY, METAL_PATTERN_SOURCE } from './metal-pattern';
import type { Scene } from './scene';

export function metalScene(metal: Metal): Scene | undefined {
  if (!metal.available()) return undefined;
  const kernel = metal.kernel(METAL_PATTERN_SOURCE, METAL_PATTERN_ENTRY);
  let target: MetalFrame | undefined;
  return {
    name: 'metal_shader',
    animated: true,
    async render(out, width, height, index) {
      if (target?.width !== width || target.height !== height) target = metal.frame({ width, height });
      await kernel.run(target, [index]);
      // A view of the shared buffer (its rows may be padded), valid until the next run.
      const { data, stride } = await metal.download(target, ['rgba']);
      for (let y = 0; y < height; y++) out.set(data.subarray(y * stride, y * stride + width * 4), y * width * 4);
    },
  };
}
