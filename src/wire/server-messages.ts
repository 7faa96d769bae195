/**
 * Server -> client control messages (PROTOCOL.md §5), with their keys in the
 * exact wire order.
 */
import type { ColorHeader } from './frames';
import { CONFIG_CODEC } from './capabilities';

/** `config.transport`: H.264 for WebCodecs, or image files (§5). */
export type WireTransport = 'webcodecs' | 'image';

/** `config`: what the viewer will receive next (§5). */
export interface ConfigMessage {
  type: 'config';
  transport: WireTransport;
  width: number;
  height: number;
  coords: 'frame-pixels';
  codec?: string;
  pixel_ratio?: number;
  color?: ColorHeader;
}

/** A `config` message. */
export function configMessage(f: {
  transport: WireTransport;
  width: number;
  height: number;
  pixelRatio?: number;
  color?: ColorHeader;
}): ConfigMessage {
  const m: ConfigMessage = { type: 'config', transport: f.transport, width: f.width, height: f.height, coords: 'frame-pixels' };
  if (f.transport === 'webcodecs') m.codec = CONFIG_CODEC;
  if (f.pixelRatio !== undefined && f.pixelRatio !== 1) m.pixel_ratio = f.pixelRatio;
  if (f.color !== undefined) m.color = f.color;
  return m;
}

/** `set_quality`: the encoder's new targets (§5, §15.2). */
export interface SetQualityMessage {
  type: 'set_quality';
  bitrate: number;
  fps: number;
}

/** A `set_quality` message. */
export const setQualityMessage = (bitrate: number, fps: number): SetQualityMessage => ({
  type: 'set_quality',
  bitrate: Math.round(bitrate),
  fps: Math.round(fps),
});

/** The fields of a `stats` message (§5, §15.1). */
export interface StatsFields {
  rtt_ms: number;
  fps_sent: number;
  fps_acked: number;
  bitrate_bps: number;
  encode_ms: number;
  decode_queue_size: number;
  dropped: number;
  target_bitrate: number;
  target_fps: number;
}

/** `stats`: the viewer's own metrics (§5). */
export type StatsMessage = { type: 'stats' } & StatsFields;

/** A `stats` message. */
export const statsMessage = (s: StatsFields): StatsMessage => ({
  type: 'stats',
  rtt_ms: s.rtt_ms,
  fps_sent: s.fps_sent,
  fps_acked: s.fps_acked,
  bitrate_bps: s.bitrate_bps,
  encode_ms: s.encode_ms,
  decode_queue_size: s.decode_queue_size,
  dropped: s.dropped,
  target_bitrate: s.target_bitrate,
  target_fps: s.target_fps,
});

/** Any server -> client control message (§5). */
export type ServerMessage = ConfigMessage | SetQualityMessage | StatsMessage;
