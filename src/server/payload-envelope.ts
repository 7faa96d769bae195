/**
 * The per-viewer head of the binary message for one shared encoded unit
 * (PROTOCOL.md §6): a video_chunk header for H.264, an image_frame header for
 * images. The unit's bytes follow it unchanged, shared by every viewer.
 */
import { orderedColor } from '../core/color';
import type { EncodedUnit } from '../core/encoder';
import { envelopeHead, imageFrameHeader, type ImageMode, mimeOf, videoChunkHeader } from '../wire';

export type EnvelopeContext =
  | {
      transport: 'video';
      /** The codec string latched from the latest SPS this viewer received (§11.2). */
      codec: string;
      fps: number;
    }
  | { transport: 'image'; mode: ImageMode };

export function unitHead(unit: EncodedUnit, seq: number, ctx: EnvelopeContext): Uint8Array {
  const common = {
    seq,
    timestampUs: unit.timestampUs,
    width: unit.width,
    height: unit.height,
    pixelRatio: unit.pixelRatio,
    color: unit.color ? orderedColor(unit.color) : undefined,
  };
  const header =
    ctx.transport === 'video'
      ? videoChunkHeader({
          ...common,
          codec: ctx.codec,
          keyframe: unit.keyframe,
          durationUs: unit.durationUs ?? Math.floor(1_000_000 / ctx.fps),
        })
      : imageFrameHeader({ ...common, mime: unit.mime ?? mimeOf(ctx.mode) });
  return envelopeHead(header);
}
