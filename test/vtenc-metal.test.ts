/** The Metal API (metal.available/frame/rgbToNv12/toHostRgb/kernel) over a fake binding, and its reasons. */
import { ConversionError, createFrame, FrameError, type HostFrame, Metal, metalOf, NativeAddonError } from 'rfbcast';
import { MetalBindingToken } from 'rfbcast/testing';

import { fakeMac, fakeMetalBinding } from './helpers/fake-apple';

/** The process-wide container's Metal. */
const metal = metalOf();

function apiWith(patch: Partial<ReturnType<typeof fakeMetalBinding>> = {}, platform: NodeJS.Platform = 'darwin'): Metal {
  const { c } = fakeMac({}, platform);
  const binding = Object.assign(fakeMetalBinding(), patch);
  c.register(MetalBindingToken, { useValue: () => binding });
  return c.resolve(Metal);
}

describe('metal availability', () => {
  (process.platform === 'darwin' ? it.skip : it)('the package\'s metal is unavailable here: not macOS', () => {
    expect(metal.available()).toBe(false);
    expect(metal.unavailableReason()).toBe('not macOS');
    expect(() => metal.frame({ width: 4, height: 4 })).toThrow(NativeAddonError);
    expect(() => metal.frame({ width: 4, height: 4 })).toThrow('Metal is unavailable: not macOS');
  });

  it('names why: built without Metal, no device, or an addon that does not load', () => {
    expect(apiWith({ features: () => ({ metal: false }) }).unavailableReason()).toBe('built without Metal');
    expect(apiWith({ metalAvailable: () => ({ available: false, reason: 'no Metal device' }) }).unavailableReason()).toBe('no Metal device');
    const { c } = fakeMac();
    c.register(MetalBindingToken, { useValue: () => { throw new NativeAddonError('the rfbcast native addon is not built'); } });
    expect(c.resolve(Metal).unavailableReason()).toBe('the rfbcast native addon is not built');
    expect(apiWith().available()).toBe(true);
  });
});

describe('metal frames', () => {
  const api = apiWith();

  it('are RawFrames with memory "metal" and a handle whose contents the CPU can write', () => {
    const f = api.frame({ width: 6, height: 4, pixelFormat: 'bgra', pixelRatio: 2 });
    expect(f).toMatchObject({ width: 6, height: 4, pixelFormat: 'bgra', memory: 'metal', pixelRatio: 2 });
    expect(api.isMetalFrame(f)).toBe(true);
    expect(f.data.stride).toBeGreaterThanOrEqual(24);
    expect(f.data.contents.length).toBeGreaterThanOrEqual(f.data.stride * 4);
  });

  it('validate their geometry and format before allocating', () => {
    expect(() => api.frame({ width: 5, height: 4, pixelFormat: 'nv12' })).toThrow('nv12 needs an even width and height, got 5x4');
    expect(() => api.frame({ width: 4, height: 4, pixelFormat: 'i420' as never })).toThrow(FrameError);
    expect(() => api.frame({ width: 0, height: 4 })).toThrow('width must be a positive integer, got 0');
  });

  it('convert to NV12 only from rgba/bgra, between frames of one size', async () => {
    const rgba = api.frame({ width: 4, height: 4 });
    const nv12 = await api.rgbToNv12(rgba);
    expect(nv12).toMatchObject({ pixelFormat: 'nv12', memory: 'metal', width: 4, height: 4 });
    await expect(api.rgbToNv12(nv12)).rejects.toThrow('rgbToNv12 converts an rgba or bgra Metal frame into an nv12 one, not nv12 -> nv12');
    await expect(api.rgbToNv12(rgba, api.frame({ width: 8, height: 4, pixelFormat: 'nv12' }))).rejects.toThrow(/differ/);
    const host = createFrame({ data: new Uint8Array(64), width: 4, height: 4 });
    await expect(api.rgbToNv12(host)).rejects.toThrow('expected a Metal frame, got a host frame');
  });

  it('download to host RGB (bgra swizzled, alpha kept) and refuse what cannot be downloaded', async () => {
    const bgra = api.frame({ width: 2, height: 1, pixelFormat: 'bgra' });
    bgra.data.contents.set([10, 20, 30, 40, 50, 60, 70, 80]);
    const rgba = await api.toHostRgb(bgra);
    expect(rgba).toMatchObject({ memory: 'host', pixelFormat: 'rgba', stride: 8 });
    expect([...rgba.data]).toEqual([30, 20, 10, 40, 70, 60, 50, 80]);
    expect([...(await api.toHostRgb(bgra, 'rgb24')).data]).toEqual([30, 20, 10, 70, 60, 50]);
    await expect(api.toHostRgb(bgra, 'i420' as never)).rejects.toThrow("toHostRgb writes rgba or rgb24, not 'i420'");
    await expect(api.download(bgra, ['nv12', 'i420'])).rejects.toThrow('cannot download a bgra Metal frame as any of nv12, i420');
    const view: HostFrame = await api.download(bgra, ['bgra']);
    expect(view.data.buffer).toBe(bgra.data.contents.buffer);
  });

  it('wrap GPU failures as ConversionError', async () => {
    const failing = apiWith({
      metalRgbToNv12: () => Promise.reject(new Error('command buffer error')),
      MetalKernel: class {
        constructor() {
          throw new Error('Metal shader compile failed: syntax error');
        }
      } as never,
    });
    const frame = failing.frame({ width: 4, height: 4 });
    await expect(failing.rgbToNv12(frame)).rejects.toThrow(ConversionError);
    await expect(failing.rgbToNv12(frame)).rejects.toThrow('Metal RGB -> NV12 failed: command buffer error');
    expect(() => failing.kernel('kernel void k(', 'k')).toThrow("Metal kernel 'k' did not compile: Metal shader compile failed: syntax error");
  });
});
