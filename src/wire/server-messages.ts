/**
 * Server -> client control messages (PROTOCOL.md §5), with their keys in the
 * exact wire order.
 */
import type { ColorHeader } from './frames';
import { CONFIG_CODEC } from './capabilities';

export type WireTransport = 'webcodecs' | 'image';

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

export interface SetQualityMessage {
  type: 'set_quality';
  bitrate: number;
  fps: number;
}

export const setQualityMessage = (bitrate: number, fps: number): SetQualityMessage => ({
  type: 'set_quality',
  bitrate: Math.round(bitrate),
  fps: Math.round(fps),
});

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

export type StatsMessage = { type: 'stats' } & StatsFields;

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

export type ServerMessage = ConfigMessage | SetQualityMessage | StatsMessage;
