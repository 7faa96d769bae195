/**
 * The view keeps its picture and tells the truth, in real headless Chromium
 * and Firefox (one test body, run in each) against real servers: it reconnects by itself after a server restart on the
 * same port (new frames within 3 s, the first one an IDR, the same hello and
 * viewport), fails over to the next server when one dies, honours a 4401 (no
 * retry), and `view.close()` during the backoff stops every retry.
 *
 * "No socket afterwards" is checked against an explicit signal, not a sleep:
 * a sentinel view whose retry is scheduled later than the closed view's would
 * have been; once the sentinel has reconnected, the closed view's retry would
 * have arrived before it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { attach, type Display, type Hub } from 'rfbcast';

import type { TestBrowser, TestPage } from './helpers/browsers';
import { describeEachBrowser } from './helpers/each-browser';
import {
  type E2eGlobals,
  eventually,
  keepPublishing,
  meanColor,
  nearColor,
  openOwnPage,
  type Rgb,
  solidFrame,
  startStream,
  theViewer,
  viewLog,
  waitForFrames,
} from './helpers/e2e';

const W = 320;
const H = 180;
const RED: Rgb = [200, 40, 40];
const BLUE: Rgb = [40, 60, 210];
const STYLE = { left: '0px', top: '0px', width: `${W}px`, height: `${H}px` };


describeEachBrowser('reconnect', (kind) => {
  let browser: TestBrowser;
  let page: TestPage;
  const cleanups: Array<() => unknown> = [];

  beforeAll(async () => {
    browser = await kind.launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage();
  });

  afterEach(async () => {
    await page.close();
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A served stream publishing one colour 20 times a second, stopped after the test unless stopped before. */
  async function colourStream(colour: Rgb, port = 0): Promise<Display> {
    const display = await startStream(W, H, { port });
    const publisher = keepPublishing(display, () => solidFrame(W, H, colour));
    cleanups.push(async () => {
      publisher.stop();
      await display.close();
    });
    return display;
  }

  const portOf = (display: Display) => Number(new URL(display.url).port);

  /** The statechange details the page has recorded so far. */
  const changes = async () => (await viewLog(page)).changes;

  function waitForState(state: string, timeoutMs?: number): Promise<void> {
    return page.waitForFunction((s) => (globalThis as unknown as E2eGlobals).e2e.states.includes(s), state, timeoutMs);
  }

  describe('reconnect after a server restart', () => {
    it('draws new frames within 3 s of the restart on the same port, starting at an IDR, with the same hello and viewport', async () => {
      const first = await colourStream(RED);
      const port = portOf(first);
      await openOwnPage(page, first, { style: STYLE, view: { fit: 'fill', reconnect: { maxDelayMs: 1000 } } });
      await waitForFrames(page, 5);
      const before = await theViewer(first);
      expect(before.transport).toBe('video');

      await first.close();
      await waitForState('reconnecting');
      const drawnBefore = (await viewLog(page)).frames.length;

      const second = await colourStream(BLUE, port);
      await waitForFrames(page, drawnBefore + 1, 3000);
      const log = await viewLog(page);
      // The first frame of the new connection is an IDR, and it is the new server's picture.
      expect(log.frames[drawnBefore].keyframe).toBe(true);
      const after = await theViewer(second);
      expect(after.supported).toEqual(before.supported);
      expect(after.viewport).toEqual(before.viewport);
      await waitForFrames(page, drawnBefore + 3);
      expect(nearColor(await meanColor(page), BLUE)).toBe(true);

      const reconnecting = log.changes.find((c) => c.state === 'reconnecting');
      expect(reconnecting).toMatchObject({ code: 1001, reason: 'going away', attempt: 1 });
      expect(log.states.slice(-3)).toEqual(['open', 'negotiated', 'streaming']);
      expect(log.errors).toEqual([]);
    });

    it('shows "reconnecting…" over the last picture while the server is down', async () => {
      const display = await colourStream(RED);
      await openOwnPage(page, display, { style: STYLE, view: { fit: 'fill', reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } } });
      await waitForFrames(page, 3);
      await display.close();
      await waitForState('reconnecting');
      const badge = await page.evaluate(() => {
        const el = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string; hidden: boolean } | null } }).document.querySelector('.rfbcast-status');
        return { text: el?.textContent, hidden: el?.hidden };
      });
      expect(badge).toEqual({ text: 'reconnecting in 60.0 s… (the server went away — going away)', hidden: false });
      // The picture stays.
      expect(nearColor(await meanColor(page), RED)).toBe(true);
    });
  });

  describe('failover', () => {
    it('moves to the second server when the first dies, and shows its picture', async () => {
      const a = await colourStream(RED);
      const b = await colourStream(BLUE);
      await openOwnPage(page, a, { style: STYLE, view: { fit: 'fill', url: [a.url, b.url] } });
      await waitForFrames(page, 3);
      expect(nearColor(await meanColor(page), RED)).toBe(true);
      expect(b.viewers()).toHaveLength(0);

      await a.close();
      await theViewer(b);
      await eventually(() => meanColor(page), (c) => nearColor(c, BLUE), { timeoutMs: 20_000, what: 'the second server’s picture' });
      const log = await viewLog(page);
      expect(log.changes.find((c) => c.state === 'reconnecting')).toMatchObject({ url: b.url, delayMs: 0 });
      expect(log.changes.at(-1)).toMatchObject({ state: 'streaming', url: b.url });
    });
  });

  /** A hub attached to a server of our own, so the test counts every WebSocket upgrade it receives. */
  async function countingHub(port = 0, token?: string): Promise<{ hub: Hub; display: Display; upgrades: () => number; stop(): Promise<void> }> {
    const server: Server = createServer((req, res) => {
      if (!hub.handleRequest(req, res)) res.writeHead(404).end();
    });
    let upgrades = 0;
    server.on('upgrade', () => upgrades++);
    const hub = attach(server);
    const display = await hub.addStream('default', W, H, { backend: 'libx264', ...(token ? { token } : {}) });
    const publisher = keepPublishing(display, () => solidFrame(W, H, RED));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    hub.setAddress('127.0.0.1', (server.address() as AddressInfo).port);
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      publisher.stop();
      await hub.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    };
    cleanups.push(stop);
    return { hub, display, upgrades: () => upgrades, stop };
  }

  /** A second view in the page, at window.sentinel, recording its states in window.sentinelStates. */
  async function openSentinel(options: Record<string, unknown>): Promise<void> {
    await page.evaluate(async (o) => {
      const g = globalThis as unknown as Record<string, unknown> & { document: { body: { appendChild(e: unknown): unknown }; createElement(t: string): unknown } };
      // Through Function: a literal import() here would be compiled to require() by ts-jest.
      const load = new Function('return import("/rfbcast.js")') as () => Promise<unknown>;
      const { RfbView } = (await load()) as { RfbView: new (el: unknown, o: unknown) => { addEventListener(t: string, l: (e: { detail: { state: string } }) => void): void } };
      const el = g.document.body.appendChild(g.document.createElement('div'));
      const states: string[] = [];
      const view = new RfbView(el, o);
      view.addEventListener('statechange', (e) => states.push(e.detail.state));
      g.sentinel = view;
      g.sentinelStates = states;
    }, options);
  }

  describe('what is not retried', () => {
    it('a 4401 close is final: state closed with the reason, and no second attempt', async () => {
      const s = await countingHub(0, 'secret');
      await openOwnPage(page, s.display, { style: STYLE, view: { token: 'wrong', reconnect: { initialDelayMs: 0, jitter: 0 } } });
      await waitForState('closed');
      expect(await changes()).toEqual([
        expect.objectContaining({ state: 'connecting' }),
        expect.objectContaining({ state: 'open' }),
        expect.objectContaining({ state: 'closed', code: 4401, reason: 'unauthorized' }),
      ]);
      // A retry would have been scheduled with no delay, before the sentinel even exists.
      await openSentinel({ url: s.display.url, token: 'secret' });
      await theViewer(s.display);
      expect(s.upgrades()).toBe(2);
    });

    it('view.close() during the backoff stops every retry: no socket opens afterwards', async () => {
      const s = await countingHub();
      const port = s.hub.port as number;
      await openOwnPage(page, s.display, { style: STYLE, view: { reconnect: { initialDelayMs: 1000, factor: 2, jitter: 0 } } });
      // Its retries would come 1 s and 3 s after the close; the sentinel's first comes after 4 s.
      await openSentinel({ url: s.display.url, reconnect: { initialDelayMs: 4000, jitter: 0 } });
      await eventually(() => s.display.viewers().length, (n) => n === 2, { timeoutMs: 20_000, what: 'both views connected' });

      await s.stop();
      await waitForState('reconnecting');
      await page.evaluate(() => (globalThis as unknown as { rfbView: { close(): void } }).rfbView.close());
      await waitForState('closed');
      const restarted = await countingHub(port);
      await page.waitForFunction(() => ((globalThis as unknown as { sentinelStates: string[] }).sentinelStates ?? []).includes('reconnecting'), null);
      await theViewer(restarted.display);
      expect(restarted.upgrades()).toBe(1);
      expect((await changes()).at(-1)).toMatchObject({ state: 'closed', code: 1000, reason: 'view disposed' });
    });
  });
});
