/**
 * The stock full-page viewer where new users meet it, in real headless
 * Chromium and Firefox (one test body, run in each): mounted by `attach()`
 * under a prefix in a real Express app, and published by a reverse proxy under a prefix the server does not know (the
 * page, its picker, its stream list and its sockets all under the prefix; the
 * bare prefix redirected to the page), and on a server that has no encoder,
 * where the page shows the reason the server gives instead of a black page.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express from 'express';
import { attach, createHub, type Display, type Hub } from 'rfbcast';

import type { TestBrowser, TestPage } from './helpers/browsers';
import { describeEachBrowser } from './helpers/each-browser';
import {
  eventually,
  keepPublishing,
  meanColor,
  nearColor,
  openViewerAt,
  openViewerPage,
  type Rgb,
  solidFrame,
  startStream,
  viewLog,
  waitForFrames,
} from './helpers/e2e';
import { captureLogger } from './helpers/log-capture';
import { startPrefixProxy } from './helpers/prefix-proxy';
import { containerWithout } from './helpers/server';

const STREAMS = [
  { name: 'default', width: 320, height: 180, color: [200, 40, 40] as Rgb },
  { name: 'cam', width: 256, height: 144, color: [40, 60, 210] as Rgb },
];

describeEachBrowser('the full-page viewer', (kind) => {
  let browser: TestBrowser;
  let page: TestPage;

  beforeAll(async () => {
    browser = await kind.launch({ viewport: { width: 400, height: 300 } });
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    await page.goto('about:blank');
  });

  interface Mount {
    hub: Hub;
    /** Where a browser finds the viewer, without the trailing slash. */
    base: string;
    /** The application's own origin (Express), when there is one. */
    app?: string;
    close(): Promise<void>;
  }

  /** rfbcast mounted by attach() under /rfb in a real Express app, which keeps its own routes. */
  async function expressMount(): Promise<Mount> {
    const app = express();
    app.get('/', (_req, res) => void res.send('the application'));
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const hub = attach(server, { path: '/rfb' });
    app.use((req, res, next) => hub.handleRequest(req, res) || next());
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      hub,
      base: `${origin}/rfb`,
      app: origin,
      async close() {
        await hub.close();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      },
    };
  }

  /** rfbcast on its own port at /, published by a reverse proxy under /edge. */
  async function proxiedMount(): Promise<Mount> {
    const hub = await createHub({ port: 0 });
    const proxy = await startPrefixProxy('/edge', hub.port as number);
    return {
      hub,
      base: `${proxy.origin}/edge`,
      async close() {
        await hub.close();
        await proxy.close();
      },
    };
  }

  describe.each([
    ['under an attach() prefix in an Express app', expressMount],
    ['behind a reverse proxy that adds a prefix', proxiedMount],
  ])('%s', (_title, mountIt) => {
    let mount: Mount;
    const publishers: Array<{ stop(): void }> = [];

    beforeAll(async () => {
      mount = await mountIt();
      for (const s of STREAMS) {
        const d = await mount.hub.addStream(s.name, s.width, s.height, { backend: 'libx264' });
        publishers.push(keepPublishing(d, () => solidFrame(s.width, s.height, s.color)));
      }
    });

    afterAll(async () => {
      for (const p of publishers.splice(0)) p.stop();
      await mount?.close();
    });

    const viewerCounts = () => mount.hub.streams().map((d) => d.viewers().length);
    const lastUrl = () => page.evaluate(() => (globalThis as unknown as { rfbView: { lastChange?: { url: string } } }).rfbView.lastChange?.url);
    const wsBase = () => `ws${mount.base.slice(4)}`;

    it('the full-page viewer shows the picture over the prefixed socket, and its picker switches streams', async () => {
      await openViewerAt(page, `${mount.base}/?fit=fill&stats=0`);
      await waitForFrames(page, 3);
      expect(await lastUrl()).toBe(`${wsBase()}/`);
      expect(nearColor(await meanColor(page), STREAMS[0].color)).toBe(true);
      const options = await page.evaluate(() =>
        [...(globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ value: string }> } }).document.querySelectorAll('#picker option')].map((o) => o.value),
      );
      expect(options).toEqual(['default', 'cam']);

      await page.evaluate(() => {
        const picker = (globalThis as unknown as { document: { getElementById(id: string): { value: string; dispatchEvent(e: unknown): void } } }).document.getElementById('picker');
        picker.value = 'cam';
        picker.dispatchEvent(new (globalThis as unknown as { Event: new (t: string) => unknown }).Event('change'));
      });
      await eventually(viewerCounts, (c) => c[0] === 0 && c[1] === 1, { timeoutMs: 20_000, what: 'the viewer moved to cam' });
      await eventually(() => meanColor(page), (c) => nearColor(c, STREAMS[1].color), { timeoutMs: 20_000, what: 'the cam picture' });
      expect(await lastUrl()).toBe(`${wsBase()}/cam`);
      const frames = (await viewLog(page)).frames;
      expect([frames.at(-1)?.width, frames.at(-1)?.height]).toEqual([256, 144]);
      const streams = (await (await fetch(`${mount.base}/streams`)).json()) as Array<{ name: string }>;
      expect(streams.map((s) => s.name)).toEqual(['default', 'cam']);
    });
  });

  describe('the bare attach() prefix', () => {
    let mount: Mount;

    beforeAll(async () => {
      mount = await expressMount();
      const d = await mount.hub.addStream('default', 320, 180, { backend: 'libx264' });
      d.publish(solidFrame(320, 180, STREAMS[0].color));
    });

    afterAll(async () => {
      await mount?.close();
    });

    it('/rfb redirects to /rfb/ (query kept), and the application keeps its own routes', async () => {
      await openViewerAt(page, `${mount.base}?stats=0`);
      const where = await page.evaluate(() => {
        const { pathname, search } = (globalThis as unknown as { location: { pathname: string; search: string } }).location;
        return pathname + search;
      });
      expect(where).toBe('/rfb/?stats=0');
      await waitForFrames(page, 1);
      expect(await (await fetch(`${mount.app}/`)).text()).toBe('the application');
    });
  });

  describe('with no encoder available', () => {
    let display: Display | undefined;

    afterEach(async () => {
      await display?.close();
    });

    it('the page shows the reason the server gives, in words a person can act on', async () => {
      // The real addon, reporting itself built without any encoder library.
      const container = containerWithout({ turbojpeg: false, png: false, webp: false });
      const { logger, records } = captureLogger();
      display = await startStream(320, 180, { container, backend: undefined, logger });
      display.publish(solidFrame(320, 180, [0, 0, 0]));
      await openViewerPage(page, display);

      const wanted = /built without libjpeg-turbo: install libturbojpeg0-dev and rebuild/;
      await page.waitForFunction(
        (source) => new RegExp(source).test((globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('.rfbcast-status')?.textContent ?? ''),
        wanted.source,
      );
      const change = (await viewLog(page)).changes.find((c) => c.code !== undefined);
      expect(change).toMatchObject({ code: 1011, reason: expect.stringMatching(wanted) });
      expect(change?.reason).toBe('internal error: no image:jpeg encoder: built without libjpeg-turbo: install libturbojpeg0-dev and rebuild');
      // The server's log has the same reason.
      expect(records.find((r) => r.msg === 'no encoder for a viewer')).toMatchObject({ reason: expect.stringMatching(wanted) });
    });
  });
});
