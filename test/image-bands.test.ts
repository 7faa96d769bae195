/**
 * Large JPEGs are compressed in bands on several pool threads and joined
 * with restart markers. The joined file must decode (with ffmpeg) to exactly
 * the pixels of the same frame compressed whole, at the right size.
 */
import { ImageEncoder, type ImageEncoderOptions } from 'rfbcast';

import { decodeRgb, type PackedFormat, patternFrame, probeSize } from './helpers/image-frames';

interface Input {
  format?: PackedFormat;
  pad?: number;
  still?: boolean;
}

async function jpegOf(options: ImageEncoderOptions, w: number, h: number, { format, pad, still }: Input = {}) {
  const encoder = new ImageEncoder({ mode: 'jpeg', stillMime: 'image/jpeg', ...options });
  const frame = patternFrame(w, h, 4, format, pad);
  const at = { timestampUs: 0 };
  const [payload] = await (still ? encoder.encodeStill(frame, at) : encoder.encode(frame, at));
  await encoder.close();
  return payload;
}

/** Offsets of restart markers (FFD0..FFD7) in a JPEG. */
function restartMarkers(jpeg: Uint8Array): number[] {
  const found: number[] = [];
  for (let i = 0; i + 1 < jpeg.length; i++) {
    if (jpeg[i] === 0xff && jpeg[i + 1] >= 0xd0 && jpeg[i + 1] <= 0xd7) found.push(jpeg[i + 1] - 0xd0);
  }
  return found;
}

describe('banded JPEG', () => {
  it.each([
    [1920, 1080, 2, 'rgba', 0],
    [1920, 1080, 4, 'bgra', 0],
    [1283, 721, 3, 'rgb24', 7],
    [1280, 720, 4, 'rgba', 16],
  ] as const)('%sx%s in %s bands (%s, pad %s) decodes to the whole-frame JPEG pixels', async (w, h, bands, format, pad) => {
    const whole = await jpegOf({ jpegBands: 1 }, w, h, { format, pad });
    const banded = await jpegOf({ jpegBands: bands }, w, h, { format, pad });
    expect(restartMarkers(whole.data)).toEqual([]);
    expect(restartMarkers(banded.data)).toEqual(Array.from({ length: bands - 1 }, (_, k) => k));
    expect(probeSize(banded)).toEqual({ width: w, height: h });
    expect(Buffer.compare(decodeRgb(banded), decodeRgb(whole))).toBe(0);
  });

  it.each(['4:4:4', '4:2:2'] as const)('works with %s subsampling and for stills', async (chromaSubsampling) => {
    const whole = await jpegOf({ jpegBands: 1, chromaSubsampling }, 1280, 720);
    const banded = await jpegOf({ jpegBands: 2, chromaSubsampling }, 1280, 720);
    expect(restartMarkers(banded.data)).toEqual([0]);
    expect(Buffer.compare(decodeRgb(banded), decodeRgb(whole))).toBe(0);
    const stillWhole = await jpegOf({ jpegBands: 1 }, 1280, 720, { still: true });
    const stillBanded = await jpegOf({ jpegBands: 2 }, 1280, 720, { still: true });
    expect(restartMarkers(stillBanded.data)).toEqual([0]);
    expect(Buffer.compare(decodeRgb(stillBanded), decodeRgb(stillWhole))).toBe(0);
  });

  it('leaves small frames whole', async () => {
    expect(restartMarkers((await jpegOf({ jpegBands: 4 }, 1270, 720)).data)).toEqual([]);
  });
});
