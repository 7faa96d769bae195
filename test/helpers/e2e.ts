/**
 * End-to-end plumbing for the browser client: a real rfbcast server (real
 * libx264 and image backends), a page of our own at the server's origin that
 * embeds RfbView from /rfbcast.js, a recorder of what the view reports, and
 * pixel comparisons of its canvas with the published source.
 *
 * Relative imports and no DOM types, because bench/e2e.ts (compiled by tsc
 * without the DOM library) uses it too: code that runs in the page reaches the
 * page's globals through `globalThis` cast to the small interfaces below.
 */
import type { Page as PlaywrightPage } from 'playwright-core';

import { createFrame, type Display, type FrameInput, type RawFrame, serve, type ServeOptions, type ViewerInfo } from '../../src';
import { playwrightPage, type TestPage } from './browsers';
import { distFile } from './dist';
import { eventually } from './wait';

export { eventually } from './wait';

/** A TestPage in either browser, or a playwright page (taken as one). */
export type Page = TestPage | PlaywrightPage;

const asTestPage = (page: Page): TestPage => ('browserName' in page ? page : playwrightPage(page));

/** What the recorder keeps of a view's `frame` event, plus when the page saw it. */
export interface DrawnFrame {
  seq: number;
  timestampUs: number;
  width: number;
  height: number;
  pixelRatio: number;
  /** An H.264 IDR (images are always true). */
  keyframe: boolean;
  /** performance.timeOrigin + performance.now() in the page when the event fired (ms, wall clock). */
  at: number;
}

export interface ViewLog {
  frames: DrawnFrame[];
  configs: Array<{ transport: string; width: number; height: number }>;
  errors: string[];
  states: string[];
  /** The statechange details, in order. */
  changes: Array<{ state: string; url: string; code?: number; reason?: string; attempt?: number; delayMs?: number }>;
  /** What worker preludes posted on the `rfbcast-e2e` BroadcastChannel (the worker's scope is out of reach otherwise). */
  fromWorker: unknown[];
}

interface ViewHandle {
  snapshot(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
  stallDecoderForTest(): void;
  fit: string;
  addEventListener(type: string, listener: (e: { detail: unknown }) => void): void;
}

/** The page's globals as the recorder leaves them. */
export interface E2eGlobals {
  rfbView: ViewHandle;
  e2e: ViewLog;
}

/**
 * Runs in every page before its scripts (an init script): whoever assigns
 * `window.rfbView` (our page, or the full-page viewer's page.js) gets its
 * events recorded in `window.e2e`, from before the first one can fire.
 */
function installRecorder(): void {
  const g = globalThis as unknown as E2eGlobals & { rfbViewStore?: ViewHandle };
  const log: ViewLog = { frames: [], configs: [], errors: [], states: [], changes: [], fromWorker: [] };
  const now = () => (globalThis as unknown as { performance: { timeOrigin: number; now(): number } }).performance;
  Object.defineProperty(g, 'e2e', { value: log });
  type Channel = { onmessage: ((e: { data: unknown }) => void) | null };
  const channel = new (globalThis as unknown as { BroadcastChannel: new (name: string) => Channel }).BroadcastChannel('rfbcast-e2e');
  channel.onmessage = (e) => log.fromWorker.push(e.data);
  Object.defineProperty(g, 'rfbView', {
    configurable: true,
    get: () => g.rfbViewStore,
    set(view: ViewHandle) {
      g.rfbViewStore = view;
      view.addEventListener('frame', (e) => {
        const p = now();
        log.frames.push({ ...(e.detail as DrawnFrame), at: p.timeOrigin + p.now() });
      });
      view.addEventListener('config', (e) => log.configs.push(e.detail as ViewLog['configs'][number]));
      view.addEventListener('error', (e) => log.errors.push(String(e.detail)));
      view.addEventListener('statechange', (e) => {
        const change = e.detail as ViewLog['changes'][number];
        log.states.push(change.state);
        log.changes.push(change);
      });
    },
  });
}

/** Our page: one canvas styled as asked, with an RfbView on it (options inlined as JSON). */
const ownPage = (options: OwnPageOptions) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rfbcast e2e</title>
<style>html, body { margin: 0; height: 100%; background: #333; overflow: hidden; }
canvas { position: absolute; display: block; touch-action: none; outline: none; }</style></head>
<body><canvas id="screen"></canvas>
<script type="module">
import { RfbView } from '/rfbcast.js';
const o = ${JSON.stringify({ view: {}, ...options }).replace(/</g, '\\u003c')};
const canvas = document.getElementById('screen');
Object.assign(canvas.style, o.style);
if (o.workerPrelude) {
  const source = \`import '\${location.origin}/rfbcast-worker.js';\\n\${o.workerPrelude}\`;
  o.view.workerUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
}
window.rfbView = new RfbView(canvas, o.view);
</script></body></html>`;

const prepared = new WeakSet<TestPage>();

/** Installs the recorder in every document this page loads (once per page). */
async function preparePage(page: TestPage): Promise<void> {
  // The page runs the built viewer bundle (dist/client): stop here if it is older than its sources.
  distFile('client');
  if (prepared.has(page)) return;
  prepared.add(page);
  await page.addInitScript(installRecorder);
}

/** The HTTP origin of a display's server (its side channel and viewer files). */
export const httpOrigin = (display: Display) => display.url.replace(/^ws/, 'http').replace(/\/[^/]*$/, '');

/** A real server for one stream: libx264 for H.264 viewers, the image backend for the rest. */
export function startStream(width: number, height: number, options: ServeOptions = {}): Promise<Display> {
  return serve(width, height, { port: 0, backend: 'libx264', ...options });
}

export interface OwnPageOptions {
  /** CSS for the canvas: position and size (left, top, width, height, ...). */
  style: Record<string, string>;
  /** RfbViewOptions: fit, imageOnly, stats, background, ... */
  view?: Record<string, unknown>;
  /**
   * Script run in the view's worker right after the worker module (through a
   * blob `workerUrl` importing /rfbcast-worker.js): how a test changes what the
   * worker's scope offers before the view uses it. An init script cannot: it
   * only reaches the page's own globals.
   */
  workerPrelude?: string;
}

/**
 * Opens our page at the server's origin, so it imports /rfbcast.js and its
 * worker is same-origin: it is written over /health with setContent. (Not
 * through page.route: in this Chromium the WebSocket of a worker fails when
 * its script was routed, or when it is a blob worker of a routed page.)
 */
export async function openOwnPage(anyPage: Page, display: Display, options: OwnPageOptions): Promise<void> {
  const page = asTestPage(anyPage);
  await preparePage(page);
  await page.goto(`${httpOrigin(display)}/health`);
  await page.setContent(ownPage(options));
}

/** Opens the full-page viewer served at `/` with the given query parameters. */
export async function openViewerPage(page: Page, display: Display, query = ''): Promise<void> {
  await openViewerAt(page, `${httpOrigin(display)}/${query ? `?${query}` : ''}`);
}

/** Opens the full-page viewer at any URL (e.g. under an attach() prefix), recording its view. */
export async function openViewerAt(anyPage: Page, url: string): Promise<void> {
  const page = asTestPage(anyPage);
  await preparePage(page);
  await page.goto(url);
}

export function viewLog(page: Page): Promise<ViewLog> {
  return asTestPage(page).evaluate(() => (globalThis as unknown as E2eGlobals).e2e);
}

function frameCount(page: Page): Promise<number> {
  return asTestPage(page).evaluate(() => (globalThis as unknown as E2eGlobals).e2e.frames.length);
}

/** Waits until the view has drawn at least `n` frames in all (generous timeout: the machine is shared). */
export async function waitForFrames(page: Page, n: number, timeoutMs = 20_000): Promise<void> {
  await asTestPage(page).waitForFunction((want) => (globalThis as unknown as E2eGlobals).e2e.frames.length >= want, n, timeoutMs);
}

/** Waits for `more` frames beyond those drawn so far. */
export async function waitForMoreFrames(page: Page, more: number, timeoutMs?: number): Promise<number> {
  const total = (await frameCount(page)) + more;
  await waitForFrames(page, total, timeoutMs);
  return total;
}

export async function waitForConfigs(page: Page, n: number, timeoutMs = 20_000): Promise<void> {
  await asTestPage(page).waitForFunction((want) => (globalThis as unknown as E2eGlobals).e2e.configs.length >= want, n, timeoutMs);
}

export interface Snapshot {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** The view's canvas pixels, read back through `view.snapshot()`. */
export async function snapshot(page: Page): Promise<Snapshot> {
  const s = await asTestPage(page).evaluate(async () => {
    const img = await (globalThis as unknown as E2eGlobals).rfbView.snapshot();
    let binary = '';
    for (let i = 0; i < img.data.length; i += 0x8000) binary += String.fromCharCode(...img.data.subarray(i, i + 0x8000));
    return { width: img.width, height: img.height, base64: (globalThis as unknown as { btoa(s: string): string }).btoa(binary) };
  });
  return { width: s.width, height: s.height, rgba: new Uint8Array(Buffer.from(s.base64, 'base64')) };
}

export interface PictureDifference {
  /** Mean absolute error of R, G and B (0-255). */
  mae: [number, number, number];
  /** PSNR over R, G and B together (dB). */
  psnrDb: number;
}

/** Compares two equally sized RGBA images on their colour channels (alpha ignored). */
export function pictureDifference(actual: Uint8Array, expected: Uint8Array): PictureDifference {
  if (actual.length !== expected.length) throw new Error(`sizes differ: ${actual.length} vs ${expected.length} bytes`);
  const abs = [0, 0, 0];
  let squares = 0;
  for (let i = 0; i < actual.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = actual[i + c] - expected[i + c];
      abs[c] += Math.abs(d);
      squares += d * d;
    }
  }
  const pixels = actual.length / 4;
  const mse = squares / (pixels * 3);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    mae: [round(abs[0] / pixels), round(abs[1] / pixels), round(abs[2] / pixels)],
    psnrDb: mse === 0 ? Infinity : round(10 * Math.log10((255 * 255) / mse)),
  };
}

export type Rgb = [number, number, number];

/** A frame of one colour. */
export function solidFrame(width: number, height: number, [r, g, b]: Rgb): RawFrame {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([r, g, b, 255], i);
  return createFrame({ data, width, height });
}

/** The canvas's mean colour, read back from the view. */
export async function meanColor(page: Page): Promise<Rgb> {
  const s = await snapshot(page);
  const sum = [0, 0, 0];
  for (let i = 0; i < s.rgba.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += s.rgba[i + c];
  const n = s.rgba.length / 4;
  return sum.map((v) => Math.round(v / n)) as Rgb;
}

/** Each channel within `tolerance` of the wanted colour. */
export const nearColor = (got: Rgb, want: Rgb, tolerance = 8) => got.every((v, c) => Math.abs(v - want[c]) <= tolerance);

/** Publishes `frame(i)` every `intervalMs` until stopped, so a view keeps getting frames. */
export function keepPublishing(display: Display, frame: (i: number) => FrameInput, intervalMs = 50): { stop(): void } {
  let i = 0;
  display.publish(frame(i++));
  const timer = setInterval(() => {
    if (!display.isClosed) display.publish(frame(i++));
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}

/** The display's one viewer, once it has been admitted. */
export async function theViewer(display: Display): Promise<ViewerInfo> {
  const viewers = await eventually(() => display.viewers(), (v) => v.length === 1, { timeoutMs: 20_000, what: 'one viewer' });
  return viewers[0];
}
