/**
 * Pixel formats and their memory layout. Names give the byte order in memory:
 * `rgba` is R,G,B,A (the order of a canvas ImageData), `bgra` is B,G,R,A.
 * Planar 4:2:0 formats (`i420`, `nv12`) store the Y plane then chroma
 * contiguously; `stride` is the Y plane's pitch and the chroma pitch follows
 * from it (I420: stride / 2 per plane, NV12: stride for the interleaved plane).
 */
export type PixelFormat = 'rgba' | 'bgra' | 'rgb24' | 'nv12' | 'i420';

/** Every pixel format rfbcast knows. */
export const PIXEL_FORMATS: readonly PixelFormat[] = Object.freeze(['rgba', 'bgra', 'rgb24', 'nv12', 'i420'] as const);

/** Whether `value` names a pixel format. */
export function isPixelFormat(value: unknown): value is PixelFormat {
  return typeof value === 'string' && (PIXEL_FORMATS as readonly string[]).includes(value);
}

export function isPackedRgb(format: PixelFormat): boolean {
  return format === 'rgba' || format === 'bgra' || format === 'rgb24';
}

export function isYuv420(format: PixelFormat): boolean {
  return format === 'nv12' || format === 'i420';
}

/** Bytes per pixel of the first plane. */
export function bytesPerPixel(format: PixelFormat): number {
  return format === 'rgb24' ? 3 : isPackedRgb(format) ? 4 : 1;
}

/** The stride of a tightly packed row. */
export function packedStride(format: PixelFormat, width: number): number {
  return width * bytesPerPixel(format);
}

/**
 * Smallest and largest buffer lengths a frame of this geometry may have. A
 * packed frame may omit the padding after its last row; planar frames have an
 * exact size.
 */
export function byteLengthRange(
  format: PixelFormat,
  width: number,
  height: number,
  stride: number,
): { min: number; max: number } {
  if (isPackedRgb(format)) {
    return { min: stride * (height - 1) + width * bytesPerPixel(format), max: stride * height };
  }
  const exact = stride * height + stride * (height / 2);
  return { min: exact, max: exact };
}
