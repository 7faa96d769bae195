/**
 * The binary message for one encoded payload (PROTOCOL.md §6): a video_chunk
 * header for H.264, an image_frame header for images, then the payload.
 */
import { orderedColor } from '../core/color';
import type { EncodedPayload } from '../core/encoder';
import type { RawFrame } from '../core/frame';
import { imageFrameHeader, type ImageMode, mimeOf, packEnvelope, videoChunkHeader } from '../wire';

export type EnvelopeContext =
  | {
      transport: 'video';
      /** The encoder's (even) size. */
      width: number;
      height: number;
      /** The codec string latched from the latest SPS (§11.2). */
      codec: string;
      fps: number;
    }
  | { transport: 'image'; mode: ImageMode };

export function payloadEnvelope(p: EncodedPayload, frame: RawFrame, ctx: EnvelopeContext): Uint8Array {
  const extras = { pixelRatio: frame.pixelRatio, color: frame.color ? orderedColor(frame.color) : undefined };
  const header =
    ctx.transport === 'video'
      ? videoChunkHeader({
          seq: p.seq,
          timestampUs: p.timestampUs,
          width: ctx.width,
          height: ctx.height,
          codec: ctx.codec,
          keyframe: p.keyframe,
          durationUs: p.durationUs ?? Math.floor(1_000_000 / ctx.fps),
          ...extras,
        })
      : imageFrameHeader({
          seq: p.seq,
          timestampUs: p.timestampUs,
          width: frame.width,
          height: frame.height,
          mime: p.mime ?? mimeOf(ctx.mode),
          ...extras,
        });
  return packEnvelope(header, p.data);
}
