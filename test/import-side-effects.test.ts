/**
 * Importing rfbcast does nothing but define things: no native addon loads,
 * no container or registry is built, no timer or handle keeps the process
 * alive. The process-wide container is built on first use instead. Checked
 * on the built package in a fresh process, as an application would load it.
 * (Before, importing the root built the process-wide container, registered
 * the backends in it and resolved Metal.)
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** Runs `body` in a fresh Node process after requiring `entry`; returns its JSON output. */
function inFreshProcess(entry: string, body: string): Record<string, unknown> {
  const script = `
    const loadedAddons = () => Object.keys(require.cache).filter((f) => f.endsWith('.node'));
    // pino opens process.stdout when it is first required (stdout is a pipe here): not ours, and it keeps nothing alive.
    const handles = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
    // Count the containers built: rfbcast's own is a child of tsyringe's global one.
    require('reflect-metadata');
    const { container } = require('tsyringe');
    let containersBuilt = 0;
    const createChild = container.createChildContainer.bind(container);
    container.createChildContainer = () => (containersBuilt++, createChild());
    const before = handles();
    const m = require(${JSON.stringify(join(ROOT, entry))});
    const out = { addonsAfterImport: loadedAddons(), newHandles: handles().filter((h) => !before.includes(h)), containersBuilt };
    (async () => { ${body} })().then(() => process.stdout.write(JSON.stringify(out)), (e) => { console.error(e); process.exit(1); });
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, RFBCAST_LOG_LEVEL: 'silent' } }));
}

it.each(['dist/src/index.js', 'dist/src/testing.js', 'dist/src/wire/index.js'])('importing %s loads no addon and starts nothing', (entry) => {
  const out = inFreshProcess(entry, '');
  expect(out.addonsAfterImport).toEqual([]);
  expect(out.newHandles).toEqual([]);
  expect(out.containersBuilt).toBe(0);
});

it('builds the process-wide container, with the built-in backends, on first use', () => {
  const out = inFreshProcess(
    'dist/src/index.js',
    `out.backends = m.registryOf().list().map((d) => d.name);
     out.sameMetal = m.metalOf() === m.metalOf();
     out.childSeesRoot = m.registryOf(m.createContainer()).list().length === out.backends.length;
     out.containersBuilt = containersBuilt;`,
  );
  expect(out.backends).toEqual(expect.arrayContaining(['libx264', 'image', 'vtenc']));
  expect(out.sameMetal).toBe(true);
  expect(out.childSeesRoot).toBe(true);
  expect(out.containersBuilt).toBe(1);
});
