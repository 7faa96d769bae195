/**
 * The browsers the e2e tests run in, behind one small page interface so a
 * test body is written once: headless Debian Chromium through playwright-core
 * (chromium.ts), and Debian's firefox-esr through puppeteer-core over WebDriver
 * BiDi (no browser download). each-browser.ts runs a describe block in each.
 *
 * No DOM types here (bench/ compiles without the DOM library): functions run
 * in the page are typed by their arguments and results only.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page as PlaywrightPage } from 'playwright-core';
import puppeteer, { type Browser as PuppeteerBrowser, type Page as PuppeteerPage } from 'puppeteer-core';

import { CHROMIUM_PATH, launchChromium, type LaunchOptions } from './chromium';

export type BrowserName = 'chromium' | 'firefox';

export type MouseButton = 'left' | 'right' | 'middle';

/** What the e2e tests do with a page, in either browser. */
export interface TestPage {
  readonly browserName: BrowserName;
  goto(url: string): Promise<void>;
  setContent(html: string): Promise<void>;
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Polls `fn(arg)` in the page until it is truthy. */
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, timeoutMs?: number): Promise<void>;
  /** Runs `fn` in every document this page loads, before the document's own scripts. */
  addInitScript(fn: () => void): Promise<void>;
  setViewport(width: number, height: number): Promise<void>;
  screenshot(path: string): Promise<Uint8Array>;
  mouse: {
    move(x: number, y: number): Promise<void>;
    down(button?: MouseButton): Promise<void>;
    up(button?: MouseButton): Promise<void>;
    wheel(dx: number, dy: number): Promise<void>;
  };
  keyboard: { down(key: string): Promise<void>; up(key: string): Promise<void>; press(key: string): Promise<void> };
  close(): Promise<void>;
}

export interface TestBrowser {
  readonly name: BrowserName;
  /** The page the browser opened with. */
  readonly page: TestPage;
  newPage(): Promise<TestPage>;
  close(): Promise<void>;
}

const POLL_MS = 50;
const WAIT_MS = 20_000;

const adapted = new WeakMap<object, TestPage>();

/** A playwright page seen through TestPage (the same object for the same page). */
export function playwrightPage(page: PlaywrightPage): TestPage {
  const known = adapted.get(page);
  if (known) return known;
  const t: TestPage = {
    browserName: 'chromium',
    goto: async (url) => void (await page.goto(url)),
    setContent: (html) => page.setContent(html),
    // The drivers' own argument types (handles, serialisation) are narrower than these tests need.
    evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg?: A) => page.evaluate(fn as never, arg as never) as Promise<R>,
    waitForFunction: async (fn, arg, timeoutMs = WAIT_MS) => void (await page.waitForFunction(fn as never, arg as never, { timeout: timeoutMs, polling: POLL_MS })),
    addInitScript: async (fn) => void (await page.addInitScript(fn)),
    setViewport: (width, height) => page.setViewportSize({ width, height }),
    screenshot: (path) => page.screenshot({ path }),
    mouse: {
      move: (x, y) => page.mouse.move(x, y),
      down: (button) => page.mouse.down(button ? { button } : {}),
      up: (button) => page.mouse.up(button ? { button } : {}),
      wheel: (dx, dy) => page.mouse.wheel(dx, dy),
    },
    keyboard: { down: (k) => page.keyboard.down(k), up: (k) => page.keyboard.up(k), press: (k) => page.keyboard.press(k) },
    close: () => page.close(),
  };
  adapted.set(page, t);
  return t;
}

/** A puppeteer page (Firefox over BiDi) seen through TestPage. */
function puppeteerPage(page: PuppeteerPage): TestPage {
  return {
    browserName: 'firefox',
    goto: async (url) => void (await page.goto(url)),
    setContent: (html) => page.setContent(html),
    evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg?: A) => page.evaluate(fn as never, arg as never) as Promise<R>,
    waitForFunction: async (fn, arg, timeoutMs = WAIT_MS) => void (await page.waitForFunction(fn as never, { timeout: timeoutMs, polling: POLL_MS }, arg as never)),
    addInitScript: async (fn) => void (await page.evaluateOnNewDocument(fn)),
    // Keeps the device pixel ratio the page was launched with (puppeteer would reset it to 1).
    setViewport: (width, height) => page.setViewport({ width, height, deviceScaleFactor: page.viewport()?.deviceScaleFactor ?? 1 }),
    screenshot: (path) => page.screenshot({ path }),
    mouse: {
      move: (x, y) => page.mouse.move(x, y),
      down: (button) => page.mouse.down(button ? { button } : {}),
      up: (button) => page.mouse.up(button ? { button } : {}),
      wheel: (deltaX, deltaY) => page.mouse.wheel({ deltaX, deltaY }),
    },
    keyboard: {
      down: (k) => page.keyboard.down(k as never),
      up: (k) => page.keyboard.up(k as never),
      press: (k) => page.keyboard.press(k as never),
    },
    close: () => page.close(),
  };
}

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * Firefox preferences for tests: no first-run pages, updates or telemetry,
 * and WebCodecs with the system ffmpeg's H.264 decoder (on by default in this
 * ESR; set so that a build with other defaults still decodes).
 */
const FIREFOX_PREFS: Record<string, unknown> = {
  'dom.media.webcodecs.enabled': true,
  'media.ffmpeg.enabled': true,
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
};

async function launchFirefox(options: LaunchOptions): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'rfbcast-firefox-'));
  const browser: PuppeteerBrowser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: FIREFOX_PREFS,
    defaultViewport: options.viewport ? { ...options.viewport, deviceScaleFactor: options.deviceScaleFactor ?? 1 } : null,
  });
  const first = (await browser.pages())[0] ?? (await browser.newPage());
  if (options.viewport) await first.setViewport({ ...options.viewport, deviceScaleFactor: options.deviceScaleFactor ?? 1 });
  return {
    name: 'firefox',
    page: puppeteerPage(first),
    newPage: async () => puppeteerPage(await browser.newPage()),
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

async function launchChromiumPage(options: LaunchOptions): Promise<TestBrowser> {
  const browser = await launchChromium(options);
  return {
    name: 'chromium',
    page: playwrightPage(browser.page),
    newPage: async () => playwrightPage(await browser.context.newPage()),
    close: () => browser.close(),
  };
}

export interface BrowserKind {
  name: BrowserName;
  /** Why it cannot run here, when it cannot. */
  missing?: string;
  launch(options?: LaunchOptions): Promise<TestBrowser>;
}

const missingExecutable = (path: string, pkg: string) =>
  existsSync(path) ? undefined : `${path} not found (install ${pkg}: scripts/bootstrap.sh does)`;

export const BROWSERS: readonly BrowserKind[] = [
  { name: 'chromium', missing: missingExecutable(CHROMIUM_PATH, 'chromium'), launch: (o = {}) => launchChromiumPage(o) },
  { name: 'firefox', missing: missingExecutable(FIREFOX_PATH, 'firefox-esr'), launch: (o = {}) => launchFirefox(o) },
];
