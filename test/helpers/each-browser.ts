/** Jest: one describe block run in every browser of BROWSERS (kept apart from browsers.ts, which bench/ compiles without jest). */
import { BROWSERS, type BrowserKind } from './browsers';

/**
 * `describe` once per browser, the body getting the browser's kind; a browser
 * that is not installed gets one skipped test naming the reason, which is
 * also logged.
 */
export function describeEachBrowser(title: string, body: (kind: BrowserKind) => void): void {
  describe.each(BROWSERS.map((kind) => [kind.name, kind] as const))(`%s: ${title}`, (_name, kind) => {
    if (kind.missing) {
      console.warn(`skipping ${kind.name} e2e tests: ${kind.missing}`);
      it.skip(`${kind.name} is not installed: ${kind.missing}`, () => undefined);
      return;
    }
    body(kind);
  });
}
