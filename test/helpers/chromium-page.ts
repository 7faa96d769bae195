/** Jest lifecycle for test files that evaluate scripts in one blank secure Chromium page. */
import type { Server } from 'node:http';

import type { Page } from 'playwright-core';

import { blankPage, type Browser, launchChromium } from './chromium';

/**
 * For a test file that evaluates scripts in one blank secure page: launches
 * Chromium before the file's tests and closes it after them.
 */
export function useBlankPage(): { readonly page: Page } {
  let browser: Browser | undefined;
  let server: Server | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
    server = await blankPage(browser.page);
  }, 60_000);
  afterAll(async () => {
    server?.close();
    await browser?.close();
  });
  return {
    get page(): Page {
      if (!browser) throw new Error('Chromium is not running (useBlankPage must be called at the top of a describe)');
      return browser.page;
    },
  };
}
