/**
 * Lets a backend that only takes host frames (the image encoders) consume
 * frames from any downloadable memory. Host frames pass through untouched;
 * others are downloaded first, in a format the backend accepts. Downloads
 * may overlap, but the wrapped encoder sees its frames one at a time and in
 * order, as the encoder contract requires.
 */
import type { EncodedUnit, EncodeOptions, EncoderBackend } from '../core/encoder';
import { ConfigError, FrameError } from '../core/errors';
import type { RawFrame } from '../core/frame';
import type { PixelFormat } from '../core/pixel-format';
import type { FrameDownload } from './download';

/** Options of a HostFrameAdapter. */
export interface HostFrameAdapterOptions {
  /**
   * Give the wrapped encoder frames it owns (it may keep them past encode).
   * Refused for memories whose downloads view the source frame, as Metal's do.
   */
  ownedCopy?: boolean;
}

/**
 * Wraps a host-only encoder so it takes frames in other memories: each frame is downloaded first,
 * in a pixel format the encoder accepts, and handed over in order. Host frames pass untouched.
 */
export class HostFrameAdapter implements EncoderBackend {
  /** The inner encoder's encodeStill, downloading first; absent when it has none. */
  readonly encodeStill?: EncoderBackend['encodeStill'];
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    /** The wrapped host-only encoder. */
    readonly inner: EncoderBackend,
    private readonly downloads: readonly FrameDownload[],
    private readonly accepts: readonly PixelFormat[],
    private readonly options: HostFrameAdapterOptions = {},
  ) {
    const still = inner.encodeStill;
    if (still) this.encodeStill = (frame, o) => this.inOrder(frame, (host) => still.call(inner, host, o));
  }

  /** The inner encoder's transport. */
  get transport(): EncoderBackend['transport'] {
    return this.inner.transport;
  }

  /** The inner encoder's codec string. */
  get codec(): string | undefined {
    return this.inner.codec;
  }

  /** The inner encoder's MIME type. */
  get mime(): string | undefined {
    return this.inner.mime;
  }

  /** Downloads the frame (host frames pass through), then encodes it with the inner encoder, in call order. */
  encode(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]> {
    return this.inOrder(frame, (host) => this.inner.encode(host, options));
  }

  /** Flushes the inner encoder once queued frames are done. */
  flush(): Promise<EncodedUnit[]> {
    return this.inner.flush();
  }

  /** Closes the inner encoder once queued frames are done. */
  close(): Promise<void> {
    return this.inner.close();
  }

  /** Starts the download now; hands the result to `use` after every earlier frame's. */
  private inOrder(frame: RawFrame, use: (host: RawFrame) => Promise<EncodedUnit[]>): Promise<EncodedUnit[]> {
    let host: Promise<RawFrame>;
    try {
      host = this.toHost(frame);
    } catch (error) {
      return Promise.reject(error);
    }
    const result = Promise.all([host, this.tail]).then(([h]) => use(h));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private toHost(frame: RawFrame): Promise<RawFrame> {
    if (frame.memory === 'host') return Promise.resolve(frame);
    const download = this.downloads.find((d) => d.memory === frame.memory);
    if (!download) throw new FrameError(`no download is registered for ${frame.memory} frames`);
    if (this.options.ownedCopy && !download.ownedCopies) {
      throw new ConfigError(
        `owned-copy mode cannot take ${frame.memory} frames: their downloads view the frame's own memory, ` +
          `which the publisher reuses; publish host frames (e.g. from metal.toHostRgb()) instead`,
      );
    }
    return download.download(frame, this.accepts);
  }
}
