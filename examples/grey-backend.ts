// A complete backend plugin, written only against rfbcast's public API: a
// low-bandwidth greyscale image backend built on sharp (libvips). It encodes
// one-channel JPEG (or PNG) images, a fraction of the size of colour ones.
// The example registers it, serves an animated picture, and switches the
// viewer that presses `g` to it (and back to its colour backend with `c`).
// Run: npm run build && node dist/examples/grey-backend.js
import sharp from 'sharp';

import {
  absent,
  broken,
  checkEncodeArguments,
  checkEncoderOptions,
  ConfigError,
  type EncodedUnit,
  type EncodeOptions,
  type EncoderBackend,
  type ImageTransportOptions,
  EncoderClosedError,
  EncoderError,
  FrameError,
  isEventOfType,
  ok,
  probeFrame,
  type BackendDescriptor,
  type HostFrame,
  type RawFrame,
  Rank,
  registerBackend,
  serve,
  unitOf,
} from 'rfbcast';
import * as wire from 'rfbcast/wire';

type GreyMode = 'jpeg' | 'png';
const MIMES: Record<GreyMode, string> = { jpeg: 'image/jpeg', png: 'image/png' };

/** The grey backend's options: the common ones (mode and quality among them), plus its own. */
export interface GreyOptions extends ImageTransportOptions {
  mode?: GreyMode;
  /** PNG zlib level, 0..9 (default 6). */
  compressionLevel?: number;
}

// Typed options: registry.create('grey', { ... }) now checks these at compile time.
declare module 'rfbcast' {
  interface BackendOptionsMap {
    grey: GreyOptions;
  }
}

/** One encoder: every frame becomes one greyscale image file, a keyframe. */
class GreyEncoder implements EncoderBackend {
  readonly transport = 'image';
  readonly mime: string;
  private closed = false;

  constructor(
    private readonly mode: GreyMode,
    private readonly quality: number,
    private readonly compressionLevel: number,
  ) {
    this.mime = MIMES[mode];
  }

  async encode(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]> {
    // Inside an async method every throw is a rejection, as the contract asks.
    if (this.closed) throw new EncoderClosedError('grey encoder');
    checkEncodeArguments('grey', frame, options);
    if (frame.memory !== 'host' || frame.pixelFormat !== 'rgba') {
      throw new FrameError(`grey takes rgba host frames, not ${frame.pixelFormat} in ${frame.memory} memory`);
    }
    const { data, stride } = frame as HostFrame;
    const raw = { width: stride / 4, height: frame.height, channels: 4 as const };
    let image = sharp(data, { raw }).extract({ left: 0, top: 0, width: frame.width, height: frame.height }).greyscale();
    image = this.mode === 'jpeg' ? image.jpeg({ quality: this.quality }) : image.png({ compressionLevel: this.compressionLevel });
    let file: Buffer;
    try {
      // libvips encodes on its own threads: the event loop stays free.
      file = await image.toColourspace('b-w').toBuffer();
    } catch (cause) {
      throw new EncoderError(`grey: ${this.mode} encode failed`, { cause });
    }
    return [unitOf(frame, { data: new Uint8Array(file.buffer, file.byteOffset, file.length), keyframe: true, timestampUs: options.timestampUs, mime: this.mime })];
  }

  async flush(): Promise<EncodedUnit[]> {
    if (this.closed) throw new EncoderClosedError('grey encoder');
    return [];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export const greyBackend: BackendDescriptor<GreyOptions> = {
  name: 'grey',
  label: 'Greyscale JPEG/PNG (sharp)',
  transport: 'image',
  rank: Rank.MARGINAL,
  capabilities: { pixelFormats: ['rgba'], memories: ['host'], codecs: ['image/jpeg', 'image/png'], hardware: false, modes: ['jpeg', 'png'] },
  async probe() {
    if (typeof sharp !== 'function') return absent('sharp is not installed');
    const encoder = new GreyEncoder('jpeg', 50, 6);
    try {
      const [unit] = await encoder.encode(probeFrame(), { timestampUs: 0 });
      return unit && unit.data[0] === 0xff && unit.data[1] === 0xd8 ? ok() : broken('the test encode made no JPEG');
    } catch (error) {
      return broken(`the test encode failed: ${String(error)}`);
    } finally {
      await encoder.close();
    }
  },
  create(options: GreyOptions) {
    // The common checks (unknown keys, sizes, fps, bitrate, colour) are rfbcast's; the rest are ours.
    checkEncoderOptions('grey', 'image', options, ['compressionLevel']);
    const mode = options.mode ?? 'jpeg';
    if (mode !== 'jpeg' && mode !== 'png') throw new ConfigError(`grey: mode must be jpeg or png, got ${String(mode)}`);
    const quality = options.quality ?? 50;
    if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
      throw new ConfigError(`grey: quality must be an integer from 1 to 100, got ${String(quality)}`);
    }
    const level = options.compressionLevel ?? 6;
    if (!Number.isInteger(level) || level < 0 || level > 9) {
      throw new ConfigError(`grey: compressionLevel must be an integer from 0 to 9, got ${String(level)}`);
    }
    return new GreyEncoder(mode, quality, level);
  },
};

async function main(): Promise<void> {
  registerBackend(greyBackend);
  const width = 640;
  const height = 360;
  const display = await serve(width, height, { port: Number(process.env.PORT ?? 8765) });
  console.log(`open http://127.0.0.1:${new URL(display.url).port}/ and press g (grey) or c (colour)`);
  let t = 0;
  setInterval(() => {
    const frame = new Uint8Array(width * height * 4);
    for (let y = 0, o = 0; y < height; y++) {
      for (let x = 0; x < width; x++, o += 4) {
        frame[o] = (x + t) & 255;
        frame[o + 1] = (y + 2 * t) & 255;
        frame[o + 2] = 160;
        frame[o + 3] = 255;
      }
    }
    display.publish(frame);
    t += 2;
  }, 1000 / 30);
  for await (const { viewer, event } of display.events()) {
    if (!isEventOfType(event, 'key_down')) continue;
    // Back to colour: H.264 for a viewer that takes it, else the built-in image backend.
    const h264 = display.viewers().find((v) => v.id === viewer)?.supported.includes(wire.CAP_H264);
    const colour = h264 ? 'libx264' : 'image';
    const to = event.key === 'g' ? 'grey' : event.key === 'c' ? colour : undefined;
    if (to) await display.switchBackend(to, { viewer }).catch((e: unknown) => console.error(String(e)));
  }
}

if (require.main === module) void main();
