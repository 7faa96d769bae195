/**
 * Fake VideoToolbox and Metal bindings with the native interfaces, for
 * testing everything above the native layer on Linux. They behave like the
 * real ones where it matters: the encoder returns real libx264 access units
 * (SPS + PPS + IDR on keyframes), keeps up to `pipelineDepth` frames in
 * flight, refuses overlapping calls, and the Metal fake converts with the
 * addon's real CPU code into padded buffers.
 */
import { createContainer, createLogger, type DependencyContainer, LoggerToken } from 'rfbcast';
import {
  HostPlatformToken,
  loadNativeAddon,
  type MetalBinding,
  MetalBindingToken,
  type MetalFrameHandle,
  type NativeMetalKernel,
  type NativeVtEncoder,
  type VtBinding,
  VtBindingToken,
  type VtEncoderOptions,
  type VtProbe,
  type VtStep,
  type VtUnit,
} from 'rfbcast/testing';

import { NAL_IDR, NAL_PPS, NAL_SLICE, NAL_SPS, splitAnnexB } from '../../src/backends/h264';
import { movingPattern } from '../../src/scenes/patterns';
import { annexB, x264Stream } from './h264-stream';
import { bitstream } from './native-bitstream';

export class FakeMetalFrame implements MetalFrameHandle {
  readonly stride: number;
  readonly contents: Uint8Array;
  readonly pixelFormat: 'rgba' | 'bgra' | 'nv12';

  constructor(
    readonly width: number,
    readonly height: number,
    format: string,
  ) {
    // The native binding validates its argument the same way.
    if (format !== 'rgba' && format !== 'bgra' && format !== 'nv12') throw new TypeError('a Metal frame is rgba, bgra or nv12');
    this.pixelFormat = format;
    // Padded rows, as the native frames have.
    this.stride = (width * (format === 'nv12' ? 1 : 4) + 63) & ~63;
    this.contents = new Uint8Array(this.stride * height * (format === 'nv12' ? 1.5 : 1));
  }
}

/** Stands in for a compiled kernel that draws movingPattern(width, height, params[0]). */
class FakePatternKernel implements NativeMetalKernel {
  constructor(source: string, entry: string) {
    if (!source.includes(`kernel void ${entry}(`)) throw new Error(`Metal shader has no kernel named '${entry}'`);
  }

  async run(frame: MetalFrameHandle, params: Float32Array): Promise<{ gpuMs: number }> {
    const rgba = movingPattern(frame.width, frame.height, params[0]);
    for (let y = 0; y < frame.height; y++) {
      frame.contents.set(rgba.subarray(y * frame.width * 4, (y + 1) * frame.width * 4), y * frame.stride);
    }
    return { gpuMs: 0.1 };
  }
}

export interface FakeMetal extends MetalBinding {
  conversions: number;
  downloads: number;
}

export function fakeMetalBinding(): FakeMetal {
  const native = bitstream();
  const addon = loadNativeAddon();
  const fake: FakeMetal = {
    conversions: 0,
    downloads: 0,
    features: () => ({ metal: true }),
    metalAvailable: () => ({ available: true, device: 'fake GPU' }),
    MetalFrame: FakeMetalFrame,
    MetalKernel: FakePatternKernel,
    async metalRgbToNv12(src, dst) {
      fake.conversions++;
      const { contents, pixelFormat, width, height, stride } = src;
      native.vtWriteNv12(contents, pixelFormat, width, height, stride, dst.contents, dst.stride, dst.stride * height, dst.stride);
      return { gpuMs: 0.25 };
    },
    async metalToRgb(src, format, dst) {
      fake.downloads++;
      const { width: w, height: h, stride } = src;
      if (src.pixelFormat === 'nv12') {
        await addon.convertAsync(src.contents, 'nv12', w, h, stride, format, dst);
        return { gpuMs: 0.25 };
      }
      const bpp = format === 'rgba' ? 4 : 3;
      const [r, b] = src.pixelFormat === 'bgra' ? [2, 0] : [0, 2];
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const s = y * stride + x * 4;
          const d = (y * w + x) * bpp;
          dst[d] = src.contents[s + r];
          dst[d + 1] = src.contents[s + 1];
          dst[d + 2] = src.contents[s + b];
          if (bpp === 4) dst[d + 3] = src.contents[s + 3];
        }
      }
      return { gpuMs: 0.25 };
    },
  };
  return fake;
}

/** A real IDR access unit (SPS, PPS, IDR) and a real P access unit of a libx264 stream. */
export interface RealUnits {
  idr: Buffer;
  delta: Buffer;
}

const unitsBySize = new Map<string, RealUnits>();

export function realUnits(width: number, height: number): RealUnits {
  const key = `${width}x${height}`;
  let units = unitsBySize.get(key);
  if (!units) {
    const nals = splitAnnexB(x264Stream({ width, height, frames: 2, params: 'keyint=30' }));
    const find = (type: number) => nals.find((n) => n.type === type)!.data;
    units = {
      idr: annexB([find(NAL_SPS), find(NAL_PPS), find(NAL_IDR)]),
      delta: annexB([find(NAL_SLICE)]),
    };
    unitsBySize.set(key, units);
  }
  return units;
}

export interface FakeVtCall {
  kind: 'encode' | 'encodeMetal';
  seq: number;
  forceKeyframe: boolean;
  format: string;
  width: number;
  height: number;
  stride: number;
  /** encodeMetal: a copy of the NV12 bytes the encoder was handed. */
  nv12?: Uint8Array;
}

export interface FakeVtBehaviour {
  probe?: VtProbe | (() => Promise<VtProbe>);
  vtenc?: boolean;
  /** The unit of this submission number (VtencEncoder counts from 0) comes back with a VideoToolbox error. */
  unitErrorAt?: number;
  /** The native call submitting this submission number throws. */
  throwAt?: number;
  /** open() throws with this message. */
  openError?: string;
}

export class FakeVtEncoder implements NativeVtEncoder {
  readonly calls: FakeVtCall[] = [];
  flushes = 0;
  maxInFlight = 0;
  opened = false;
  closed = false;
  private readonly queue: Array<{ seq: number; keyframe: boolean }> = [];
  private sinceKeyframe = Infinity;
  private busy = false;

  constructor(
    readonly options: VtEncoderOptions,
    private readonly behaviour: FakeVtBehaviour,
  ) {}

  open(): Promise<VtStep> {
    return this.exclusive(() => {
      if (this.behaviour.openError) throw new Error(this.behaviour.openError);
      this.opened = true;
      return [];
    });
  }

  encode(_data: Uint8Array, format: string, width: number, height: number, stride: number, forceKeyframe: boolean, seq: number): Promise<VtStep> {
    return this.submit({ kind: 'encode', seq, forceKeyframe, format, width, height, stride });
  }

  encodeMetal(frame: MetalFrameHandle, forceKeyframe: boolean, seq: number): Promise<VtStep> {
    const { pixelFormat: format, width, height, stride } = frame;
    return this.submit({ kind: 'encodeMetal', seq, forceKeyframe, format, width, height, stride, nv12: frame.contents.slice() });
  }

  flush(): Promise<VtStep> {
    return this.exclusive(() => {
      this.flushes++;
      return this.emit(this.queue.length);
    });
  }

  close(): void {
    if (this.busy) throw new Error('VtEncoder cannot close while a call is running');
    this.closed = true;
  }

  private submit(call: FakeVtCall): Promise<VtStep> {
    return this.exclusive(() => {
      if (call.seq === this.behaviour.throwAt) throw new Error('VideoToolbox refused the frame (OSStatus -12902)');
      this.calls.push(call);
      // VideoToolbox's MaxKeyFrameInterval: an IDR when forced or after gop frames.
      const keyframe = call.forceKeyframe || this.sinceKeyframe >= this.options.gop - 1;
      this.sinceKeyframe = keyframe ? 0 : this.sinceKeyframe + 1;
      this.queue.push({ seq: call.seq, keyframe });
      this.maxInFlight = Math.max(this.maxInFlight, this.queue.length);
      return this.emit(this.queue.length - this.options.pipelineDepth);
    });
  }

  private emit(count: number): VtUnit[] {
    const units = realUnits(this.options.width, this.options.height);
    return this.queue.splice(0, Math.max(0, count)).map(({ seq, keyframe }) =>
      seq === this.behaviour.unitErrorAt
        ? { seq, data: new Uint8Array(0), keyframe: false, error: 'VideoToolbox failed to encode the frame (OSStatus -12911)' }
        : { seq, data: keyframe ? units.idr : units.delta, keyframe },
    );
  }

  /** Like the native encoder: one call at a time, finishing on a later tick. */
  private async exclusive(work: () => VtUnit[]): Promise<VtStep> {
    if (this.closed) throw new Error('VtEncoder is closed');
    if (this.busy) throw new Error('VtEncoder is busy: calls must not overlap');
    this.busy = true;
    try {
      await new Promise((resolve) => setImmediate(resolve));
      return { units: work(), copyMs: 0.5, encodeMs: 1.5 };
    } finally {
      this.busy = false;
    }
  }
}

export interface FakeVt extends VtBinding {
  encoders: FakeVtEncoder[];
  probes: number;
}

export function fakeVtBinding(behaviour: FakeVtBehaviour = {}): FakeVt {
  const encoders: FakeVtEncoder[] = [];
  const fake: FakeVt = {
    encoders,
    probes: 0,
    features: () => ({ vtenc: behaviour.vtenc ?? true }),
    async vtSupported() {
      fake.probes++;
      const p = behaviour.probe ?? { ok: true, status: 0 };
      return typeof p === 'function' ? p() : p;
    },
    VtEncoder: class extends FakeVtEncoder {
      constructor(options: VtEncoderOptions) {
        super(options, behaviour);
        encoders.push(this);
      }
    },
  };
  return fake;
}

export interface FakeMac {
  c: DependencyContainer;
  vt: FakeVt;
  metal: FakeMetal;
}

/** A child container in which this process "is" a Mac with the fake bindings (or another OS). */
export function fakeMac(behaviour: FakeVtBehaviour = {}, platform: NodeJS.Platform = 'darwin'): FakeMac {
  const c = createContainer();
  const vt = fakeVtBinding(behaviour);
  const metal = fakeMetalBinding();
  c.register(VtBindingToken, { useValue: () => vt });
  c.register(MetalBindingToken, { useValue: () => metal });
  c.register(HostPlatformToken, { useValue: platform });
  c.register(LoggerToken, { useValue: createLogger({ level: 'silent' }) });
  return { c, vt, metal };
}
