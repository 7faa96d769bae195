/**
 * The slice of a WebSocket a session uses. A `ws` WebSocket satisfies it;
 * keeping it small documents exactly what a session does with its socket.
 */
export interface ViewerSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string | Uint8Array, cb?: (err?: Error) => void): void;
  /** `fin: false` starts a fragmented message; the next send continues it. */
  send(data: Uint8Array, options: { binary: boolean; fin: boolean }, cb?: (err?: Error) => void): void;
  close(code: number, reason: string): void;
  /** Destroys the connection without a closing handshake. */
  terminate(): void;
}

export const OPEN = 1;
