/**
 * Captures pointer, wheel and keyboard input on the canvas and turns it into
 * protocol events (PROTOCOL.md §8) in frame pixels of the last drawn frame.
 */
import {
  eventTimestamp,
  type Fit,
  type InputEvent,
  mapButton,
  mapButtons,
  mapModifiers,
  toFramePoint,
  wheelDelta,
} from '../wire';

export interface InputGeometry {
  fit: Fit;
  /** Size of the last drawn frame (0 x 0 before the first draw). */
  frame: { width: number; height: number };
  backing: { width: number; height: number };
  /** The render DPR last seen in config or a frame header, echoed in events. */
  pixelRatio: number;
}

export function captureInput(canvas: HTMLCanvasElement, geometry: () => InputGeometry, emit: (e: InputEvent) => void): () => void {
  if (canvas.tabIndex < 0) canvas.tabIndex = 0;

  const point = (e: MouseEvent) => {
    const rect = canvas.getBoundingClientRect();
    const g = geometry();
    const p = toFramePoint(g.fit, { x: e.clientX - rect.left, y: e.clientY - rect.top, width: rect.width, height: rect.height }, g.backing, g.frame);
    return { x: p.x, y: p.y, inside: p.inside, pixel_ratio: g.pixelRatio };
  };

  const pointer = (type: 'pointer_move' | 'pointer_down' | 'pointer_up') => (e: PointerEvent) => {
    if (type === 'pointer_down') {
      canvas.focus();
      try {
        canvas.setPointerCapture(e.pointerId);
      } catch {
        // The pointer may already be gone.
      }
    }
    emit({
      type,
      ...point(e),
      button: mapButton(e.button),
      buttons: mapButtons(e.buttons),
      modifiers: mapModifiers(e),
      timestamp: eventTimestamp(e.timeStamp),
    });
  };

  const wheel = (e: WheelEvent) => {
    const rect = canvas.getBoundingClientRect();
    const { dx, dy } = wheelDelta(e, rect.width, rect.height);
    emit({ type: 'wheel', ...point(e), dx, dy, buttons: mapButtons(e.buttons), modifiers: mapModifiers(e), timestamp: eventTimestamp(e.timeStamp) });
  };

  const key = (type: 'key_down' | 'key_up') => (e: KeyboardEvent) =>
    emit({ type, key: e.key, code: e.code, modifiers: mapModifiers(e), timestamp: eventTimestamp(e.timeStamp) });

  // Right-drag belongs to the remote application, not the browser's menu.
  const noMenu = (e: Event) => e.preventDefault();

  const listeners: Array<[string, EventListener, AddEventListenerOptions?]> = [
    ['pointermove', pointer('pointer_move') as EventListener],
    ['pointerdown', pointer('pointer_down') as EventListener],
    ['pointerup', pointer('pointer_up') as EventListener],
    ['wheel', wheel as EventListener, { passive: true }],
    ['keydown', key('key_down') as EventListener],
    ['keyup', key('key_up') as EventListener],
    ['contextmenu', noMenu],
  ];
  for (const [type, fn, opts] of listeners) canvas.addEventListener(type, fn, opts);
  return () => {
    for (const [type, fn, opts] of listeners) canvas.removeEventListener(type, fn, opts);
  };
}
