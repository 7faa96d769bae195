/**
 * Binary frame headers (PROTOCOL.md §6.2, §6.3), built with their keys in the
 * exact wire order.
 */
import type { Header } from './envelope';

export interface ColorHeader {
  primaries?: string;
  transfer?: string;
  matrix?: string;
  full_range?: boolean;
  bit_depth?: number;
}

export interface FrameHeaderFields {
  seq: number;
  timestampUs: number;
  width: number;
  height: number;
  pixelRatio?: number;
  color?: ColorHeader;
}

export interface ImageFrameHeader extends Header {
  type: 'image_frame';
  seq: number;
  timestamp_us: number;
  width: number;
  height: number;
  mime: string;
  pixel_ratio?: number;
  color?: ColorHeader;
}

export interface VideoChunkHeader extends Header {
  type: 'video_chunk';
  seq: number;
  timestamp_us: number;
  width: number;
  height: number;
  codec: string;
  bitstream: 'annexb';
  keyframe: boolean;
  duration_us: number;
  pixel_ratio?: number;
  color?: ColorHeader;
}

function appendExtras(h: Header, f: FrameHeaderFields): void {
  if (f.pixelRatio !== undefined && f.pixelRatio !== 1) h.pixel_ratio = f.pixelRatio;
  if (f.color !== undefined) h.color = f.color;
}

export function imageFrameHeader(f: FrameHeaderFields & { mime: string }): ImageFrameHeader {
  const h: ImageFrameHeader = {
    type: 'image_frame',
    seq: f.seq,
    timestamp_us: f.timestampUs,
    width: f.width,
    height: f.height,
    mime: f.mime,
  };
  appendExtras(h, f);
  return h;
}

export function videoChunkHeader(
  f: FrameHeaderFields & { codec: string; keyframe: boolean; durationUs: number },
): VideoChunkHeader {
  const h: VideoChunkHeader = {
    type: 'video_chunk',
    seq: f.seq,
    timestamp_us: f.timestampUs,
    width: f.width,
    height: f.height,
    codec: f.codec,
    bitstream: 'annexb',
    keyframe: f.keyframe,
    duration_us: f.durationUs,
  };
  appendExtras(h, f);
  return h;
}
