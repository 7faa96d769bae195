/**
 * Input on the canvas in real headless Chromium and Firefox (one test body,
 * run in each) reaches the publisher
 * (`display.pollEvents()`) as PROTOCOL.md §8 says: pointer and wheel positions
 * in frame pixels of the last drawn frame under contain, cover and fill (§8.3),
 * the button, buttons and modifier mappings (§8.2), and keys.
 *
 * The page is laid out so that every term of §8.3 matters: the canvas sits at
 * (30, 20) CSS px, is 480x400 CSS px with a device pixel ratio of 1.5 (a
 * 720x600 backing store), and shows a 320x180 frame, so contain letterboxes
 * and cover crops. The expected coordinates are computed here from the page's
 * own geometry, independently of the client's code. Mouse positions are even
 * CSS pixels, so that x 1.5 they are whole device pixels.
 */
import { createFrame, type Display, type QueuedEvent } from 'rfbcast';

import { type BrowserKind, type TestBrowser, type TestPage } from './helpers/browsers';
import { describeEachBrowser } from './helpers/each-browser';
import { eventually, keepPublishing, openOwnPage, startStream, theViewer, waitForFrames, waitForMoreFrames } from './helpers/e2e';

type Fit = 'contain' | 'cover' | 'fill';
/** Wire events are checked here field by field, whatever their type. */
type WireEvent = Record<string, any>;
type Size = { width: number; height: number };

const FRAME: Size = { width: 320, height: 180 };
const DPR = 1.5;
const CANVAS = { left: 30, top: 20, width: 480, height: 400 };

describeEachBrowser('input', (kind: BrowserKind) => {
  let browser: TestBrowser;
  let page: TestPage;
  let display: Display;
  let publisher: { stop(): void } | undefined;
  /** Events polled from the display and not yet looked at. */
  let pending: QueuedEvent[] = [];

  beforeAll(async () => {
    browser = await kind.launch({ deviceScaleFactor: DPR, viewport: { width: 800, height: 600 } });
    page = browser.page;
    display = await startStream(FRAME.width, FRAME.height);
    // Images are enough here: input handling does not depend on the transport.
    await openOwnPage(page, display, {
      style: { left: `${CANVAS.left}px`, top: `${CANVAS.top}px`, width: `${CANVAS.width}px`, height: `${CANVAS.height}px` },
      view: { imageOnly: true },
    });
    await theViewer(display);
  }, 60_000);

  afterAll(async () => {
    publisher?.stop();
    await display?.close();
    await browser?.close();
  });

  /** Waits for the next `n` input events (resize events from set_viewport are kept apart). */
  async function nextEvents(n: number): Promise<WireEvent[]> {
    await eventually(
      () => {
        pending.push(...display.pollEvents());
        return pending.filter((q) => q.event.type !== 'resize').length;
      },
      (count) => count >= n,
      { timeoutMs: 20_000, what: `${n} input events` },
    );
    const events = pending.filter((q) => q.event.type !== 'resize').map((q) => q.event);
    pending = pending.filter((q) => q.event.type === 'resize');
    expect(events).toHaveLength(n);
    return events;
  }

  /** Starts publishing (once) and waits until the page draws: every test after the first needs a picture. */
  async function drawing(): Promise<void> {
    if (publisher) return;
    publisher = keepPublishing(display, (i) => createFrame({ data: new Uint8Array(FRAME.width * FRAME.height * 4).fill(i % 200), ...FRAME }));
    await waitForFrames(page, 2);
  }

  /**
   * Clicks the canvas centre, which gives it the keyboard focus, and drops the
   * events that makes (a move only when the pointer was elsewhere).
   */
  async function clickCanvas(): Promise<void> {
    await moveTo(240, 200);
    await page.mouse.down();
    await page.mouse.up();
    await eventually(
      () => {
        pending.push(...display.pollEvents());
        return pending.findIndex((q) => q.event.type === 'pointer_up');
      },
      (i) => i >= 0,
      { timeoutMs: 20_000, what: 'the click' },
    ).then((i) => pending.splice(0, i + 1));
  }

  /** The canvas's CSS box and the page's device pixel ratio, as the page reports them. */
  async function pageGeometry(): Promise<{ rect: { left: number; top: number } & Size; dpr: number }> {
    return page.evaluate(() => {
      const r = document.getElementById('screen')!.getBoundingClientRect();
      return { rect: { left: r.left, top: r.top, width: r.width, height: r.height }, dpr: devicePixelRatio };
    });
  }

  /**
   * §8.3, written out from the page geometry: the backing store is the CSS size
   * times the DPR, rounded; the frame is scaled by backing/frame per axis (the
   * smaller of the two for contain, the larger for cover) and centred; a CSS
   * point is taken into backing pixels, then back through that scale.
   */
  function expectedPoint(fit: Fit, cssX: number, cssY: number, css: Size, dpr: number) {
    const backing = { width: Math.max(1, Math.round(css.width * dpr)), height: Math.max(1, Math.round(css.height * dpr)) };
    const perAxis = [backing.width / FRAME.width, backing.height / FRAME.height];
    const [scaleX, scaleY] = fit === 'fill' ? perAxis : fit === 'contain' ? perAxis.map(() => Math.min(...perAxis)) : perAxis.map(() => Math.max(...perAxis));
    const marginX = (backing.width - FRAME.width * scaleX) / 2;
    const marginY = (backing.height - FRAME.height * scaleY) / 2;
    const x = ((cssX / css.width) * backing.width - marginX) / scaleX;
    const y = ((cssY / css.height) * backing.height - marginY) / scaleY;
    return { x, y, inside: x >= 0 && y >= 0 && x < FRAME.width && y < FRAME.height };
  }

  /** Points on the canvas (CSS px from its top-left corner): centre, corners, edges, the letterbox. */
  const POINTS: Array<[number, number]> = [
    [240, 200],
    [2, 4],
    [478, 398],
    [100, 30],
    [350, 370],
    [0, 200],
    [240, 66],
    [240, 334],
  ];

  const moveTo = (x: number, y: number) => page.mouse.move(CANVAS.left + x, CANVAS.top + y);

  function expectPointer(e: WireEvent, fields: Record<string, unknown>): void {
    expect(e).toMatchObject(fields);
    expect(e.pixel_ratio).toBe(1); // the render DPR (none published), not the device's 1.5
    expect(typeof e.timestamp).toBe('number');
    expect(e.timestamp).toBeGreaterThan(0);
  }

  describe('input on the canvas reaches display.pollEvents()', () => {
    it('before the first draw a pointer is at (0, 0), outside', async () => {
      await moveTo(240, 200);
      const [e] = await nextEvents(1);
      expectPointer(e, { type: 'pointer_move', x: 0, y: 0, inside: false, button: 0, buttons: [] });
      await drawing();
    });

    it('the viewport is the canvas CSS size and its backing store at the device pixel ratio', async () => {
      await drawing();
      const { rect, dpr } = await pageGeometry();
      expect(rect).toEqual(CANVAS);
      expect(dpr).toBe(DPR);
      const resize = display.viewers()[0].viewport;
      expect(resize).toEqual({ pwidth: Math.round(rect.width * dpr), pheight: Math.round(rect.height * dpr), ratio: dpr });
    });

    it('an odd CSS size rounds the backing store and still reports the DPR as the ratio (§4, §12.1)', async () => {
      await drawing();
      const setCanvasSize = (size: Size) =>
        page.evaluate(({ width, height }) => {
          const style = document.getElementById('screen')!.style;
          style.width = `${width}px`;
          style.height = `${height}px`;
        }, size);
      const resizes = async () => {
        const events = await eventually(() => display.pollEvents().filter((q) => q.event.type === 'resize'), (e) => e.length > 0, { timeoutMs: 20_000, what: 'a resize event' });
        return events.map((q) => q.event);
      };
      await setCanvasSize({ width: 301, height: 201 });
      expect(await resizes()).toEqual([{ type: 'resize', width: 301, height: 201, pwidth: 452, pheight: 302, ratio: DPR }]);
      await setCanvasSize(CANVAS);
      expect(await resizes()).toEqual([{ type: 'resize', width: 480, height: 400, pwidth: 720, pheight: 600, ratio: DPR }]);
      // Back to the layout of the tests below, drawn at the new size.
      await waitForMoreFrames(page, 2);
    });

    for (const fit of ['contain', 'cover', 'fill'] as const) {
      it(`pointer positions are frame pixels under ${fit}`, async () => {
        await drawing();
        await page.evaluate((f) => {
          (globalThis as unknown as { rfbView: { fit: string } }).rfbView.fit = f;
        }, fit);
        const { rect, dpr } = await pageGeometry();
        // Off the canvas first: Firefox sends no pointermove for a move to where the mouse already is.
        await page.mouse.move(0, 0);
        for (const [x, y] of POINTS) await moveTo(x, y);
        const events = await nextEvents(POINTS.length);
        events.forEach((e, i) => {
          const want = expectedPoint(fit, POINTS[i][0], POINTS[i][1], rect, dpr);
          expectPointer(e, { type: 'pointer_move', inside: want.inside, button: 0, buttons: [], modifiers: [] });
          expect(e.x).toBeCloseTo(want.x, 6);
          expect(e.y).toBeCloseTo(want.y, 6);
        });
        // Worked by hand: the canvas centre is the frame centre under every fit.
        expect([events[0].x, events[0].y]).toEqual([160, 90]);
        // contain letterboxes 97.5 backing px (65 CSS px) above and below the picture.
        if (fit === 'contain') expect(events.map((e) => e.inside)).toEqual([true, false, false, false, false, true, true, true]);
        if (fit === 'cover') expect(events.every((e) => e.inside)).toBe(true);
      });
    }

    it('wheel: position, and pixel deltas as the DOM gave them', async () => {
      await drawing();
      await page.evaluate(() => {
        const g = globalThis as unknown as { rfbView: { fit: string }; domWheels: number[][] };
        g.rfbView.fit = 'contain';
        g.domWheels = [];
        document.getElementById('screen')!.addEventListener('wheel', (e) => g.domWheels.push([e.deltaX, e.deltaY, e.deltaMode]), { passive: true });
      });
      const { rect, dpr } = await pageGeometry();
      await moveTo(240, 100);
      await page.mouse.wheel(30, -120);
      await page.mouse.wheel(0, 48);
      const [move, first, second] = await nextEvents(3);
      // Pixel deltas (deltaMode 0) pass unchanged. (Chromium itself divides injected deltas by the DPR.)
      const dom = await page.evaluate(() => (globalThis as unknown as { domWheels: number[][] }).domWheels);
      expect(dom.map((d) => d[2])).toEqual([0, 0]);
      expect(move.type).toBe('pointer_move');
      const want = expectedPoint('contain', 240, 100, rect, dpr);
      for (const [e, [dx, dy]] of [[first, dom[0]], [second, dom[1]]] as const) {
        expectPointer(e, { type: 'wheel', dx, dy, buttons: [], modifiers: [], inside: true });
        expect(e.x).toBeCloseTo(want.x, 6);
        expect(e.y).toBeCloseTo(want.y, 6);
      }
      expect([Math.sign(first.dx), Math.sign(first.dy), Math.sign(second.dy)]).toEqual([1, -1, 1]);
    });

    it('wheel deltas in lines are x16 and in pages x the canvas CSS size; buttons and modifiers', async () => {
      await drawing();
      // No input device makes line or page deltas here (and playwright's wheel carries no buttons),
      // so these two wheel events are made in the page, at the canvas centre (clientX 30 + 240).
      await page.evaluate(() => {
        const canvas = document.getElementById('screen')!;
        for (const deltaMode of [1, 2]) {
          canvas.dispatchEvent(new WheelEvent('wheel', { deltaX: 0.5, deltaY: -2, deltaMode, clientX: 270, clientY: 220, buttons: 5, shiftKey: true, altKey: true }));
        }
      });
      const [lines, pages] = await nextEvents(2);
      expectPointer(lines, { type: 'wheel', dx: 8, dy: -32, x: 160, y: 90, inside: true, buttons: [1, 3], modifiers: ['Shift', 'Alt'] });
      expectPointer(pages, { type: 'wheel', dx: 0.5 * CANVAS.width, dy: -2 * CANVAS.height });
    });

    it('buttons: left, right, chorded, and the DOM -> wire numbering', async () => {
      await drawing();
      // From elsewhere, so the move below is an event whatever ran before.
      await moveTo(10, 10);
      await nextEvents(1);
      await moveTo(240, 200);
      await page.mouse.down();
      await page.mouse.down('right');
      await page.mouse.up('right');
      await page.mouse.up();
      await page.mouse.down('right');
      await page.mouse.up('right');
      const [, leftDown, rightChord, rightRelease, leftUp, rightDown, rightUp] = await nextEvents(7);
      expectPointer(leftDown, { type: 'pointer_down', button: 1, buttons: [1], x: 160, y: 90, inside: true });
      // A second button on an active pointer is a pointermove (Pointer Events' chorded buttons).
      expectPointer(rightChord, { type: 'pointer_move', button: 2, buttons: [1, 2] });
      expectPointer(rightRelease, { type: 'pointer_move', button: 2, buttons: [1] });
      expectPointer(leftUp, { type: 'pointer_up', button: 1, buttons: [] });
      expectPointer(rightDown, { type: 'pointer_down', button: 2, buttons: [2] });
      expectPointer(rightUp, { type: 'pointer_up', button: 2, buttons: [] });
    });

    it('modifiers are listed Shift, Control, Alt, Meta whatever the order they were pressed in', async () => {
      await drawing();
      // The keys below go to the canvas only once it has the focus.
      await clickCanvas();
      for (const key of ['Meta', 'Alt', 'Control', 'Shift']) await page.keyboard.down(key);
      await page.mouse.down();
      await page.mouse.up();
      for (const key of ['Meta', 'Alt', 'Control', 'Shift']) await page.keyboard.up(key);
      const events = await nextEvents(10);
      const down = events.find((e) => e.type === 'pointer_down') as WireEvent;
      expectPointer(down, { button: 1, buttons: [1], modifiers: ['Shift', 'Control', 'Alt', 'Meta'] });
      // The keys themselves, with the modifiers held at each moment.
      expect(events.filter((e) => e.type === 'key_down').map((e) => [e.key, e.modifiers])).toEqual([
        ['Meta', ['Meta']],
        ['Alt', ['Alt', 'Meta']],
        ['Control', ['Control', 'Alt', 'Meta']],
        ['Shift', ['Shift', 'Control', 'Alt', 'Meta']],
      ]);
      expect(events.filter((e) => e.type === 'key_up').map((e) => [e.key, e.modifiers])).toEqual([
        ['Meta', ['Shift', 'Control', 'Alt']],
        ['Alt', ['Shift', 'Control']],
        ['Control', ['Shift']],
        ['Shift', []],
      ]);
    });

    it('keys reach the publisher once the canvas has focus (a pointer_down gives it)', async () => {
      await drawing();
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await clickCanvas();
      await page.keyboard.press('a');
      await page.keyboard.down('Shift');
      await page.keyboard.press('B');
      await page.keyboard.up('Shift');
      await page.keyboard.press('ArrowLeft');
      const events = await nextEvents(8);
      const keys = events.map((e) => [e.type, e.key, e.code, e.modifiers]);
      expect(keys).toEqual([
        ['key_down', 'a', 'KeyA', []],
        ['key_up', 'a', 'KeyA', []],
        ['key_down', 'Shift', 'ShiftLeft', ['Shift']],
        ['key_down', 'B', 'KeyB', ['Shift']],
        ['key_up', 'B', 'KeyB', ['Shift']],
        ['key_up', 'Shift', 'ShiftLeft', []],
        ['key_down', 'ArrowLeft', 'ArrowLeft', []],
        ['key_up', 'ArrowLeft', 'ArrowLeft', []],
      ]);
      for (const e of events) expect(e.timestamp).toBeGreaterThan(0);
    });
  });
});
