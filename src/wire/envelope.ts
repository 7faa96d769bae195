/**
 * The binary envelope (PROTOCOL.md §6.1): uint32 little-endian header length,
 * a compact pure-ASCII JSON header, then the payload. Free of Node APIs: the
 * server and the browser client share this module.
 */

/** A binary message's JSON header (PROTOCOL.md §6.1). */
export type Header = Record<string, unknown>;

/** A decoded binary message: its JSON header and its payload (§6.1). */
export interface Envelope {
  header: Header;
  payload: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const hex4 = (code: number) => code.toString(16).padStart(4, '0');

/**
 * Compact JSON in key insertion order, escaped to pure ASCII: JSON.stringify
 * already writes the short escapes and lowercase \u00XX for control characters;
 * every other code unit outside U+0020..U+007E becomes \uXXXX (lowercase), so
 * astral characters come out as surrogate pairs.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${hex4(c.charCodeAt(0))}`);
}

/**
 * The length prefix and header: everything before the payload. A sender can
 * write this and then the payload as the same message, so one payload shared
 * by many receivers is never copied.
 */
export function envelopeHead(header: Header): Uint8Array {
  const json = encoder.encode(asciiJson(header));
  const head = new Uint8Array(4 + json.length);
  new DataView(head.buffer).setUint32(0, json.length, true);
  head.set(json, 4);
  return head;
}

/** One binary message: length prefix, ASCII JSON header, payload (§6.1). */
export function packEnvelope(header: Header, payload: Uint8Array): Uint8Array {
  const head = envelopeHead(header);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** The length prefix is treated as hostile (§17 H10): it is checked before any slicing. */
export function unpackEnvelope(data: ArrayBuffer | Uint8Array): Envelope {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength < 4) throw new Error('buffer too small to contain a header length prefix');
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (n > bytes.byteLength - 4) throw new Error(`buffer truncated: need ${4 + n} bytes, have ${bytes.byteLength}`);
  const header: unknown = JSON.parse(decoder.decode(bytes.subarray(4, 4 + n)));
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new Error('envelope header is not a JSON object');
  }
  return { header: header as Header, payload: bytes.subarray(4 + n) };
}
