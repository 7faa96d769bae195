/** Encodes the moving test pattern with an X264Encoder, as the x264 tests need it. */
import { type EncodedUnit, rgbaFrame, X264Encoder, type X264EncoderOptions } from 'rfbcast';

import { movingPattern } from '../../src/scenes/patterns';

export interface PatternStream {
  /** The RGBA source frames. */
  sources: Uint8Array[];
  /** One access unit per frame, in frame order. */
  payloads: EncodedUnit[];
  /** The whole Annex B stream. */
  stream: Uint8Array;
}

export const timestampOf = (i: number, fps: number) => Math.floor((i * 1_000_000) / fps);

/**
 * Encodes `frames` pattern frames (from pattern frame `start` on), all
 * submitted at once without awaiting (the encoder must queue them), forcing a
 * keyframe at the indices in `force`.
 */
export async function encodePattern(
  options: X264EncoderOptions,
  frames: number,
  force: ReadonlySet<number> = new Set(),
  start = 0,
): Promise<PatternStream> {
  const { width, height } = options;
  const fps = options.fps ?? 30;
  const encoder = new X264Encoder(options);
  const sources = Array.from({ length: frames }, (_, i) => movingPattern(width, height, start + i));
  try {
    const results = await Promise.all(
      sources.map((data, i) =>
        encoder.encode(rgbaFrame(data, width, height), {
          timestampUs: timestampOf(i, fps),
          forceKeyframe: force.has(i),
        }),
      ),
    );
    const payloads = results.flat();
    return { sources, payloads, stream: Buffer.concat(payloads.map((p) => p.data)) };
  } finally {
    await encoder.close();
  }
}
