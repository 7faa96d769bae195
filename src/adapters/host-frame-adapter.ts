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

export interface HostFrameAdapterOptions {
  /**
   * Give the wrapped encoder frames it owns (it may keep them past encode).
   * Refused for memories whose downloads view the source frame, as Metal's do.
   */
  ownedCopy?: boolean;
}

export class HostFrameAdapter implements EncoderBackend {
  readonly encodeStill?: EncoderBackend['encodeStill'];
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly inner: EncoderBackend,
    private readonly downloads: readonly FrameDownload[],
    private readonly accepts: readonly PixelFormat[],
    private readonly options: HostFrameAdapterOptions = {},
  ) {
    const still = inner.encodeStill;
    if (still) this.encodeStill = (frame, o) => this.inOrder(frame, (host) => still.call(inner, host, o));
  }

  get transport(): EncoderBackend['transport'] {
    return this.inner.transport;
  }

  get codec(): string | undefined {
    return this.inner.codec;
  }

  get mime(): string | undefined {
    return this.inner.mime;
  }

  encode(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]> {
    return this.inOrder(frame, (host) => this.inner.encode(host, options));
  }

  flush(): Promise<EncodedUnit[]> {
    return this.inner.flush();
  }

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
