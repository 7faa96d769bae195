import { allocateFrame, createFrame, FrameError, i420Frame, nv12Frame, rgbaFrame } from 'rfbcast';
import { cropFrame, toFrame } from '../src/core/frame';

function expectFrameError(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FrameError);
  expect((caught as FrameError).code).toBe('ERR_RFBCAST_FRAME');
  expect((caught as Error).message).toMatch(message);
}

describe('frame constructors', () => {
  it('accepts a packed RGBA buffer and resolves its stride', () => {
    const f = rgbaFrame(new Uint8Array(4 * 3 * 2), 3, 2);
    expect(f).toMatchObject({ width: 3, height: 2, pixelFormat: 'rgba', memory: 'host', stride: 12 });
  });

  it('views Buffer, Uint8ClampedArray and ArrayBuffer without copying', () => {
    const ab = new ArrayBuffer(16);
    expect(rgbaFrame(ab, 2, 2).data.buffer).toBe(ab);
    const clamped = new Uint8ClampedArray(ab);
    expect(rgbaFrame(clamped, 2, 2).data.buffer).toBe(ab);
    expect(rgbaFrame(Buffer.alloc(16), 2, 2).data.byteLength).toBe(16);
  });

  it('accepts a padded stride and an unpadded last row', () => {
    expect(rgbaFrame(new Uint8Array(20 * 2), 4, 2, { stride: 20 }).stride).toBe(20);
    expect(rgbaFrame(new Uint8Array(20 + 16), 4, 2, { stride: 20 }).stride).toBe(20);
  });

  it.each([
    [{ width: 0, height: 2 }, /width must be a positive integer, got 0/],
    [{ width: 2.5, height: 2 }, /width must be a positive integer, got 2.5/],
    [{ width: 2, height: -1 }, /height must be a positive integer, got -1/],
    [{ width: 2, height: Number.NaN }, /height must be a positive integer, got NaN/],
    [{ width: 20000, height: 2 }, /width 20000 exceeds the maximum of 16384/],
  ])('rejects bad dimensions %j', (dims, message) => {
    expectFrameError(() => createFrame({ ...dims, data: new Uint8Array(16) }), message);
  });

  it('rejects an unknown pixel format, naming the known ones', () => {
    expectFrameError(
      () => createFrame({ width: 2, height: 2, pixelFormat: 'argb' as never, data: new Uint8Array(16) }),
      /unknown pixel format 'argb' \(expected one of rgba, bgra, rgb24, nv12, i420\)/,
    );
  });

  it('rejects odd sizes for NV12 and I420', () => {
    expectFrameError(() => nv12Frame(new Uint8Array(15 * 2 * 2), 15, 2), /nv12 needs an even width and height, got 15x2/);
    expectFrameError(() => i420Frame(new Uint8Array(100), 4, 3), /i420 needs an even width and height, got 4x3/);
  });

  it('rejects a short or long buffer with the expected length', () => {
    expectFrameError(() => rgbaFrame(new Uint8Array(15), 2, 2), /rgba 2x2 with stride 8 needs 16 bytes, got 15/);
    expectFrameError(() => rgbaFrame(new Uint8Array(17), 2, 2), /needs 16 bytes, got 17/);
    expectFrameError(
      () => rgbaFrame(new Uint8Array(100), 4, 2, { stride: 20 }),
      /rgba 4x2 with stride 20 needs 36 to 40 bytes, got 100/,
    );
    expectFrameError(() => nv12Frame(new Uint8Array(4 * 4), 4, 4), /nv12 4x4 with stride 4 needs 24 bytes, got 16/);
    expectFrameError(() => i420Frame(new Uint8Array(25), 4, 4), /i420 4x4 with stride 4 needs 24 bytes, got 25/);
  });

  it('rejects a bad stride', () => {
    expectFrameError(() => rgbaFrame(new Uint8Array(64), 4, 2, { stride: 12 }), /stride 12 is less than a rgba row of 4 pixels \(16 bytes\)/);
    expectFrameError(() => rgbaFrame(new Uint8Array(64), 4, 2, { stride: 16.5 }), /stride must be an integer, got 16.5/);
    expectFrameError(() => nv12Frame(new Uint8Array(5 * 6), 4, 4, { stride: 5 }), /nv12 stride must be even, got 5/);
  });

  it('rejects data that is not bytes, and a non-host frame without a handle', () => {
    expectFrameError(
      () => createFrame({ width: 2, height: 2, data: [1, 2, 3] as never }),
      /host frame data must be a Uint8Array, Buffer, Uint8ClampedArray or ArrayBuffer/,
    );
    expectFrameError(() => createFrame({ width: 2, height: 2, data: new Uint16Array(8) as never }), /host frame data must be/);
    expectFrameError(() => createFrame({ width: 2, height: 2, memory: 'metal', data: null as never }), /a metal frame needs its handle in 'data'/);
    expectFrameError(() => createFrame({ width: 2, height: 2, memory: '' as never, data: {} }), /memory must be a non-empty string/);
  });

  it('rejects a bad pixel ratio or colour descriptor', () => {
    expectFrameError(() => rgbaFrame(new Uint8Array(16), 2, 2, { pixelRatio: 0 }), /pixelRatio must be a positive finite number, got 0/);
    expectFrameError(() => rgbaFrame(new Uint8Array(16), 2, 2, { pixelRatio: Infinity }), /pixelRatio must be a positive finite number/);
    expectFrameError(() => rgbaFrame(new Uint8Array(16), 2, 2, { color: 'p3' as never }), /color must be a colour descriptor object/);
  });

  it('rejects a non-object frame', () => {
    expectFrameError(() => createFrame(null as never), /a frame must be an object/);
  });

  it('keeps a GPU frame handle as is', () => {
    const handle = { id: 1 };
    const f = createFrame({ width: 4, height: 2, memory: 'metal', pixelFormat: 'bgra', data: handle });
    expect(f.data).toBe(handle);
    expect(f.stride).toBeUndefined();
  });
});

describe('toFrame', () => {
  it('takes bare RGBA bytes at the display size', () => {
    const f = toFrame(new Uint8ClampedArray(2 * 2 * 4), 2, 2, { pixelRatio: 2 });
    expect(f).toMatchObject({ width: 2, height: 2, pixelFormat: 'rgba', pixelRatio: 2 });
  });

  it('names a wrong-sized bare buffer', () => {
    expectFrameError(() => toFrame(new Uint8Array(10), 2, 2), /rgba 2x2 with stride 8 needs 16 bytes, got 10/);
  });

  it('rejects something that is neither a frame nor bytes', () => {
    expectFrameError(() => toFrame('pixels' as never, 2, 2), /expected a frame or an RGBA/);
  });

  it('validates a frame object and applies publish extras', () => {
    const f = toFrame({ ...allocateFrame('bgra', 4, 2) }, 99, 99, { pixelRatio: 1.5, color: undefined });
    expect(f).toMatchObject({ width: 4, height: 2, pixelFormat: 'bgra', pixelRatio: 1.5 });
    expect('color' in f).toBe(false);
  });
});

describe('cropFrame', () => {
  it('returns a smaller window sharing memory', () => {
    const f = allocateFrame('rgba', 5, 3);
    const c = cropFrame(f, 4, 2);
    expect(c).toMatchObject({ width: 4, height: 2, stride: 20 });
    expect(c.data.buffer).toBe(f.data.buffer);
    expect(c.data.byteLength).toBe(20 + 16);
  });

  it('refuses planar frames and larger windows', () => {
    expectFrameError(() => cropFrame(allocateFrame('nv12', 4, 4), 2, 2), /cannot crop a planar nv12 frame/);
    expectFrameError(() => cropFrame(allocateFrame('rgba', 4, 4), 6, 2), /crop 6x2 exceeds the frame 4x4/);
  });
});
