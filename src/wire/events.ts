/**
 * Input events (PROTOCOL.md §8): the vocabulary, the DOM -> wire mappings the
 * client applies, the `frame-pixels` coordinate contract, and the server's
 * per-field check of vocabulary events (§17 H4).
 */

/** A held modifier key. */
export type Modifier = 'Shift' | 'Control' | 'Alt' | 'Meta';

/** A pointer moved, or a button went down or up (§8.1). */
export interface PointerEvent {
  /** Which. */
  type: 'pointer_move' | 'pointer_down' | 'pointer_up';
  /** Horizontal position in frame pixels (a float; not clamped to the frame, see `inside`). */
  x: number;
  /** Vertical position in frame pixels. */
  y: number;
  /** Whether the point is over the drawn frame. */
  inside: boolean;
  /** The render device-pixel ratio last seen by the viewer (default 1). */
  pixel_ratio: number;
  /** The button that changed: 1 left, 2 right, 3 middle, 4 back, 5 forward, 0 none (§8.2). */
  button: number;
  /** The buttons held, in that numbering, ascending. */
  buttons: number[];
  /** The modifiers held, in the order Shift, Control, Alt, Meta. */
  modifiers: Modifier[];
  /** Seconds since the viewer's page loaded (DOM timeStamp / 1000). */
  timestamp: number;
}

/** The wheel turned over the view (§8.1). */
export interface WheelEvent {
  /** Always `wheel`. */
  type: 'wheel';
  /** Horizontal position in frame pixels (a float; not clamped to the frame, see `inside`). */
  x: number;
  /** Vertical position in frame pixels. */
  y: number;
  /** Whether the point is over the drawn frame. */
  inside: boolean;
  /** The render device-pixel ratio last seen by the viewer (default 1). */
  pixel_ratio: number;
  /** Horizontal scroll in CSS pixels (lines count 16, pages the view's width). */
  dx: number;
  /** Vertical scroll in CSS pixels (lines count 16, pages the view's height). */
  dy: number;
  /** The buttons held (see PointerEvent). */
  buttons: number[];
  /** The modifiers held. */
  modifiers: Modifier[];
  /** Seconds since the viewer's page loaded. */
  timestamp: number;
}

/** A key went down or up while the view had focus (§8.1). */
export interface KeyEvent {
  /** Which. */
  type: 'key_down' | 'key_up';
  /** The DOM `key`: the character or key name, layout-dependent (`a`, `A`, `Enter`). */
  key: string;
  /** The DOM `code`: the physical key (`KeyA`). */
  code: string;
  /** The modifiers held. */
  modifiers: Modifier[];
  /** Seconds since the viewer's page loaded. */
  timestamp: number;
}

/** The viewer's view changed size (made by the server from `set_viewport`, §4). */
export interface ResizeInputEvent {
  /** Always `resize`. */
  type: 'resize';
  /** Width in CSS pixels. */
  width: number;
  /** Height in CSS pixels. */
  height: number;
  /** Width in physical pixels. */
  pwidth: number;
  /** Height in physical pixels. */
  pheight: number;
  /** The device-pixel ratio. */
  ratio: number;
}

/** Events outside the vocabulary are passed through unchanged; tell them apart with isCustomEvent(). */
export interface OtherEvent {
  /** Its type, outside the vocabulary. */
  type: string;
  /** Its fields, as sent. */
  [field: string]: unknown;
}

/** The events of the vocabulary (§8), which narrow by `type`. */
export type VocabularyEvent = PointerEvent | WheelEvent | KeyEvent | ResizeInputEvent;
/** The `type` of a vocabulary event. */
export type VocabularyEventType = VocabularyEvent['type'];
/** The vocabulary event whose `type` is T (a PointerEvent for 'pointer_down', ...). */
export type EventOfType<T extends VocabularyEventType> = T extends unknown
  ? VocabularyEvent extends infer E
    ? E extends { type: infer U }
      ? T extends U
        ? E & { type: T }
        : never
      : never
    : never
  : never;

/**
 * What a viewer sends. Its `type` is any string (custom events pass through),
 * so TypeScript cannot narrow it by comparing `type`: narrow with
 * isEventOfType() / isCustomEvent() instead, e.g.
 * `if (isEventOfType(event, 'pointer_down')) use(event.x)`.
 */
export type InputEvent = VocabularyEvent | OtherEvent;

const VOCABULARY_TYPES: ReadonlySet<string> = new Set<VocabularyEventType>([
  'pointer_move', 'pointer_down', 'pointer_up', 'wheel', 'key_down', 'key_up', 'resize',
]);

/** True when `event` is a vocabulary event of one of `types`; narrows it to that event's interface. */
export function isEventOfType<T extends VocabularyEventType>(
  event: InputEvent,
  ...types: T[]
): event is EventOfType<T> {
  return (types as string[]).includes(event.type);
}

/** True for any pointer event (move, down, up). */
export const isPointerEvent = (event: InputEvent): event is PointerEvent =>
  isEventOfType(event, 'pointer_move', 'pointer_down', 'pointer_up');

/** True for key_down and key_up. */
export const isKeyEvent = (event: InputEvent): event is KeyEvent => isEventOfType(event, 'key_down', 'key_up');

/** True for an event outside the vocabulary (an application's own event). */
export function isCustomEvent(event: InputEvent): event is OtherEvent {
  return !VOCABULARY_TYPES.has(event.type);
}

// ---- DOM -> wire mappings (§8.2) ----

const BUTTONS: Record<number, number> = { 0: 1, 1: 3, 2: 2, 3: 4, 4: 5 };

/** DOM `button` -> wire button: 0->1, 1->3, 2->2, 3->4, 4->5, anything else -> 0. */
export const mapButton = (domButton: number): number => BUTTONS[domButton] ?? 0;

/** DOM `buttons` bitmask -> ordered list: bit 1->1, 2->2, 4->3, 8->4, 16->5. */
export function mapButtons(mask: number): number[] {
  const out: number[] = [];
  for (let bit = 0; bit < 5; bit++) if (mask & (1 << bit)) out.push(bit + 1);
  return out;
}

/** A DOM event's modifier flags, as the wire lists them. */
export function mapModifiers(e: { shiftKey: boolean; ctrlKey: boolean; altKey: boolean; metaKey: boolean }): Modifier[] {
  const out: Modifier[] = [];
  if (e.shiftKey) out.push('Shift');
  if (e.ctrlKey) out.push('Control');
  if (e.altKey) out.push('Alt');
  if (e.metaKey) out.push('Meta');
  return out;
}

/** Wheel deltas: pixels unchanged, lines x16, pages x the canvas CSS size. */
export function wheelDelta(
  e: { deltaX: number; deltaY: number; deltaMode: number },
  cssWidth: number,
  cssHeight: number,
): { dx: number; dy: number } {
  if (e.deltaMode === 1) return { dx: e.deltaX * 16, dy: e.deltaY * 16 };
  if (e.deltaMode === 2) return { dx: e.deltaX * cssWidth, dy: e.deltaY * cssHeight };
  return { dx: e.deltaX, dy: e.deltaY };
}

/** DOM `timeStamp` (ms) -> wire `timestamp` (s). */
export const eventTimestamp = (domTimeStamp: number): number => domTimeStamp / 1000;

// ---- the frame-pixels coordinate contract (§8.3, §12.1) ----

/** How the viewer fits the frame to its canvas (§12.1). */
export type Fit = 'contain' | 'cover' | 'fill';

/** Where a frame is drawn in the canvas's backing store. */
export interface DrawRect {
  dx: number;
  dy: number;
  dw: number;
  dh: number;
}

/** Where a frame is drawn in the backing store under a fit. */
export function fitRect(fit: Fit, frameW: number, frameH: number, backingW: number, backingH: number): DrawRect {
  let sx = frameW === 0 ? 1 : backingW / frameW;
  let sy = frameH === 0 ? 1 : backingH / frameH;
  if (fit === 'contain') sx = sy = Math.min(sx, sy);
  else if (fit === 'cover') sx = sy = Math.max(sx, sy);
  const dw = frameW * sx;
  const dh = frameH * sy;
  return { dx: (backingW - dw) / 2, dy: (backingH - dh) / 2, dw, dh };
}

/** A point in frame pixels, and whether it is over the frame. */
export interface FramePoint {
  x: number;
  y: number;
  inside: boolean;
}

/**
 * A CSS point on the canvas -> frame pixels of the last drawn frame. Not
 * clamped. Before the first draw (frame size 0) it is (0, 0), outside.
 */
export function toFramePoint(
  fit: Fit,
  css: { x: number; y: number; width: number; height: number },
  backing: { width: number; height: number },
  frame: { width: number; height: number },
): FramePoint {
  if (frame.width === 0 || frame.height === 0) return { x: 0, y: 0, inside: false };
  const bx = css.width === 0 ? 0 : (css.x * backing.width) / css.width;
  const by = css.height === 0 ? 0 : (css.y * backing.height) / css.height;
  const r = fitRect(fit, frame.width, frame.height, backing.width, backing.height);
  const x = r.dw === 0 ? 0 : ((bx - r.dx) / r.dw) * frame.width;
  const y = r.dh === 0 ? 0 : ((by - r.dy) / r.dh) * frame.height;
  return { x, y, inside: x >= 0 && x < frame.width && y >= 0 && y < frame.height };
}

// ---- server-side check of vocabulary events (§17 H4) ----

type FieldCheck = (v: unknown) => boolean;
const num: FieldCheck = (v) => typeof v === 'number' && Number.isFinite(v);
const int: FieldCheck = (v) => Number.isInteger(v);
const bool: FieldCheck = (v) => typeof v === 'boolean';
const str: FieldCheck = (v) => typeof v === 'string';
const intList: FieldCheck = (v) => Array.isArray(v) && v.every((x) => Number.isInteger(x));
const strList: FieldCheck = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');

const POINTER = { x: num, y: num, inside: bool, pixel_ratio: num, button: int, buttons: intList, modifiers: strList, timestamp: num };
const WHEEL = { x: num, y: num, inside: bool, pixel_ratio: num, dx: num, dy: num, buttons: intList, modifiers: strList, timestamp: num };
const KEY = { key: str, code: str, modifiers: strList, timestamp: num };

const VOCABULARY: Record<string, { fields: Record<string, FieldCheck>; required: string[] }> = {
  pointer_move: { fields: POINTER, required: ['x', 'y'] },
  pointer_down: { fields: POINTER, required: ['x', 'y'] },
  pointer_up: { fields: POINTER, required: ['x', 'y'] },
  wheel: { fields: WHEEL, required: ['x', 'y'] },
  key_down: { fields: KEY, required: ['key'] },
  key_up: { fields: KEY, required: ['key'] },
};

/**
 * The problem with a vocabulary event, or undefined when it is fine. Fields a
 * type requires must be present; any known field present must have its type.
 * Unknown event types and unknown fields are not checked.
 */
export function inputEventProblem(event: Record<string, unknown>): string | undefined {
  const spec = VOCABULARY[event.type as string];
  if (!spec) return undefined;
  for (const name of spec.required) if (!(name in event)) return `${String(event.type)} without ${name}`;
  for (const [name, check] of Object.entries(spec.fields)) {
    if (name in event && !check(event[name])) return `${String(event.type)}.${name} has the wrong type`;
  }
  return undefined;
}

