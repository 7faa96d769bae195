/** `npm run bench -- vtenc` off a Mac: a valid report with no rows and the reason it skipped. */
import { report, SuiteSkipped } from '../bench/harness';
import { vtencSuite } from '../bench/vtenc';

(process.platform === 'darwin' ? it.skip : it)('skips with the reason, and --json still prints a valid report', async () => {
  const error = (await vtencSuite({ json: true }).catch((e: unknown) => e)) as Error;
  expect(error).toBeInstanceOf(SuiteSkipped);
  expect(error.message).toBe('vtenc is unavailable: not macOS');
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    report('vtenc', [], true, error.message);
    report('vtenc', [], false, error.message);
  } finally {
    spy.mockRestore();
  }
  expect(JSON.parse(written[0])).toMatchObject({ suite: 'vtenc', rows: [], skipped: 'vtenc is unavailable: not macOS' });
  expect(written[1]).toBe('vtenc: skipped: vtenc is unavailable: not macOS\n');
});
