/**
 * A plain TCP connection for tests that must send what no well-behaved client
 * would: hand-made WebSocket frames, malformed HTTP, bytes dribbled one at a
 * time, a socket cut halfway through a frame. It records everything received
 * and when the server closed its side.
 */
import { connect, type Socket } from 'node:net';

export class RawSocket {
  private readonly chunks: Buffer[] = [];
  private waiters: Array<() => void> = [];
  private ended = false;
  /** Resolves when the connection is fully closed, whoever closed it. */
  readonly closed: Promise<void>;
  /** The server ended or reset the connection (as opposed to us cutting it). */
  serverClosed = false;

  private constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.wake();
    });
    socket.on('end', () => {
      this.serverClosed = true;
      this.wake();
    });
    // A reset by the server (it refused us with unread data in its buffer) is a close too.
    socket.on('error', () => {
      if (!this.ended) this.serverClosed = true;
    });
    socket.on('close', () => this.wake());
  }

  static open(port: number): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawSocket(socket));
      });
      socket.once('error', reject);
    });
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  write(data: string | Uint8Array): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(data);
  }

  /** Half-closes: sends FIN, possibly in the middle of a frame or a request. */
  end(): void {
    this.ended = true;
    this.socket.end();
  }

  /** Closes abruptly with FIN, nothing more written. */
  destroy(): void {
    this.ended = true;
    this.socket.destroy();
  }

  /** Closes abruptly with RST. */
  reset(): void {
    this.ended = true;
    this.socket.resetAndDestroy();
  }

  /** Waits until `predicate` holds over what arrived so far; false on timeout or close. */
  async waitFor(predicate: (received: Buffer) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.destroyed) return predicate(this.received);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  /** Waits for the connection to close; false if it is still open after `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([this.closed.then(() => true), timedOut]);
    clearTimeout(timer);
    return result;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** The status code of the HTTP response at the start of `bytes`, if one arrived. */
export function httpStatus(bytes: Buffer): number | undefined {
  const m = /^HTTP\/1\.[01] (\d{3}) /.exec(bytes.subarray(0, 64).toString('latin1'));
  return m ? Number(m[1]) : undefined;
}
