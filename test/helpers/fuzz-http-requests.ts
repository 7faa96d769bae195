/**
 * A seeded generator of raw HTTP/1.1 requests for the side-channel fuzz:
 * every route with odd and malformed request lines, methods, headers and
 * bodies, oversized headers, pipelined requests, and requests that dribble in
 * too slowly. Each says what the server must do with it.
 */
import { randomBytes, rng } from './yuv-reference';

export interface HttpCase {
  name: string;
  /** Sent in one write (or byte by byte, see `dribbleMs`). */
  bytes: Buffer;
  /**
   * `answer`: the server answers (any status but 500) or refuses, and ends the connection;
   * `cut`: the request is too slow, the server must end the connection before it is all sent.
   */
  expect: 'answer' | 'cut';
  /** Pipelined requests: this many responses must arrive. */
  responses?: number;
  /** Send one byte per this many ms. */
  dribbleMs?: number;
  /** Bytes sent at once before the dribble starts (a complete header block for a slow body). */
  head?: Buffer;
}

const ROUTES = [
  '/health',
  '/streams',
  '/streams/live/metrics',
  '/streams/nope/metrics',
  '/streams/%ZZ/metrics',
  '/streams/../metrics',
  '/metrics',
  '/recorded-events',
  '/recorded-events/reset',
  '/',
  '/index.html',
  '/rfbcast.js',
  '/../package.json',
  '/..%2f..%2fpackage.json',
  '/%2e%2e/%2e%2e/package.json',
  '/index.html%00.js',
  '/live',
  '/zz',
  '//',
  '/?a=%&b',
  '/%',
  '/\x7f',
];
const ODD_TARGETS = ['*', 'http://evil.example/health', 'health', '/health#x', `/streams/${'a'.repeat(4000)}/metrics`];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'FOO', 'get', 'G\x01T', 'PRI'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1', 'HTTP/1.1 extra', ''];
const ODD_HEADERS = [
  'Foo',
  ' Folded: line',
  'Foo : bar',
  'X\x00Nul: 1',
  'Content-Length: -1',
  'Content-Length: 1, 2',
  'Content-Length: 99999999999999999999',
  'Content-Length: 3\r\nContent-Length: 4',
  'Transfer-Encoding: chunked\r\nContent-Length: 5',
  'Transfer-Encoding: gzip, chunked',
  'Transfer-Encoding: identity',
  'Expect: 100-continue',
  'Expect: nonsense',
  'Upgrade: h2c\r\nConnection: Upgrade',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Host: a\r\nHost: b',
  'Cookie: ' + '%'.repeat(300),
];
const BODIES: Array<(r: () => number) => { headers: string[]; body: Buffer }> = [
  () => ({ headers: [], body: Buffer.alloc(0) }),
  (r) => {
    const body = Buffer.from(randomBytes(Math.floor(r() * 5000), Math.floor(r() * 2 ** 31)));
    return { headers: [`Content-Length: ${body.length}`], body };
  },
  () => ({ headers: ['Transfer-Encoding: chunked'], body: Buffer.from('5\r\nhello\r\n0\r\n\r\n') }),
  () => ({ headers: ['Transfer-Encoding: chunked'], body: Buffer.from('zz\r\nbad chunk\r\n') }),
  () => ({ headers: ['Transfer-Encoding: chunked'], body: Buffer.from('ffffffffffffffffff\r\nx\r\n') }),
  // More body promised than sent: only the request deadline ends it.
  () => ({ headers: ['Content-Length: 100000'], body: Buffer.from('partial') }),
];

export function httpCaseGenerator(seed: number, prefix: string) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const target = () => (r() < 0.85 ? (r() < 0.8 ? prefix : '') + pick(ROUTES) : pick(ODD_TARGETS));
  const request = (method: string, url: string, headers: string[], body: Buffer, version = 'HTTP/1.1') =>
    Buffer.concat([Buffer.from(`${method} ${url}${version ? ` ${version}` : ''}\r\n${['Host: 127.0.0.1', ...headers].map((h) => `${h}\r\n`).join('')}\r\n`, 'latin1'), body]);

  const cases: Array<() => HttpCase> = [
    () => {
      const method = pick(METHODS);
      const url = target();
      const { headers, body } = pick(BODIES)(r);
      const odd = r() < 0.4 ? [pick(ODD_HEADERS)] : [];
      return { name: `${method} ${url.slice(0, 60)} [${[...odd, ...headers].join('; ').slice(0, 60)}] body ${body.length}`, bytes: request(method, url, ['Connection: close', ...odd, ...headers], body, pick(VERSIONS)), expect: 'answer' };
    },
    () => {
      const line = Buffer.from(randomBytes(1 + Math.floor(r() * 200), Math.floor(r() * 2 ** 31)));
      return { name: 'random bytes', bytes: Buffer.concat([line, Buffer.from(r() < 0.5 ? '\r\n\r\n' : '')]), expect: 'answer' };
    },
    () => {
      const line = pick([`GET ${prefix}/health`, 'GET', `GET ${prefix}/health HTTP/1.1`, `GET ${prefix}/health HTTP/1.1\r\nHost: x`, '\r\n\r\n', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']);
      return { name: `truncated: ${JSON.stringify(line)}`, bytes: Buffer.from(line), expect: 'answer' };
    },
    () => {
      const n = 2 + Math.floor(r() * 3);
      const urls = Array.from({ length: n }, () => `${prefix}${pick(['/health', '/streams', '/streams/live/metrics', '/nope'])}`);
      const bytes = Buffer.concat(urls.map((u, i) => request('GET', u, i === n - 1 ? ['Connection: close'] : [], Buffer.alloc(0))));
      return { name: `pipelined ${urls.join(' ')}`, bytes, expect: 'answer', responses: n };
    },
    () => {
      const huge = pick([
        () => [`X-Big: ${'a'.repeat(20_000 + Math.floor(r() * 50_000))}`],
        () => Array.from({ length: 3000 }, (_, i) => `X-${i}: ${i}`),
        () => [],
      ])();
      const url = huge.length ? `${prefix}/health` : `${prefix}/health?${'q'.repeat(20_000)}`;
      return { name: `huge headers (${huge.length} lines, url ${url.length} chars)`, bytes: request('GET', url, ['Connection: close', ...huge], Buffer.alloc(0)), expect: 'answer' };
    },
  ];

  /** Requests too slow to finish: the headers, an upgrade's headers, or a body dribbled one byte at a time. */
  const slow: Array<() => HttpCase> = [
    () => ({ name: 'slow headers', bytes: request('GET', `${prefix}/health`, ['X-Pad: ' + 'p'.repeat(200)], Buffer.alloc(0)), expect: 'cut', dribbleMs: 40 }),
    () => ({
      name: 'slow upgrade headers',
      bytes: request('GET', `${prefix}/live`, ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', 'X-Pad: ' + 'p'.repeat(200)], Buffer.alloc(0)),
      expect: 'cut',
      dribbleMs: 40,
    }),
    () => ({ name: 'slow body on GET', head: request('GET', `${prefix}/health`, ['Content-Length: 400'], Buffer.alloc(0)), bytes: Buffer.alloc(400, 0x61), expect: 'cut', dribbleMs: 40 }),
    () => ({ name: 'slow body on POST', head: request('POST', `${prefix}/streams`, ['Content-Length: 400'], Buffer.alloc(0)), bytes: Buffer.alloc(400, 0x61), expect: 'cut', dribbleMs: 40 }),
  ];

  return { next: () => pick(cases)(), slow: () => pick(slow)() };
}
