/**
 * Input events narrow in TypeScript through the exported guards (this file is
 * type-checked by `npm test`: a guard that did not narrow would not compile),
 * and custom events stay apart from the vocabulary.
 */
import { type InputEvent, isCustomEvent, isEventOfType, isKeyEvent, isPointerEvent } from 'rfbcast';

const down: InputEvent = { type: 'pointer_down', x: 3, y: 4, inside: true, pixel_ratio: 1, button: 1, buttons: [1], modifiers: [], timestamp: 0 };
const key: InputEvent = { type: 'key_down', key: 'a', code: 'KeyA', modifiers: [], timestamp: 0 };
const custom: InputEvent = { type: 'laser', power: 3 };

it('narrows vocabulary events to their interfaces', () => {
  const xs: number[] = [];
  for (const e of [down, key, custom]) {
    if (isEventOfType(e, 'pointer_down')) xs.push(e.x + e.y);
    if (isPointerEvent(e)) xs.push(e.button);
    if (isKeyEvent(e)) xs.push(e.key.length);
    if (isEventOfType(e, 'wheel', 'key_up')) xs.push(-1);
  }
  expect(xs).toEqual([7, 1, 1]);
});

it('keeps custom events apart', () => {
  expect([down, key, custom].filter(isCustomEvent)).toEqual([custom]);
  expect(isCustomEvent({ type: 'resize', width: 1, height: 1, pwidth: 1, pheight: 1, ratio: 1 })).toBe(false);
  const e = custom;
  if (isCustomEvent(e)) expect(e.power).toBe(3);
});
