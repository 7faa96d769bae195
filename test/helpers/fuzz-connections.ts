/**
 * A seeded generator of hostile WebSocket connections for the route fuzz:
 * which server (own port or mounted), which route and connection state the
 * attack reaches, a prelude of frames, and a final attack that either the
 * server must answer by closing the connection, or that cuts the connection
 * halfway through a frame. Frames are made by hand (ws-frames.ts), so they
 * include what no real client sends.
 */
import { fuzzGenerator } from './fuzz-messages';
import { randomBytes } from './yuv-reference';
import { clientFrame, closePayload, OP } from './ws-frames';

/** A route and connection state, and how to reach it. */
export interface State {
  name: string;
  path: string;
  headers?: Record<string, string | null>;
  method?: string;
  /** The HTTP status the upgrade gets. */
  status: number;
  /** Frames sent right after the upgrade to reach the state (a hello, a bad first message). */
  setup: Buffer[];
  /** Wait for the stream's config before attacking (an admitted session). */
  awaitConfig?: boolean;
  /** The server has not closed by itself: a terminal attack gets the close code it names. */
  quiet: boolean;
}

const hello = (token?: string) => clientFrame(OP.TEXT, JSON.stringify({ type: 'hello', supported: ['image/jpeg'], ...(token ? { token } : {}) }));

/** Every route and connection state under a hub's mount `prefix` ('' for a hub on its own port). */
/** On a relay: its streams are the origin's, with no per-stream viewer limit or authenticate hook. */
export function relayStates(): State[] {
  return states('').filter((s) => !s.path.includes('/full') && !s.path.includes('auth.1'));
}

export function states(prefix: string): State[] {
  const list: State[] = [
    { name: 'refused: origin', path: '/live', headers: { Origin: 'http://evil.example' }, status: 403, setup: [], quiet: false },
    { name: 'refused: stream full', path: '/full', status: 503, setup: [], quiet: false },
    { name: 'refused: bad version', path: '/live', headers: { 'Sec-WebSocket-Version': '7' }, status: 400, setup: [], quiet: false },
    { name: 'refused: no key', path: '/live', headers: { 'Sec-WebSocket-Key': null }, status: 400, setup: [], quiet: false },
    { name: 'refused: bad subprotocol header', path: '/live', headers: { 'Sec-WebSocket-Protocol': ',, x y' }, status: 400, setup: [], quiet: false },
    { name: 'refused: POST upgrade', path: '/live', method: 'POST', status: 405, setup: [], quiet: false },
    { name: 'unknown stream', path: '/zz', status: 101, setup: [], quiet: false },
    { name: 'undecodable stream name', path: '/%E0%A4%A', status: 101, setup: [], quiet: false },
    { name: 'before hello', path: '/live', status: 101, setup: [], quiet: true },
    { name: 'authenticate running', path: '/auth.1', status: 101, setup: [hello('good')], quiet: false },
    { name: 'authenticate about to reject', path: '/auth.1', status: 101, setup: [hello('bad')], quiet: false },
    { name: 'after a close was sent', path: '/live', status: 101, setup: [clientFrame(OP.TEXT, '{"type":"ack","seq":1}')], quiet: false },
    { name: 'session', path: '/live', status: 101, setup: [hello()], awaitConfig: true, quiet: true },
    { name: 'authenticated session', path: '/auth.1', status: 101, setup: [hello('good')], awaitConfig: true, quiet: true },
    { name: 'authenticated session, target like a URL host', path: '//auth.1/x?t=%ZZ', status: 101, setup: [hello('good')], awaitConfig: true, quiet: true },
    { name: 'stream path with query', path: '/live?x=%ZZ&y', status: 101, setup: [hello()], awaitConfig: true, quiet: true },
  ];
  for (const s of list) s.path = prefix + s.path;
  // On an application's server with no other upgrade handler, nobody else would answer this one.
  if (prefix) list.push({ name: 'outside the mount', path: '/elsewhere', status: 404, setup: [], quiet: false });
  return list;
}

export interface Attack {
  name: string;
  prelude: Buffer[];
  /** The last bytes sent. */
  final: Buffer;
  /** How the client ends: wait for the server to close, or cut the connection itself. */
  ending: 'server closes' | 'end' | 'destroy' | 'reset';
  /** The close code the server must send, if the state was quiet and the prelude did not close it. */
  code?: number;
  /** The prelude has data messages: before the hello the first of them closes the socket (4400). */
  preludeHasData: boolean;
}

const LIMIT = 64 * 1024;

export function attackGenerator(seed: number) {
  const messages = fuzzGenerator(seed);
  const r = messages.random;
  const int = (max: number) => Math.floor(r() * max);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const bytes = (n: number) => Buffer.from(randomBytes(n, int(2 ** 31)));

  /** Splits a message into 2-4 fragments, sometimes with a ping between them (allowed by RFC 6455 §5.4). */
  const fragmented = (opcode: number, data: Buffer): Buffer[] => {
    const cuts = [0, ...Array.from({ length: 1 + int(3) }, () => int(data.length + 1)).sort((a, b) => a - b), data.length];
    return cuts.slice(1).flatMap((end, i) => {
      const part = clientFrame(i === 0 ? opcode : OP.CONTINUATION, data.subarray(cuts[i], end), { fin: i === cuts.length - 2 });
      return r() < 0.3 ? [clientFrame(OP.PING, bytes(int(20))), part] : [part];
    });
  };

  /** Frames that close nothing by themselves in a session (a hello-less socket closes on any data message). */
  const preludeStep = (): { frames: Buffer[]; data: boolean } => {
    const m = messages.ignored();
    const data = Buffer.from(m.data);
    const opcode = typeof m.data === 'string' ? OP.TEXT : OP.BINARY;
    return pick<() => { frames: Buffer[]; data: boolean }>([
      () => ({ frames: [clientFrame(OP.PING, bytes(int(126)))], data: false }),
      () => ({ frames: [clientFrame(OP.PONG, bytes(int(126)))], data: false }),
      () => ({ frames: [clientFrame(opcode, data)], data: true }),
      () => ({ frames: fragmented(opcode, data), data: true }),
    ])();
  };

  const protocolErrors: Array<() => Buffer> = [
    () => clientFrame(OP.TEXT, 'unmasked', { masked: false }),
    () => clientFrame(OP.TEXT, '{}', { rsv: 1 + int(7) }),
    () => clientFrame(pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]), bytes(int(10))),
    () => clientFrame(OP.PING, bytes(3), { fin: false }),
    () => clientFrame(OP.PING, bytes(126 + int(200))),
    () => clientFrame(OP.CONTINUATION, bytes(1 + int(10))),
    () => Buffer.concat([clientFrame(OP.TEXT, '{"ty', { fin: false }), clientFrame(OP.BINARY, bytes(4))]),
    () => clientFrame(OP.CLOSE, bytes(1)),
    () => clientFrame(OP.CLOSE, closePayload(pick([0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535]))),
  ];

  const attacks: Array<() => Omit<Attack, 'prelude' | 'preludeHasData'>> = [
    () => {
      const declared = LIMIT + 1 + int(200_000);
      return { name: 'oversized message', final: clientFrame(pick([OP.TEXT, OP.BINARY]), bytes(int(declared)), { declaredLength: declared }), ending: 'server closes', code: 1009 };
    },
    () => {
      const parts: Buffer[] = [];
      for (let sent = 0; sent <= LIMIT; ) {
        const n = 4096 + int(30_000);
        parts.push(clientFrame(parts.length === 0 ? OP.BINARY : OP.CONTINUATION, bytes(n), { fin: false }));
        sent += n;
      }
      return { name: 'oversized in fragments', final: Buffer.concat(parts), ending: 'server closes', code: 1009 };
    },
    () => ({ name: 'length beyond 2^53', final: clientFrame(OP.BINARY, bytes(8), { declaredLength: 2 ** 53 + int(1000) }), ending: 'server closes', code: 1009 }),
    () => ({ name: 'protocol error', final: pick(protocolErrors)(), ending: 'server closes', code: 1002 }),
    () => ({ name: 'close frame', final: clientFrame(OP.CLOSE, closePayload(1000, 'bye')), ending: 'server closes', code: 1000 }),
    () => {
      const declared = 10 + int(LIMIT);
      const frame = clientFrame(pick([OP.TEXT, OP.BINARY, OP.PING, OP.CLOSE]), bytes(declared), { declaredLength: declared });
      return { name: 'cut mid-frame', final: frame.subarray(0, 1 + int(frame.length - 1)), ending: pick(['end', 'destroy', 'reset'] as const) };
    },
    () => ({ name: 'random bytes, then cut', final: bytes(1 + int(3000)), ending: pick(['end', 'destroy', 'reset'] as const) }),
  ];

  return {
    random: r,
    pick,
    attack(): Attack {
      const steps = Array.from({ length: int(5) }, preludeStep);
      return { ...pick(attacks)(), prelude: steps.flatMap((s) => s.frames), preludeHasData: steps.some((s) => s.data) };
    },
  };
}
