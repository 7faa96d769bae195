/**
 * Built files for tests that run them as a user would (the CLI, examples,
 * the soak program). `npm test` builds first; a file run alone with
 * `npx jest` may find a dist/ older than the sources, and running it would
 * test yesterday's code. Such a test fails at once, naming the newer source.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** The checkout: two levels up from test/helpers under jest, three from dist/test/helpers (compiled, for the benchmarks). */
const UP = join(__dirname, '..', '..');
const ROOT = basename(UP) === 'dist' ? join(UP, '..') : UP;
/** What scripts/bootstrap.sh compiles into dist/ (its `typescript` step). */
const SOURCES = ['src', 'bench', 'examples', join('test', 'helpers'), join('scripts', 'build-client.js'), 'tsconfig.json', 'package.json'];
const STAMP = join(ROOT, 'dist', '.built');

function newerThan(path: string, ms: number): string | undefined {
  if (!existsSync(path)) return undefined;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs > ms ? path : undefined;
  for (const entry of readdirSync(path)) {
    const found = newerThan(join(path, entry), ms);
    if (found) return found;
  }
  return undefined;
}

let checked = false;

/** The path of dist/<parts>, after checking that dist/ is as new as every source it is built from. */
export function distFile(...parts: string[]): string {
  if (!checked) {
    if (!existsSync(STAMP)) throw new Error('dist/ has not been built: run `npm run bootstrap` (npm test does it first)');
    const builtAt = statSync(STAMP).mtimeMs;
    for (const source of SOURCES) {
      const newer = newerThan(join(ROOT, source), builtAt);
      if (newer) throw new Error(`dist/ is stale: ${newer.slice(ROOT.length + 1)} changed after the last build; run \`npm run bootstrap\``);
    }
    checked = true;
  }
  return join(ROOT, 'dist', ...parts);
}
