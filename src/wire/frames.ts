/**
 * Binary frame headers (PROTOCOL.md §6.2, §6.3), built with their keys in the
 * exact wire order.
 */
import type { Header } from './envelope';

/** The colour descriptor as frame headers carry it (§13.1). */
export interface ColorHeader {
  primaries?: string;
  transfer?: string;
  matrix?: string;
  full_range?: boolean;
  bit_depth?: number;
}

/** The fields image and video headers share (§6.2, §6.3). */
export interface FrameHeaderFields {
  seq: number;
  timestampUs: number;
  width: number;
  height: number;
  pixelRatio?: number;
  color?: ColorHeader;
}

/** An `image_frame` header (§6.2). */
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

/** A `video_chunk` header (§6.3). */
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

/** The header of an image frame (§6.2). */
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

/** The header of an H.264 access unit (§6.3). */
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
