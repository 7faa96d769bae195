/**
 * `npm run docs` builds the API reference with TypeDoc. Here it runs without
 * writing files, treating warnings as errors: every exported symbol of the
 * three entry points is documented (typedoc.json's `requiredToBeDocumented`),
 * every `{@link}` resolves, and nothing public refers to an unexported type.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

it('builds the API reference with no warnings (every exported symbol documented)', () => {
  let output = '';
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--emit', 'none', '--treatWarningsAsErrors'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    output = `${e.stdout ?? ''}${e.stderr ?? ''}` || String(error);
  }
  expect(output).toBe('');
}, 120_000);
