/**
 * A real Chromium viewer on a relay: the full-page viewer the relay serves
 * draws the origin's test card (H.264 through nats-server and a relay
 * process), and its pointer events reach the origin's `display.events()`
 * with its viewer id and the relay's identity.
 */
import type { Page } from 'playwright-core';
import { createHub, type Display, type Hub, type QueuedEvent } from 'rfbcast';

import type { RunningCli } from './helpers/cli';
import { type Browser, launchChromium } from './helpers/chromium';
import { eventually, keepPublishing, openViewerPage, waitForFrames } from './helpers/e2e';
import { CARD, cardFrame, expectCard, TOLERANCE } from './helpers/e2e-picture';
import { type NatsServer, startNats, startRelay } from './helpers/nats';

const DPR = 2;

let nats: NatsServer;
let hub: Hub;
let display: Display;
let relay: RunningCli;
let browser: Browser;
let page: Page;
let publisher: { stop(): void };

beforeAll(async () => {
  nats = await startNats();
  hub = await createHub({ port: 0, nats: nats.url });
  display = await hub.addStream('default', CARD.width, CARD.height, { backend: 'libx264' });
  publisher = keepPublishing(display, cardFrame);
  relay = await startRelay(nats.url, 'relay-chromium');
  browser = await launchChromium({ deviceScaleFactor: DPR, viewport: { width: CARD.width / DPR, height: CARD.height / DPR } });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  publisher?.stop();
  await browser?.close();
  await relay?.stop();
  await hub?.close();
  await nats?.stop();
});

/** The relay's viewers of the default stream, from its status route. */
async function relayViewers(): Promise<string[]> {
  const status = (await (await fetch(`${relay.url.replace(/\/$/, '')}/relay`)).json()) as { streams: Array<{ name: string; viewers: string[] }> };
  return status.streams.find((s) => s.name === 'default')?.viewers ?? [];
}

it('draws the right picture, and its pointer events reach the origin with its viewer id', async () => {
  await eventually(relayViewers, () => true, { timeoutMs: 20_000, what: 'the relay status' });
  // The page is the relay's own: openViewerPage only needs a display URL on the relay's origin.
  await eventually(
    async () => (await fetch(`${relay.url.replace(/\/$/, '')}/streams`)).json() as Promise<unknown[]>,
    (s) => s.length === 1,
    { timeoutMs: 20_000, what: 'the relay to offer the stream' },
  );
  await openViewerPage(page, { url: `${relay.url.replace(/^http/, 'ws').replace(/\/$/, '')}/default` } as Display, 'fit=fill&stats=0');
  await waitForFrames(page, 3);
  await expectCard(page, TOLERANCE.h264);

  const [id] = await eventually(relayViewers, (v) => v.length === 1, { timeoutMs: 20_000, what: 'one relay viewer' });
  display.pollEvents();
  await page.mouse.move(100, 50);
  await page.mouse.down();
  await page.mouse.up();
  const events: QueuedEvent[] = [];
  await eventually(
    () => (events.push(...display.pollEvents()), events.filter((e) => e.event.type === 'pointer_up').length),
    (n) => n >= 1,
    { timeoutMs: 20_000, what: 'pointer events at the origin' },
  );
  const pointer = events.filter((e) => e.event.type.startsWith('pointer_'));
  expect(pointer.map((e) => e.event.type)).toEqual(expect.arrayContaining(['pointer_move', 'pointer_down', 'pointer_up']));
  for (const e of pointer) {
    expect(e.viewer).toBe(id);
    expect(e.relay).toBe('relay-chromium');
  }
  // fit=fill over a 320x180 CSS page: (100, 50) CSS px is (200, 100) in the 640x360 frame.
  expect(pointer.find((e) => e.event.type === 'pointer_down')!.event).toMatchObject({ x: 200, y: 100 });
}, 90_000);
