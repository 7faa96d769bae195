/**
 * A seeded generator of hostile client messages for the protocol fuzz test.
 * Each message says how the server must react: ignore it (the socket stays
 * open) or close the socket with a given code.
 */
import { rng } from './yuv-reference';

export interface FuzzMessage {
  data: string | Uint8Array;
  /** undefined: the server ignores it; otherwise the close code it must send. */
  closes?: number;
  kind: string;
  /** Send these bytes as a text frame (to test invalid UTF-8). */
  asText?: boolean;
}

type Gen = (r: () => number) => FuzzMessage;

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: () => number, max: number) => Math.floor(r() * max);

function randomBytes(r: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = int(r, 256);
  return out;
}

const WEIRD_VALUES: readonly unknown[] = [null, true, false, 0, -1, 1e308, -1e308, 'x', '', [], {}, [1, 2], { a: 1 }, 1.5];
const HUGE_NUMBERS = ['1e999', '-1e999', 'NaN', 'Infinity', '123456789012345678901234567890'];

const closing = (kind: string, data: string | Uint8Array, code = 4400): FuzzMessage => ({ kind, data, closes: code });
const ignored = (kind: string, data: string | Uint8Array): FuzzMessage => ({ kind, data });

/** Messages that must close the socket with 4400 (after the hello). */
const CLOSERS: Gen[] = [
  (r) => closing('not json', `{"type":${'x'.repeat(int(r, 40))}`),
  (r) => closing('truncated json', JSON.stringify({ type: 'ack', seq: int(r, 100) }).slice(0, 1 + int(r, 15))),
  (r) => closing('json scalar', pick(r, ['1', '"hello"', 'null', 'true', '[]', '[{"type":"ack"}]'])),
  (r) => closing('missing type', JSON.stringify({ seq: int(r, 9), kind: 'ack' })),
  (r) => closing('non-string type', JSON.stringify({ type: pick(r, WEIRD_VALUES.filter((v) => typeof v !== 'string')) })),
  (r) => closing('ack non-integer seq', JSON.stringify({ type: 'ack', seq: pick(r, [1.5, '3', null, [], {}, true]) })),
  (r) => closing('ack huge seq literal', `{"type":"ack","seq":${pick(r, HUGE_NUMBERS.filter((n) => n !== '123456789012345678901234567890'))}}`),
  (r) => closing('viewport not finite', `{"type":"set_viewport","width":${pick(r, ['1e999', 'null', '"640"', '[]'])},"height":480}`),
  (r) => closing('viewport missing', JSON.stringify({ type: 'set_viewport', width: int(r, 999) })),
  (r) => closing('event not object', JSON.stringify({ type: 'event', event: pick(r, [null, 1, 'x', [1], true]) })),
  (r) => closing('event without type', JSON.stringify({ type: 'event', event: { x: int(r, 10), y: 1 } })),
  (r) => closing('deep nesting', `${'['.repeat(5000 + int(r, 5000))}${']'.repeat(10)}`),
  (r) => ({ ...closing('invalid utf-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, int(r, 128)])), asText: true }),
  (r) => {
    const depth = 2000 + int(r, 2000);
    return closing('deep balanced nesting', `{"type":"ack","seq":${'['.repeat(depth)}${']'.repeat(depth)}}`);
  },
  (r) => closing('oversized', `{"type":"x","pad":"${'a'.repeat(70_000 + int(r, 10_000))}"}`, 1009),
];

/** Messages the server must tolerate without closing (after the hello). */
const IGNORED: Gen[] = [
  (r) => ignored('unknown type', JSON.stringify({ type: `x-${int(r, 1000)}`, payload: pick(r, WEIRD_VALUES) })),
  (r) => ignored('ack unknown seq', JSON.stringify({ type: 'ack', seq: int(r, 1e9) - 5e8, decode_queue_size: pick(r, WEIRD_VALUES) })),
  (r) => ignored('binary after hello', randomBytes(r, 1 + int(r, 512))),
  (r) => {
    // A claimed envelope length far beyond the data: the server ignores client binaries.
    const b = randomBytes(r, 16);
    new DataView(b.buffer).setUint32(0, 0xfffffff0, true);
    return ignored('lying length prefix', b);
  },
  (r) => ignored('event wrong field type', JSON.stringify({ type: 'event', event: { type: 'pointer_move', x: pick(r, [null, 'a', [], {}]), y: 2 } })),
  (r) => ignored('event unknown kind', JSON.stringify({ type: 'event', event: { type: `custom_${int(r, 50)}`, data: pick(r, WEIRD_VALUES) } })),
  (r) => ignored('second hello', JSON.stringify({ type: 'hello', supported: pick(r, [[], ['image/gif'], 5]) })),
  (r) => ignored('request_keyframe', JSON.stringify({ type: 'request_keyframe', reason: 'x'.repeat(int(r, 200)) })),
  () => ignored('decoder_reset', '{"type":"decoder_reset"}'),
  (r) => ignored('viewport huge', JSON.stringify({ type: 'set_viewport', width: 1e300, height: int(r, 1e6), pwidth: -5, pheight: 'x', ratio: null })),
  (r) => ignored('valid event', JSON.stringify({ type: 'event', event: { type: 'key_down', key: String.fromCharCode(65 + int(r, 26)), code: 'KeyA', modifiers: [], timestamp: r() } })),
];

/** Bad first messages: each must close with 4400 before any config. */
const BAD_HELLOS: Gen[] = [
  (r) => closing('binary before hello', randomBytes(r, 1 + int(r, 64))),
  (r) => closing('ack as hello', JSON.stringify({ type: 'ack', seq: int(r, 10) })),
  () => closing('hello supported not array', '{"type":"hello","supported":"image/jpeg"}'),
  () => closing('hello token not string', '{"type":"hello","supported":[],"token":42}'),
  (r) => closing('garbage hello', String.fromCharCode(...randomBytes(r, 1 + int(r, 30)).map((b) => 32 + (b % 90)))),
];

export function fuzzGenerator(seed: number) {
  const r = rng(seed);
  return {
    random: r,
    badHello: () => pick(r, BAD_HELLOS)(r),
    closer: () => pick(r, CLOSERS)(r),
    ignored: () => pick(r, IGNORED)(r),
  };
}
