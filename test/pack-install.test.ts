/**
 * rfbcast as a user gets it: `npm pack`, install the tarball into a fresh
 * project (its dependencies from the npm registry), serve a frame from that
 * install and view it in Chromium through the viewer the package ships.
 * The native addon built here is reused (copied in before the package's own
 * install script runs, which then finds it), so nothing is compiled twice.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, launchChromium } from './helpers/chromium';

const ROOT = join(__dirname, '..');
const COLOUR = [40, 170, 220];

const CONSUMER = `
const { serve } = require('rfbcast');
(async () => {
  const display = await serve(64, 48, { port: 0, imageMode: 'png' });
  process.stdout.write(JSON.stringify({ url: display.url }) + '\\n');
  setInterval(() => {
    const frame = new Uint8Array(64 * 48 * 4);
    for (let o = 0; o < frame.length; o += 4) frame.set(${JSON.stringify([...COLOUR, 255])}, o);
    display.publish(frame);
  }, 100);
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** A TypeScript consumer of all three entry points, as an application or plugin would write it. */
const TYPED_CONSUMER = `
import { createContainer, serve, type EncoderBackend, type InputEvent } from 'rfbcast';
import { ClockToken, systemClock, type Clock } from 'rfbcast/testing';
import { envelopeHead } from 'rfbcast/wire';
const c = createContainer();
const clock: Clock = systemClock;
c.register(ClockToken, { useValue: clock });
export const start = (): Promise<unknown> => serve(64, 48, { container: c });
export type Used = [EncoderBackend, InputEvent, typeof envelopeHead];
`;

/**
 * The installed declarations resolve for all three entry points, under both
 * the classic and the Node 16+ module resolution (subpath exports need
 * typesVersions for the former).
 */
function typeCheckConsumer(app: string): void {
  writeFileSync(join(app, 'consumer.ts'), TYPED_CONSUMER);
  for (const [module, moduleResolution] of [['commonjs', 'node10'], ['node16', 'node16']]) {
    const config = {
      compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, module, moduleResolution, typeRoots: [join(ROOT, 'node_modules', '@types')], types: ['node'] },
      files: ['consumer.ts'],
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(config));
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { encoding: 'utf8' });
  }
}

let dir: string;
let server: ChildProcess | undefined;
let browser: Browser | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rfbcast-pack-'));
});

afterAll(async () => {
  await browser?.close();
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

// npm's own output goes to files so a failure shows npm's error, not a hang.
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_nodedir: '/usr', npm_config_json: 'true' } });

it('packs the viewer, installs from the tarball, and serves a frame a browser shows', async () => {
  // npm test has built everything (scripts/bootstrap.sh); prepack would run the same build.
  const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--pack-destination', dir], ROOT)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const files = packed.files.map((f) => f.path);
  for (const f of ['dist/client/rfbcast.js', 'dist/client/index.html', 'dist/client/page.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'binding.gyp', 'native/addon.cc']) {
    expect(files).toContain(f);
  }
  expect(files.filter((f) => /^(test|bench|examples|dist\/test|dist\/bench)\//.test(f))).toEqual([]);

  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'rfbcast-consumer', private: true }));
  npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', join(dir, packed.filename)], app);
  const installed = join(app, 'node_modules', 'rfbcast');
  mkdirSync(join(installed, 'build', 'Release'), { recursive: true });
  copyFileSync(join(ROOT, 'build', 'Release', 'rfbcast.node'), join(installed, 'build', 'Release', 'rfbcast.node'));
  // The package's install script (node-gyp-build) finds the addon and builds nothing.
  npm(['rebuild', 'rfbcast', '--foreground-scripts'], app);
  expect(existsSync(join(installed, 'dist', 'client', 'index.html'))).toBe(true);
  typeCheckConsumer(app);

  writeFileSync(join(app, 'serve.js'), CONSUMER);
  server = spawn(process.execPath, ['serve.js'], { cwd: app, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { url: string }).url);
    });
    server!.once('exit', (code) => reject(new Error(`the consumer exited with ${code}`)));
  });

  browser = await launchChromium();
  const page = browser.page;
  await page.goto(url.replace(/^ws/, 'http').replace(/\/default$/, '/'));
  await page.waitForFunction(() => (window as unknown as { rfbView?: { frameSize: { width: number } } }).rfbView?.frameSize.width === 64, null, {
    timeout: 30_000,
  });
  const centre = await page.evaluate(async () => {
    const img = await (window as unknown as { rfbView: { snapshot(): Promise<ImageData> } }).rfbView.snapshot();
    const o = (Math.floor(img.height / 2) * img.width + Math.floor(img.width / 2)) * 4;
    return Array.from(img.data.subarray(o, o + 3));
  });
  centre.forEach((v, c) => expect(Math.abs(v - COLOUR[c])).toBeLessThanOrEqual(4));
}, 120_000);
