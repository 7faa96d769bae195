/**
 * A published frame as sessions see it: the frame, its version and its
 * timestamp, reference-counted so an owned copy (ownFrames) returns to the
 * pool only when no session still reads it.
 */
import type { RawFrame } from '../core/frame';

export interface PublishedFrame {
  readonly frame: RawFrame;
  /** Increases by one per publish. */
  readonly version: number;
  /** Microseconds since the display was created, stamped at publish(). */
  readonly timestampUs: number;
  retain(): void;
  release(): void;
}

export function borrowedFrame(frame: RawFrame, version: number, timestampUs: number): PublishedFrame {
  return { frame, version, timestampUs, retain() {}, release() {} };
}

/**
 * Buffers for owned frame copies, reused by size. A buffer goes back to the
 * pool when its last holder releases it; the pool keeps a few per size so a
 * publisher alternating sizes does not allocate on every frame.
 */
export class FramePool {
  private readonly free = new Map<number, Uint8Array[]>();
  private static readonly KEEP_PER_SIZE = 4;

  /** Copies `bytes` into a pooled buffer and wraps it as a published frame. */
  own(frame: RawFrame & { data: Uint8Array }, version: number, timestampUs: number): PublishedFrame {
    const size = frame.data.byteLength;
    const buffer = this.free.get(size)?.pop() ?? new Uint8Array(size);
    buffer.set(frame.data);
    let refs = 1;
    const pool = this;
    return {
      frame: { ...frame, data: buffer },
      version,
      timestampUs,
      retain() {
        refs++;
      },
      release() {
        if (--refs === 0) pool.give(buffer);
      },
    };
  }

  private give(buffer: Uint8Array): void {
    const list = this.free.get(buffer.byteLength) ?? [];
    if (list.length < FramePool.KEEP_PER_SIZE) list.push(buffer);
    this.free.set(buffer.byteLength, list);
  }
}
