/** Messages between the view (main thread) and its worker. */
import type { ConfigMessage, Fit, InputEvent } from '../wire';
import type { ReconnectOptions } from './reconnect';

export interface Size {
  width: number;
  height: number;
}

/**
 * connecting: a socket is opening; open: it is, the hello is on its way;
 * negotiated: the server sent its config; streaming: a frame was drawn on
 * this connection; reconnecting: the socket closed for a reason worth
 * retrying and the next attempt is scheduled (the last picture stays);
 * closed: for good, with the server's code and reason.
 */
export type ViewState = 'connecting' | 'open' | 'negotiated' | 'streaming' | 'reconnecting' | 'closed';

export interface StateChange {
  state: ViewState;
  /** The server this state is about. */
  url: string;
  /** The close that led to reconnecting or closed. */
  code?: number;
  reason?: string;
  /** reconnecting: failed attempts in a row, and the wait before the next one. */
  attempt?: number;
  delayMs?: number;
}

export interface ViewStats {
  /** Frames drawn per second over the last second. */
  fps: number;
  /** Mean ms from a payload's arrival to its draw, over the last second. */
  decodeMs: number;
  /** The server's RTT estimate (from its stats messages), when it sends them. */
  rttMs?: number;
  /** From the server's stats messages: frames per second it sent, its bitrate, its encode time. */
  serverFps?: number;
  serverBitrateBps?: number;
  encodeMs?: number;
  /** Received payload bits per second over the last second. */
  bitrateBps: number;
  /** Frames the server dropped for this viewer (from its stats messages). */
  dropped?: number;
  targetBitrate?: number;
  targetFps?: number;
  transport?: 'webcodecs' | 'image';
  codec?: string;
  decoderRecoveries: number;
  frames: number;
}

/** What the worker knows of a decoded frame when it draws it. */
export interface FrameMeta {
  seq: number;
  timestampUs: number;
  /** performance.now() when its payload arrived. */
  receivedMs: number;
  /** An IDR (every image counts as one). */
  keyframe: boolean;
  /** The picture's size in frame pixels. */
  width: number;
  height: number;
}

export type ToWorker =
  | {
      type: 'init';
      canvas: OffscreenCanvas;
      /** Servers in failover order. */
      urls: string[];
      reconnect: ReconnectOptions | false;
      token?: string;
      imageOnly: boolean;
      fit: Fit;
      background: string;
      backing: Size;
      css: Size;
      ratio: number;
    }
  | { type: 'resize'; backing: Size; css: Size; ratio: number }
  | { type: 'fit'; fit: Fit; background: string }
  | { type: 'event'; event: InputEvent }
  | { type: 'snapshot'; id: number }
  | { type: 'stall-decoder' }
  | { type: 'close' };

export type FromWorker =
  | ({ type: 'state' } & StateChange)
  | { type: 'config'; config: ConfigMessage }
  | { type: 'drawn'; width: number; height: number; pixelRatio: number; seq: number; timestampUs: number; keyframe: boolean }
  | { type: 'stats'; stats: ViewStats }
  | { type: 'snapshot'; id: number; width: number; height: number; data: Uint8ClampedArray }
  | { type: 'error'; message: string };
