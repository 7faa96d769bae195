/** Messages between the view (main thread) and its worker. */
import type { ConfigMessage, Fit, InputEvent } from '../wire';

export interface Size {
  width: number;
  height: number;
}

export type ViewState = 'connecting' | 'open' | 'negotiated' | 'closed' | 'error';

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

export type ToWorker =
  | {
      type: 'init';
      canvas: OffscreenCanvas;
      url: string;
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
  | { type: 'state'; state: ViewState; code?: number; reason?: string }
  | { type: 'config'; config: ConfigMessage }
  | { type: 'drawn'; width: number; height: number; pixelRatio: number; seq: number; timestampUs: number }
  | { type: 'stats'; stats: ViewStats }
  | { type: 'snapshot'; id: number; width: number; height: number; data: Uint8ClampedArray }
  | { type: 'error'; message: string };
