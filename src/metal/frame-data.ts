/**
 * What a Metal frame's `data` is. Public, because applications read
 * `contents` to draw on the CPU; the native binding produces exactly this
 * shape, so no wrapper sits between the two.
 */

/** Pixel formats a Metal frame can hold. */
export type MetalPixelFormat = 'rgba' | 'bgra' | 'nv12';

/** A frame in a shared-storage MTLBuffer; `contents` views the same memory. */
export interface MetalFrameData {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** How the pixels are laid out. */
  readonly pixelFormat: MetalPixelFormat;
  /** Bytes per row (rows are padded for the GPU); NV12's CbCr plane follows the Y plane. */
  readonly stride: number;
  /** The buffer's memory, writable from the CPU (shared storage). */
  readonly contents: Uint8Array;
}
