/**
 * The image path (PROTOCOL.md §6.2): decode with createImageBitmap, one at a
 * time so frames are drawn in order, draw, close, ack.
 */
import type { ImageFrameHeader } from '../wire';
import type { FrameMeta } from './worker-protocol';

export interface ImageSink {
  draw(bitmap: ImageBitmap, meta: FrameMeta): void;
  ack(seq: number, decodeQueueSize: number): void;
  failed(reason: string): void;
}

export class ImagePipeline {
  private tail: Promise<void> = Promise.resolve();
  private generation = 0;

  constructor(private readonly sink: ImageSink) {}

  frame(h: ImageFrameHeader, payload: Uint8Array, receivedMs: number): void {
    const generation = this.generation;
    const blob = new Blob([payload as Uint8Array<ArrayBuffer>], { type: h.mime });
    const decoded = createImageBitmap(blob);
    this.tail = this.tail.then(async () => {
      let bitmap: ImageBitmap;
      try {
        bitmap = await decoded;
      } catch (error) {
        this.sink.failed(`cannot decode ${h.mime} frame ${h.seq}: ${String(error)}`);
        return;
      }
      try {
        if (generation !== this.generation) return;
        this.sink.draw(bitmap, { seq: h.seq, timestampUs: h.timestamp_us, receivedMs, keyframe: true, width: bitmap.width, height: bitmap.height });
        this.sink.ack(h.seq, 0);
      } finally {
        bitmap.close();
      }
    });
  }

  /** Frames still decoding are not drawn after a reset. */
  reset(): void {
    this.generation++;
  }
}
