/** WebSocket close codes and reasons (PROTOCOL.md §16). */
import { WebSocket } from 'ws';

export const CLOSE = {
  GOING_AWAY: 1001,
  NO_TRANSPORT: 1003,
  TOO_BIG: 1009,
  INTERNAL: 1011,
  PROTOCOL: 4400,
  UNAUTHORIZED: 4401,
  UNKNOWN_STREAM: 4404,
  HELLO_TIMEOUT: 4408,
  TOO_SLOW: 4413,
} as const;

const encoder = new TextEncoder();

/** Close reasons are capped at 123 UTF-8 bytes (a 4404 reason holds a client-chosen name). */
export function closeReason(reason: string): string {
  if (encoder.encode(reason).length <= 123) return reason;
  let out = '';
  let bytes = 0;
  for (const ch of reason) {
    const n = encoder.encode(ch).length;
    if (bytes + n > 123) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** Closes with a code and a capped reason, unless the socket is already closing. */
export function closeWs(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, closeReason(reason));
}
