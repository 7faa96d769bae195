/**
 * A protocol-level test viewer over a real `ws` client: it records every
 * server message (control JSON parsed, binary envelopes unpacked with the
 * shared wire code) and lets tests wait for what they expect.
 */
import { WebSocket } from 'ws';

import * as wire from 'rfbcast/wire';

import { waitFor } from './wait';

export interface BinaryMessage {
  kind: 'binary';
  header: Record<string, unknown>;
  payload: Uint8Array;
}

export interface TextMessage {
  kind: 'text';
  json: Record<string, unknown>;
}

export type ServerMessage = BinaryMessage | TextMessage;

export interface Closed {
  code: number;
  reason: string;
}

export class TestViewer {
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<Closed>;
  private waiters: Array<() => void> = [];
  private pings = 0;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        const { header, payload } = wire.unpackEnvelope(new Uint8Array(data));
        this.messages.push({ kind: 'binary', header, payload: new Uint8Array(payload) });
      } else {
        this.messages.push({ kind: 'text', json: JSON.parse(data.toString()) as Record<string, unknown> });
      }
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('error', () => undefined);
  }

  static open(url: string, headers?: Record<string, string>): Promise<TestViewer> {
    const ws = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestViewer(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Opens, sends hello (and an optional first viewport). */
  static async connect(
    url: string,
    supported: string[] = ['image/jpeg', 'image/png'],
    extra: { token?: string; viewport?: { width: number; height: number } } = {},
  ): Promise<TestViewer> {
    const v = await TestViewer.open(url);
    v.send({ type: 'hello', supported, device_pixel_ratio: 1, ...(extra.token ? { token: extra.token } : {}) });
    if (extra.viewport) v.send({ type: 'set_viewport', ...extra.viewport });
    return v;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  ack(seq: number, decodeQueueSize = 0): void {
    this.send({ type: 'ack', seq, decode_queue_size: decodeQueueSize, displayed: true });
  }

  /** Acks every frame as it arrives, like a healthy browser viewer. */
  autoAck(): this {
    // Registered after the recording listener, so the last recorded frame is the one just received.
    this.ws.on('message', (_d, isBinary) => isBinary && this.ack(Number(this.frames.at(-1)?.header.seq)));
    return this;
  }

  get frames(): BinaryMessage[] {
    return this.messages.filter((m): m is BinaryMessage => m.kind === 'binary');
  }

  get texts(): Array<Record<string, unknown>> {
    return this.messages.filter((m): m is TextMessage => m.kind === 'text').map((m) => m.json);
  }

  /** Waits until `predicate` holds over the messages so far (or throws after `timeoutMs`). */
  async waitFor(predicate: (v: TestViewer) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; messages: ${JSON.stringify(this.summary())}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitForFrames(n: number, timeoutMs?: number): Promise<void> {
    return this.waitFor((v) => v.frames.length >= n, timeoutMs, `${n} frames`);
  }

  /**
   * Resolves once the server has handled everything this viewer sent before
   * and everything the server sent in response has arrived here: the server
   * handles messages in order and answers a ping with a pong on the same
   * ordered stream. The explicit signal behind "nothing more arrives" checks
   * for replies the server makes synchronously (stats, events, closes).
   */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      const data = Buffer.from(String(++this.pings));
      const onPong = (d: Buffer) => {
        if (!d.equals(data)) return;
        this.ws.off('pong', onPong);
        resolve();
      };
      this.ws.on('pong', onPong);
      this.ws.ping(data, undefined, (err) => err && reject(err));
    });
  }

  summary(): unknown[] {
    return this.messages.map((m) => (m.kind === 'text' ? m.json : { ...m.header, bytes: m.payload.length }));
  }

  close(): Promise<Closed> {
    this.ws.close();
    return this.closed;
  }
}

/** Polls `condition` until it holds (server-side state reached through the socket takes a moment). */
export function until(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  return waitFor(condition, { timeoutMs, what });
}
