/**
 * The HTTP side channel under raw-TCP fuzzing (issue 15): malformed request
 * lines, methods and headers, huge headers, bodies on GET, pipelined requests
 * and requests that dribble in too slowly, on a hub's own port, on an
 * application's server with a hub mounted (whose deadlines the application
 * sets, as the target does), and on a relay. Every request is answered or refused without a
 * 500, every connection ends, slow ones are cut off by the server's deadlines,
 * and the process and its viewers carry on. The target runs in its own
 * process under `--unhandled-rejections=strict` (fuzz-process.ts).
 */
import { ConfigError, Hub } from 'rfbcast';

import { type HttpCase, httpCaseGenerator } from './helpers/fuzz-http-requests';
import { expectUnharmed, fuzzTargetScope } from './helpers/fuzz-process';
import { RawSocket } from './helpers/raw-socket';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const REQUESTS = 800;
const SLOW_REQUESTS = 16;
const CLIENTS = 8;
const TIME_LIMIT_MS = 30_000;
const ANSWER_DEADLINE_MS = 5000;

const fuzz = fuzzTargetScope({ relay: true });
/** The status codes of every response in `bytes` (pipelined responses follow one another). */
function statuses(bytes: Buffer): number[] {
  return [...bytes.toString('latin1').matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
}

/** How often each status was answered (none: the connection ended without an answer). */
const tally: Record<string, number> = {};

/** Runs one case; returns what went wrong, if anything. */
async function run(port: number, c: HttpCase): Promise<string | undefined> {
  const s = await RawSocket.open(port);
  try {
    if (c.head) s.write(c.head);
    if (c.dribbleMs === undefined) {
      s.write(c.bytes);
      // Our side is done: the server answers what it can, then ends the connection.
      s.end();
      if (!(await s.waitClosed(ANSWER_DEADLINE_MS))) return 'the server left the connection open';
    } else {
      const started = Date.now();
      for (let i = 0; i < c.bytes.length && !s.isClosed && !s.serverClosed; i++) {
        s.write(c.bytes.subarray(i, i + 1));
        await s.waitFor(() => s.serverClosed, c.dribbleMs);
      }
      if (!s.serverClosed) return `the server took the whole request in ${Date.now() - started} ms without cutting it off`;
    }
    const got = statuses(s.received);
    for (const status of got.length ? got : ['none']) tally[status] = (tally[status] ?? 0) + 1;
    if (got.includes(500)) return `answered 500 (a fault of ours): ${JSON.stringify(got)}`;
    if (c.responses !== undefined && got.length !== c.responses) return `${got.length} responses to ${c.responses} pipelined requests`;
    return undefined;
  } finally {
    s.destroy();
  }
}

it(`the side channel survives ${REQUESTS} malformed and ${SLOW_REQUESTS} slow raw HTTP requests (seed ${SEED})`, async () => {
  const servers = [
    { name: 'own', port: fuzz.target.own, gen: httpCaseGenerator(SEED, '') },
    { name: 'mounted', port: fuzz.target.mounted, gen: httpCaseGenerator(SEED + 1, '/rfb') },
    { name: 'relay', port: fuzz.target.relay, gen: httpCaseGenerator(SEED + 2, '') },
  ];
  // Drawn up front, so the requests are the same whatever order they finish in.
  const plan = [
    ...Array.from({ length: SLOW_REQUESTS }, (_, i) => ({ server: servers[i % servers.length], c: servers[i % servers.length].gen.slow() })),
    ...Array.from({ length: REQUESTS }, (_, i) => ({ server: servers[i % servers.length], c: servers[i % servers.length].gen.next() })),
  ];
  const failed: string[] = [];
  let done = 0;
  const started = Date.now();
  try {
    // The slow ones run alongside the rest, each holding a connection until the server cuts it.
    const slow = plan.slice(0, SLOW_REQUESTS);
    const quick = plan.slice(SLOW_REQUESTS);
    let next = 0;
    const client = async () => {
      while (next < quick.length && Date.now() - started < TIME_LIMIT_MS) {
        const i = next++;
        const p = quick[i];
        const problem = await run(p.server.port, p.c);
        done++;
        if (problem) failed.push(`#${SLOW_REQUESTS + i} ${p.server.name}: ${p.c.name}: ${problem}`);
      }
    };
    const checks = await fuzz.watchers.throughout(async () => {
      await Promise.all([
        ...slow.map(async (p, i) => {
          const problem = await run(p.server.port, p.c);
          done++;
          if (problem) failed.push(`#${i} ${p.server.name}: ${p.c.name}: ${problem}`);
        }),
        ...Array.from({ length: CLIENTS }, client),
      ]);
    });
    process.stderr.write(`http fuzz (seed ${SEED}): ${done} requests in ${Date.now() - started} ms, ${checks} streaming checks; statuses ${JSON.stringify(tally)}\n`);
    expect(failed.slice(0, 10)).toEqual([]);
    expect(done).toBe(plan.length);
    await expectUnharmed(fuzz.target, fuzz.watchers);
  } catch (error) {
    process.stderr.write(`http fuzz failed with FUZZ_SEED=${SEED}; target stderr:\n${fuzz.target.stderr()}\n`);
    throw error;
  }
}, 60_000);

describe('HTTP limits of a server the hub owns', () => {
  it.each([
    [{ headersTimeoutMs: 5000, requestTimeoutMs: 1000 }, 'headersTimeoutMs (5000) must not exceed requestTimeoutMs (1000)'],
    [{ maxHeaderBytes: 0 }, 'maxHeaderBytes must be a positive integer, got 0'],
    [{ requestTimeoutMs: 1.5 }, 'requestTimeoutMs must be a positive integer, got 1.5'],
  ])('are checked when it listens: %j is a ConfigError', async (limits, message) => {
    const hub = new Hub({ port: 0, ...limits });
    await expect(hub.listen()).rejects.toThrow(new ConfigError(message));
    await hub.close();
  });
});
