/**
 * Controllable encoder backends for server tests: they record every call, can
 * be slowed down or made to fail, and emit well-formed units (Annex B access
 * units with SPS/PPS/IDR on keyframes; tiny "images" with their MIME type),
 * each described by unitOf() as the real backends do.
 */
import {
  type BackendDescriptor,
  type EncodedUnit,
  type EncodeOptions,
  type EncoderBackend,
  type AnyEncoderOptions,
  type RawFrame,
  unitOf,
} from 'rfbcast';

export interface EncodeCall {
  timestampUs: number;
  forceKeyframe: boolean;
  width: number;
  height: number;
  still: boolean;
  /** The frame's first byte when the encoder read it (host frames). */
  firstByte?: number;
}

export interface FakeControl {
  calls: EncodeCall[];
  created: AnyEncoderOptions[];
  closed: number;
  /** Resolves each encode only after this promise (when set). */
  gate?: Promise<void>;
  /** Makes the next encodes reject. */
  failing: boolean;
  /** Pads each payload to this many bytes (to fill sockets). */
  payloadBytes?: number;
}

export function fakeControl(): FakeControl {
  return { calls: [], created: [], closed: 0, failing: false };
}

const START = [0, 0, 0, 1];
/** An SPS whose bytes 1..3 are 42 C0 1F (baseline, level 3.1), then PPS and slice NALs. */
const SPS = [0x67, 0x42, 0xc0, 0x1f, 0x8c, 0x8d];
const PPS = [0x68, 0xce, 0x3c, 0x80];

function accessUnit(keyframe: boolean): Uint8Array {
  const bytes = keyframe ? [...START, ...SPS, ...START, ...PPS, ...START, 0x65, 0x88, 0x84] : [...START, 0x41, 0x9a, 0x02];
  return new Uint8Array(bytes);
}

class FakeEncoder implements EncoderBackend {
  private frames = 0;

  constructor(
    readonly transport: 'video' | 'image',
    private readonly options: AnyEncoderOptions,
    private readonly control: FakeControl,
  ) {}

  get mime(): string | undefined {
    return this.transport === 'image' ? `image/${String(this.options.mode ?? 'jpeg')}` : undefined;
  }

  get codec(): string | undefined {
    return this.transport === 'video' ? 'avc1.42C01F' : undefined;
  }

  async encode(frame: RawFrame, o: EncodeOptions, still = false): Promise<EncodedUnit[]> {
    const firstByte = frame.data instanceof Uint8Array ? frame.data[0] : undefined;
    this.control.calls.push({ timestampUs: o.timestampUs, forceKeyframe: !!o.forceKeyframe, width: frame.width, height: frame.height, still, firstByte });
    if (this.control.gate) await this.control.gate;
    if (this.control.failing) throw new Error('injected encoder failure');
    const gop = Number(this.options.fps ?? 30);
    const keyframe = this.transport === 'image' || !!o.forceKeyframe || this.frames % gop === 0;
    const n = this.frames++;
    const base = { timestampUs: o.timestampUs, keyframe };
    if (this.transport === 'image') {
      const mime = still ? String(this.options.stillMime ?? 'image/png') : (this.mime as string);
      return [unitOf(frame, { ...base, keyframe: true, mime, data: new Uint8Array([1, 2, 3, n & 255]) })];
    }
    const { width, height } = this.options;
    const fields = { ...base, codec: keyframe ? this.codec : undefined, durationUs: Math.floor(1e6 / gop), width, height };
    return [unitOf(frame, { ...fields, data: this.pad(accessUnit(keyframe)) })];
  }

  private pad(au: Uint8Array): Uint8Array {
    const size = this.control.payloadBytes;
    if (!size || size <= au.length) return au;
    const out = new Uint8Array(size);
    out.set(au);
    return out;
  }

  encodeStill(frame: RawFrame, o: EncodeOptions): Promise<EncodedUnit[]> {
    return this.encode(frame, { ...o, forceKeyframe: true }, true);
  }

  async flush(): Promise<EncodedUnit[]> {
    return [];
  }

  async close(): Promise<void> {
    this.control.closed++;
  }
}

export function fakeEncoderBackend(
  name: string,
  transport: 'video' | 'image',
  control: FakeControl,
  rank = transport === 'video' ? 256 : 128,
): BackendDescriptor {
  return {
    name,
    label: `fake ${name}`,
    transport,
    rank,
    capabilities: {
      pixelFormats: ['rgba', 'bgra', 'rgb24', 'nv12', 'i420'],
      memories: ['host'],
      codecs: transport === 'video' ? ['avc1'] : ['image/jpeg', 'image/png', 'image/webp'],
      hardware: false,
      ...(transport === 'image' ? { modes: ['jpeg', 'png', 'webp'] } : {}),
    },
    async probe() {
      return { available: true, state: 'ok' };
    },
    create(options: AnyEncoderOptions) {
      control.created.push(options);
      return new FakeEncoder(transport, options, control);
    },
  };
}
