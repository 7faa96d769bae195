/**
 * Large JPEGs in parallel. The frame is cut into horizontal bands of whole
 * MCU rows, each band is compressed as its own JPEG on its own pool thread,
 * and the bands' entropy-coded data are joined into one baseline JPEG with a
 * restart marker between bands (restart interval = one band). A decoder
 * resets its DC predictors at each restart marker, just as each band's
 * compressor started from zero, so the result is the file one compressor
 * would write with that restart interval: same pixels, a few bytes more.
 */
import { EncoderError } from '../../core/errors';

/** Smaller frames compress in a few milliseconds; splitting them gains less than it costs. */
export const BAND_MIN_PIXELS = 1280 * 720;
/** The most bands one encode uses: the native encoder has this many lanes. */
export const MAX_BANDS = 4;

const SOF0 = 0xc0;
const SOS = 0xda;
const DRI = 0xdd;
const RST0 = 0xd0;
const EOI = 0xd9;

export interface BandPlan {
  /** Rows per band (the last may have fewer). */
  rows: number;
  count: number;
  /** MCUs per band, written in the DRI segment. */
  restartInterval: number;
}

/** How to cut a `width` x `height` frame into at most `bands` bands, or undefined to encode it whole. */
export function planJpegBands(width: number, height: number, subsampling: 420 | 422 | 444, bands: number) {
  if (bands < 2 || width * height < BAND_MIN_PIXELS) return undefined;
  const mcuWidth = subsampling === 444 ? 8 : 16;
  const mcuHeight = subsampling === 420 ? 16 : 8;
  const rows = Math.ceil(height / bands / mcuHeight) * mcuHeight;
  const restartInterval = Math.ceil(width / mcuWidth) * (rows / mcuHeight);
  const count = Math.ceil(height / rows);
  // The DRI field is 16 bits wide.
  if (count < 2 || restartInterval > 0xffff) return undefined;
  return { rows, count, restartInterval } satisfies BandPlan;
}

interface Layout {
  /** Offset of the SOF0 segment. */
  sof: number;
  /** Offset of the SOS segment. */
  sos: number;
  /** Offset of the first entropy-coded byte. */
  scan: number;
}

/** Walks the marker segments of a band (as TurboJPEG writes it) up to its scan. */
function layoutOf(jpeg: Uint8Array): Layout {
  let sof = -1;
  for (let i = 2; i + 4 <= jpeg.length; ) {
    if (jpeg[i] !== 0xff) break;
    const marker = jpeg[i + 1];
    const length = (jpeg[i + 2] << 8) | jpeg[i + 3];
    if (marker === SOF0) sof = i;
    if (marker === SOS) {
      if (sof < 0 || jpeg[jpeg.length - 2] !== 0xff || jpeg[jpeg.length - 1] !== EOI) break;
      return { sof, sos: i, scan: i + 2 + length };
    }
    i += 2 + length;
  }
  throw new EncoderError('a JPEG band is not a baseline JPEG with one scan');
}

/** One JPEG of the full `height` from its bands, in order. */
export function joinJpegBands(bands: readonly Uint8Array[], height: number, restartInterval: number): Uint8Array {
  const first = layoutOf(bands[0]);
  const scans = bands.map((band) => band.subarray(layoutOf(band).scan, band.length - 2));
  const headerLength = first.scan + 6;
  const total = headerLength + scans.reduce((n, s) => n + s.length, 0) + 2 * scans.length;
  const out = Buffer.allocUnsafe(total);
  // The first band's headers (tables are the same in every band), then a DRI
  // segment, then its SOS segment.
  out.set(bands[0].subarray(0, first.sos), 0);
  out.writeUInt16BE(height, first.sof + 5);
  out.set([0xff, DRI, 0x00, 0x04, restartInterval >> 8, restartInterval & 0xff], first.sos);
  out.set(bands[0].subarray(first.sos, first.scan), first.sos + 6);
  let at = headerLength;
  scans.forEach((scan, k) => {
    out.set(scan, at);
    at += scan.length;
    out[at++] = 0xff;
    out[at++] = k === scans.length - 1 ? EOI : RST0 + (k % 8);
  });
  return out;
}
