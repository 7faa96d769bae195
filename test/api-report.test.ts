/**
 * The package root's public surface is recorded in etc/rfbcast.api.md
 * (API Extractor, from the built declarations that `npm test` has just
 * compiled). A change to it fails here until the report is updated on
 * purpose with `npm run api` and reviewed in the diff.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

it('matches the checked-in API report (update it with `npm run api`)', () => {
  let output = '';
  let failed = false;
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'api-extractor'), ['run'], { cwd: ROOT, encoding: 'utf8' });
  } catch (error) {
    failed = true;
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  expect(failed ? output : '').toBe('');
}, 60_000);
