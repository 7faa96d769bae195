import { eventTimestamp, fitRect, mapButton, mapButtons, mapModifiers, toFramePoint, wheelDelta } from '../src/wire';

describe('client event mapping (conformance 32)', () => {
  it('maps DOM buttons -1/0/1/2/3/4 to 0/1/3/2/4/5', () => {
    expect([-1, 0, 1, 2, 3, 4].map(mapButton)).toEqual([0, 1, 3, 2, 4, 5]);
    expect(mapButton(7)).toBe(0);
  });

  it('maps a buttons mask to an ordered list', () => {
    expect(mapButtons(31)).toEqual([1, 2, 3, 4, 5]);
    expect(mapButtons(5)).toEqual([1, 3]);
    expect(mapButtons(0)).toEqual([]);
  });

  it('orders modifiers Shift, Control, Alt, Meta', () => {
    expect(mapModifiers({ metaKey: true, altKey: true, ctrlKey: true, shiftKey: true })).toEqual(['Shift', 'Control', 'Alt', 'Meta']);
    expect(mapModifiers({ metaKey: true, altKey: false, ctrlKey: true, shiftKey: false })).toEqual(['Control', 'Meta']);
  });

  it('scales line-mode wheel deltas by 16 and page mode by the canvas size', () => {
    expect(wheelDelta({ deltaX: 1, deltaY: -3, deltaMode: 1 }, 640, 480)).toEqual({ dx: 16, dy: -48 });
    expect(wheelDelta({ deltaX: 0.5, deltaY: 1, deltaMode: 2 }, 640, 480)).toEqual({ dx: 320, dy: 480 });
    expect(wheelDelta({ deltaX: 2, deltaY: 7, deltaMode: 0 }, 640, 480)).toEqual({ dx: 2, dy: 7 });
  });

  it('takes timestamp = timeStamp / 1000', () => {
    expect(eventTimestamp(1234.5)).toBe(1.2345);
  });
});

describe('frame-pixels coordinate mapping (conformance 33)', () => {
  it('contain: a 16:9 frame in a 640x480 canvas draws 640x360 at dy 60; the top bar is outside', () => {
    expect(fitRect('contain', 1280, 720, 640, 480)).toEqual({ dx: 0, dy: 60, dw: 640, dh: 360 });
    const css = { width: 640, height: 480 };
    const top = toFramePoint('contain', { ...css, x: 100, y: 30 }, css, { width: 1280, height: 720 });
    expect(top.inside).toBe(false);
    expect(top.y).toBeCloseTo(-60);
    const mid = toFramePoint('contain', { ...css, x: 320, y: 240 }, css, { width: 1280, height: 720 });
    expect(mid).toEqual({ x: 640, y: 360, inside: true });
  });

  it('cover: an 800x600 frame in a 1280x720 canvas draws 1280x960 at dy -120', () => {
    expect(fitRect('cover', 800, 600, 1280, 720)).toEqual({ dx: 0, dy: -120, dw: 1280, dh: 960 });
  });

  it('fill stretches each axis, and the backing scale cancels out', () => {
    const p = toFramePoint('fill', { x: 100, y: 100, width: 200, height: 400 }, { width: 400, height: 800 }, { width: 50, height: 50 });
    expect(p).toEqual({ x: 25, y: 12.5, inside: true });
  });

  it('before the first draw: x = y = 0 and inside false', () => {
    expect(toFramePoint('contain', { x: 10, y: 10, width: 100, height: 100 }, { width: 100, height: 100 }, { width: 0, height: 0 })).toEqual({
      x: 0,
      y: 0,
      inside: false,
    });
  });

  it('does not clamp points outside the frame', () => {
    const p = toFramePoint('contain', { x: 700, y: 240, width: 640, height: 480 }, { width: 640, height: 480 }, { width: 640, height: 480 });
    expect(p.x).toBe(700);
    expect(p.inside).toBe(false);
  });
});
