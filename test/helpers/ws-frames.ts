/**
 * WebSocket frames by hand (RFC 6455 §5.2), for tests that send what the `ws`
 * client never would: lying lengths, fragments, reserved bits, unmasked client
 * frames. Also the upgrade request, and a reader for the server's frames.
 */
export const OP = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

export interface FrameOptions {
  fin?: boolean;
  /** The three reserved bits, 0-7 (no extension is negotiated, so any set bit is a protocol error). */
  rsv?: number;
  /** Clients must mask; false sends an unmasked frame. */
  masked?: boolean;
  /** The payload length the header claims, when it is to differ from the bytes that follow. */
  declaredLength?: number;
}

/** One client frame: header, mask key and masked payload. */
export function clientFrame(opcode: number, payload: Uint8Array | string, options: FrameOptions = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const { fin = true, rsv = 0, masked = true } = options;
  const length = options.declaredLength ?? data.length;
  const extended = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const header = Buffer.alloc(2 + extended + (masked ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  header[1] = (masked ? 0x80 : 0) | (extended === 0 ? length : extended === 2 ? 126 : 127);
  if (extended === 2) header.writeUInt16BE(length, 2);
  if (extended === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (!masked) return Buffer.concat([header, data]);
  const key = header.subarray(2 + extended);
  key.set([0x37, 0xfa, 0x21, 0x3d]);
  const body = Buffer.from(data.map((b, i) => b ^ key[i & 3]));
  return Buffer.concat([header, body]);
}

/** A close frame's payload: the code, then the reason. */
export function closePayload(code: number, reason: Uint8Array | string = ''): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, Buffer.from(reason)]);
}

/** An upgrade request for `path`; `headers` adds to or replaces the usual ones (a null value drops one). */
export function upgradeRequest(path: string, headers: Record<string, string | null> = {}, method = 'GET'): string {
  const all: Record<string, string | null> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all).flatMap(([k, v]) => (v === null ? [] : [`${k}: ${v}`]));
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** The complete frames the server sent after its 101 response (server frames are never masked). */
export function serverFrames(received: Buffer): ServerFrame[] {
  const start = received.indexOf('\r\n\r\n');
  if (start < 0 || !received.subarray(0, 12).toString('latin1').includes(' 101')) return [];
  const frames: ServerFrame[] = [];
  let at = start + 4;
  while (at + 2 <= received.length) {
    const short = received[at + 1] & 0x7f;
    const extended = short === 126 ? 2 : short === 127 ? 8 : 0;
    if (at + 2 + extended > received.length) break;
    const length = extended === 0 ? short : extended === 2 ? received.readUInt16BE(at + 2) : Number(received.readBigUInt64BE(at + 2));
    const body = at + 2 + extended;
    if (body + length > received.length) break;
    frames.push({ opcode: received[at] & 0x0f, payload: received.subarray(body, body + length) });
    at = body + length;
  }
  return frames;
}

/** The code of the first close frame the server sent, if any. */
export function closeCodeOf(received: Buffer): number | undefined {
  const close = serverFrames(received).find((f) => f.opcode === OP.CLOSE);
  return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
}
