/**
 * No network input can take the process down (issue 15). A real server runs in
 * its own process under `--unhandled-rejections=strict` (fuzz-process.ts);
 * hand-made WebSocket traffic reaches every route and connection state, on a
 * hub's own port, on one mounted on an application's server, and on a relay
 * serving the hub's streams through a real nats-server: refused
 * upgrades, an unknown stream, before the hello, while authenticate runs,
 * after a close was sent, in a session. Oversized, fragmented, binary and
 * malformed frames, and sockets cut halfway through a frame. Every attacked
 * connection must end, the process must live, and well-behaved viewers keep
 * receiving frames throughout.
 */
import { attackGenerator, type Attack, relayStates, type State, states } from './helpers/fuzz-connections';
import { expectUnharmed, fuzzTargetScope } from './helpers/fuzz-process';
import { httpStatus, RawSocket } from './helpers/raw-socket';
import { clientFrame, closeCodeOf, OP, serverFrames, upgradeRequest } from './helpers/ws-frames';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const CONNECTIONS = 1000;
const ATTACKERS = 6;
const TIME_LIMIT_MS = 40_000;
/** How long the server may take to end a connection it must end (generous: two busy cores). */
const CLOSE_DEADLINE_MS = 5000;

const fuzz = fuzzTargetScope({ relay: true });

describe('issue 15: an oversized message on a socket for no stream', () => {
  it.each([
    ['own port', () => fuzz.target.own, '/zz'],
    ['mounted server', () => fuzz.target.mounted, '/rfb/zz'],
    ['relay', () => fuzz.target.relay, '/zz'],
  ])('closes that socket and leaves the process and every viewer running (%s)', async (_where, port, path) => {
    const s = await RawSocket.open(port());
    s.write(upgradeRequest(path));
    expect(await s.waitFor((b) => closeCodeOf(b) !== undefined, CLOSE_DEADLINE_MS)).toBe(true);
    expect(closeCodeOf(s.received)).toBe(4404);
    // The server has sent its close; the client answers with 70 KB instead of a close frame.
    s.write(clientFrame(OP.TEXT, 'x'.repeat(70_000)));
    expect(await s.waitClosed(CLOSE_DEADLINE_MS)).toBe(true);
    await expectUnharmed(fuzz.target, fuzz.watchers);
  });

  it('also when the message arrives with the upgrade request, before the 101 is out', async () => {
    const s = await RawSocket.open(fuzz.target.own);
    s.write(Buffer.concat([Buffer.from(upgradeRequest('/zz')), clientFrame(OP.BINARY, new Uint8Array(70_000))]));
    expect(await s.waitClosed(CLOSE_DEADLINE_MS)).toBe(true);
    expect(closeCodeOf(s.received)).toBe(4404);
    await expectUnharmed(fuzz.target, fuzz.watchers);
  });

  it('on an existing stream closes that socket with 1009', async () => {
    const s = await RawSocket.open(fuzz.target.own);
    s.write(upgradeRequest('/live'));
    s.write(clientFrame(OP.TEXT, 'x'.repeat(70_000)));
    expect(await s.waitClosed(CLOSE_DEADLINE_MS)).toBe(true);
    expect(closeCodeOf(s.received)).toBe(1009);
    await expectUnharmed(fuzz.target, fuzz.watchers);
  });
});

interface Outcome {
  where: string;
  problem?: string;
  /** The close code was checked against the one expected. */
  codeChecked?: boolean;
}

/** Runs one hostile connection; returns what went wrong, if anything. */
async function attack(port: number, state: State, a: Attack, pipelined: boolean): Promise<Omit<Outcome, 'where'>> {
  const s = await RawSocket.open(port);
  try {
    const request = Buffer.from(upgradeRequest(state.path, state.headers, state.method));
    if (pipelined) {
      // Everything in one write: the frames reach the server with the upgrade request.
      s.write(Buffer.concat([request, ...state.setup, ...a.prelude, a.final]));
    } else {
      s.write(request);
      if (!(await s.waitFor((b) => b.includes('\r\n\r\n'), CLOSE_DEADLINE_MS))) return { problem: 'no answer to the upgrade' };
      const status = httpStatus(s.received);
      if (status !== state.status) return { problem: `upgrade answered ${String(status)}, expected ${state.status}` };
      for (const f of state.setup) s.write(f);
      if (state.awaitConfig && !(await s.waitFor((b) => serverFrames(b).some((f) => f.opcode === OP.TEXT), CLOSE_DEADLINE_MS))) {
        return { problem: 'no config after the hello' };
      }
      for (const f of a.prelude) s.write(f);
      s.write(a.final);
    }
    if (a.ending === 'server closes') {
      if (!(await s.waitClosed(CLOSE_DEADLINE_MS))) return { problem: 'the server left the connection open' };
      const expected = state.quiet && (state.awaitConfig || !a.preludeHasData) ? a.code : undefined;
      if (expected === undefined) return {};
      const got = closeCodeOf(s.received);
      return { codeChecked: true, problem: got === expected ? undefined : `closed with ${String(got)}, expected ${expected}` };
    }
    if (a.ending === 'end') {
      // Half-closed mid-frame: the rest will never come, and the server must let go.
      s.end();
      return (await s.waitClosed(CLOSE_DEADLINE_MS)) ? {} : { problem: 'the server kept a half-closed connection open' };
    }
    if (a.ending === 'destroy') s.destroy();
    else s.reset();
    return {};
  } finally {
    s.destroy();
  }
}

describe('route and state fuzzing', () => {
  it(`every route and connection state survives ${CONNECTIONS} hostile connections (seed ${SEED})`, async () => {
    const gen = attackGenerator(SEED);
    const servers = [
      { name: 'own', port: fuzz.target.own, states: states('') },
      { name: 'mounted', port: fuzz.target.mounted, states: states('/rfb') },
      { name: 'relay', port: fuzz.target.relay, states: relayStates() },
    ];
    // Drawn up front, so the connections are the same whatever order they finish in.
    const plan = Array.from({ length: CONNECTIONS }, () => {
      const server = gen.pick(servers);
      return { server, state: gen.pick(server.states), attack: gen.attack(), pipelined: gen.random() < 0.25 };
    });
    const outcomes: Outcome[] = [];
    const started = Date.now();
    let next = 0;
    const attacker = async () => {
      while (next < plan.length && Date.now() - started < TIME_LIMIT_MS) {
        const p = plan[next++];
        const where = `#${next - 1} ${p.server.name} ${p.state.path} [${p.state.name}] ${p.attack.name}${p.pipelined ? ' (pipelined)' : ''} -> ${p.attack.ending}`;
        outcomes.push({ where, ...(await attack(p.server.port, p.state, p.attack, p.pipelined)) });
      }
    };
    try {
      const streamingChecks = await fuzz.watchers.throughout(async () => {
        await Promise.all(Array.from({ length: ATTACKERS }, attacker));
      });
      const failed = outcomes.filter((o) => o.problem).map((o) => `${o.where}: ${o.problem}`);
      const tally = plan.slice(0, outcomes.length).reduce<Record<string, number>>((acc, p) => ({ ...acc, [p.state.name]: (acc[p.state.name] ?? 0) + 1 }), {});
      const checked = outcomes.filter((o) => o.codeChecked).length;
      process.stderr.write(
        `route fuzz (seed ${SEED}): ${outcomes.length} connections in ${Date.now() - started} ms, ${checked} close codes checked, ${streamingChecks} streaming checks; states ${JSON.stringify(tally)}\n`,
      );
      expect(failed.slice(0, 10)).toEqual([]);
      expect(outcomes.length).toBe(CONNECTIONS);
      await expectUnharmed(fuzz.target, fuzz.watchers);
    } catch (error) {
      const last = outcomes.slice(-ATTACKERS).map((o) => o.where);
      process.stderr.write(`route fuzz failed with FUZZ_SEED=${SEED}; last connections: ${JSON.stringify(last)}\ntarget stderr:\n${fuzz.target.stderr()}\n`);
      throw error;
    }
  }, 90_000);
});
