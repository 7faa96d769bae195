/**
 * ImageEncoder: JPEG, PNG or WebP files from host frames of any size, each
 * encoded on the libuv pool. Every payload is a keyframe carrying its MIME
 * type. Usable on its own or created by the `image` backend.
 */
import { type EncodedUnit, type EncodeOptions, type EncoderBackend, unitOf } from '../../core/encoder';
import { EncoderClosedError, EncoderError, FrameError, messageOf, NativeAddonError } from '../../core/errors';
import { createFrame, type FrameInit, type HostFrame, isHostFrame, type RawFrame } from '../../core/frame';
import { checkEncodeArguments } from '../../core/options';
import { loadNativeAddon, type NativeAddon } from '../../core/native';
import { bytesPerPixel, isPackedRgb } from '../../core/pixel-format';
import { type BandPlan, joinJpegBands, planJpegBands } from './jpeg-bands';
import { builtWithout, MODE_SPECS, type ImageMime, type ImageMode } from './modes';
import { imageBinding, type NativeImageEncoder } from './native';
import { type ImageEncoderOptions, type ImagePlan, type NativeImageSettings, planImageEncoding } from './settings';

/** libwebp's limit on either dimension. */
const WEBP_MAX_DIMENSION = 16383;

/** Re-validates a frame (cheap: nothing is copied) and insists on host memory. */
function hostFrame(frame: RawFrame, codec: NativeImageSettings['codec']): HostFrame {
  const checked = createFrame(frame as FrameInit);
  if (!isHostFrame(checked)) {
    throw new FrameError(`the image encoder takes host frames, got ${checked.memory} memory`);
  }
  if (codec === 'webp' && (checked.width > WEBP_MAX_DIMENSION || checked.height > WEBP_MAX_DIMENSION)) {
    throw new FrameError(
      `WebP images are at most ${WEBP_MAX_DIMENSION} pixels wide and high, got ${checked.width}x${checked.height}`,
    );
  }
  return checked;
}

/** JPEG, PNG or WebP files of host frames, one per frame, each a keyframe at the frame's own size. */
export class ImageEncoder implements EncoderBackend {
  /** Always `image`. */
  readonly transport = 'image' as const;
  /** The mode of `encode()` payloads. */
  readonly mode: ImageMode;
  /** The MIME type of `encode()` payloads. */
  readonly mime: ImageMime;
  /** The MIME type of `encodeStill()` payloads. */
  readonly stillMime: ImageMime;
  private readonly plan: ImagePlan;
  private readonly native: NativeImageEncoder;
  /** The last queued encode, settled either way: encodes run one at a time, in call order. */
  private tail: Promise<unknown> = Promise.resolve();
  private closing?: Promise<void>;

  /** `addon` is for dependency injection; by default the process's native addon is used. */
  constructor(options: ImageEncoderOptions = {}, addon: NativeAddon = loadNativeAddon()) {
    this.plan = planImageEncoding(options);
    this.mode = this.plan.mode;
    this.mime = this.plan.mime;
    this.stillMime = this.plan.stillMime;
    const features = addon.features();
    for (const mode of new Set([this.plan.mode, this.plan.stillMode])) {
      if (!features[MODE_SPECS[mode].feature]) {
        throw new NativeAddonError(`image mode ${mode}: ${builtWithout(mode)}`);
      }
    }
    this.native = new (imageBinding(addon).ImageEncoder)();
  }

  /** One image file of this frame, at the frame's own size. */
  encode(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]> {
    return this.enqueue(frame, options, this.plan.frame, this.mime);
  }

  /** The frame again as a still: lossless PNG unless `stillMime` says otherwise. */
  encodeStill(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]> {
    return this.enqueue(frame, options, this.plan.still, this.stillMime);
  }

  /** Image encoders buffer nothing: resolves with no payloads once queued encodes are done. */
  async flush(): Promise<EncodedUnit[]> {
    if (this.closing) throw new EncoderClosedError('image encoder');
    await this.tail;
    return [];
  }

  /** Lets queued encodes finish, then frees the native encoder. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.tail.then(() => this.native.close());
    return this.closing;
  }

  private async enqueue(
    frame: RawFrame,
    options: EncodeOptions,
    settings: NativeImageSettings,
    mime: ImageMime,
  ): Promise<EncodedUnit[]> {
    if (this.closing) throw new EncoderClosedError('image encoder');
    checkEncodeArguments('image', frame, options);
    const f = hostFrame(frame, settings.codec);
    const { timestampUs } = options;
    const job = this.tail
      .then(() => this.run(f, settings))
      .then((data) => [unitOf(f, { data, keyframe: true, timestampUs, mime })]);
    this.tail = job.catch(() => undefined);
    return job;
  }

  private async run(f: HostFrame, settings: NativeImageSettings): Promise<Uint8Array> {
    try {
      const bands =
        settings.codec === 'jpeg' && isPackedRgb(f.pixelFormat)
          ? planJpegBands(f.width, f.height, settings.subsampling, this.plan.jpegBands)
          : undefined;
      if (bands) return await this.encodeBands(f, settings, bands);
      return await this.native.encode(f.data, f.pixelFormat, f.width, f.height, f.stride, settings);
    } catch (cause) {
      const message = messageOf(cause);
      const what = `${settings.codec} encode of a ${f.width}x${f.height} ${f.pixelFormat} frame`;
      throw new EncoderError(`${what} failed: ${message}`, { cause });
    }
  }

  /** Each band is a view of the frame's rows, compressed on its own native lane. */
  private async encodeBands(f: HostFrame, settings: NativeImageSettings, bands: BandPlan): Promise<Uint8Array> {
    const rowBytes = f.width * bytesPerPixel(f.pixelFormat);
    const parts = await Promise.all(
      Array.from({ length: bands.count }, (_, lane) => {
        const top = lane * bands.rows;
        const rows = Math.min(bands.rows, f.height - top);
        const data = f.data.subarray(top * f.stride, (top + rows - 1) * f.stride + rowBytes);
        return this.native.encode(data, f.pixelFormat, f.width, rows, f.stride, settings, lane);
      }),
    );
    return joinJpegBands(parts, f.height, bands.restartInterval);
  }
}
