/**
 * `npm run bench -- <suite> [--json] [--frames N] [--sizes 1280x720,1920x1080]`
 * Prints one JSON object (shared/BENCH.md) with --json; progress goes to stderr.
 */
import 'reflect-metadata';

import { conversionSuite } from './conversion';
import { e2eSuite } from './e2e';
import { type BenchArgs, report, type Suite, SuiteSkipped } from './harness';
import { imageSuite } from './image';
import { relaySuite } from './relay';
import { scenesSuite } from './scenes';
import { viewersSuite } from './viewers';
import { vtencSuite } from './vtenc';
import { x264Suite } from './x264';

const SUITES: Record<string, Suite> = {
  conversion: conversionSuite,
  x264: x264Suite,
  image: imageSuite,
  vtenc: vtencSuite,
  e2e: e2eSuite,
  viewers: viewersSuite,
  relay: relaySuite,
  scenes: scenesSuite,
};

function parseArgs(argv: string[]): { suite: string; args: BenchArgs } {
  const args: BenchArgs = { json: false };
  let suite = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--frames') args.frames = Number(argv[++i]);
    else if (a === '--sizes') {
      args.sizes = argv[++i].split(',').map((s) => s.split('x').map(Number) as [number, number]);
    } else if (a.startsWith('--')) args[a.slice(2)] = argv[i + 1]?.startsWith('--') ? true : argv[++i];
    else suite = a;
  }
  return { suite, args };
}

async function main(): Promise<void> {
  const { suite, args } = parseArgs(process.argv.slice(2));
  const run = SUITES[suite];
  if (!run) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(SUITES).join('|')}> [--json] [--frames N] [--sizes WxH,...]\n`);
    process.exit(2);
  }
  try {
    report(suite, await run(args), args.json);
  } catch (error) {
    if (!(error instanceof SuiteSkipped)) throw error;
    report(suite, [], args.json, error.message);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
