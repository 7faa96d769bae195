/**
 * Metal frames: pixels that live in a shared-storage MTLBuffer on macOS,
 * published with `memory: 'metal'`. Rendering and the RGB -> NV12 conversion
 * stay on the GPU; `toHostRgb` and `download` bring pixels to host memory for
 * consumers that need them there (image viewers, through the frame adapter).
 */
import { inject, injectable } from 'tsyringe';

import type { ColorDescriptor } from '../core/color';
import { ConversionError, FrameError, messageOf, NativeAddonError } from '../core/errors';
import { createFrame, type HostFrame, type RawFrame } from '../core/frame';
import type { PixelFormat } from '../core/pixel-format';
import { HostPlatformToken } from '../core/tokens';
import { type MetalBinding, MetalBindingToken, type MetalFrameHandle, type NativeMetalKernel } from './binding';
import type { MetalFrameData, MetalPixelFormat } from './frame-data';

export type { MetalFrameData, MetalPixelFormat };

/** A frame whose pixels live in a shared-storage MTLBuffer (macOS). Make it with Metal.frame(). */
export interface MetalFrame extends RawFrame {
  /** Always `metal`. */
  readonly memory: 'metal';
  /** rgba, bgra or nv12. */
  readonly pixelFormat: MetalPixelFormat;
  /** The buffer, readable and writable from the CPU through `contents`. */
  readonly data: MetalFrameData;
}

/** What Metal.frame() takes: the size, the pixel format (default `rgba`), and what the frame carries. */
export interface MetalFrameInit {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Pixel layout (default `rgba`). */
  pixelFormat?: MetalPixelFormat;
  /** The render device-pixel ratio (default 1). */
  pixelRatio?: number;
  /** The colour (default: none, meaning sRGB). */
  color?: ColorDescriptor;
}

/** A compiled compute kernel that writes a frame (see NativeMetalKernel for its arguments). */
export interface MetalKernel {
  /** Resolves with the GPU time in milliseconds. */
  run(frame: MetalFrame, params?: ArrayLike<number>): Promise<number>;
}

const METAL_FORMATS: readonly string[] = ['rgba', 'bgra', 'nv12'];

function failure(what: string, cause: unknown): ConversionError {
  return new ConversionError(`${what}: ${messageOf(cause)}`, { cause });
}

/**
 * Metal frames, kernels and GPU conversion for one container: get it with metalOf(). Off macOS
 * every method but available() and unavailableReason() throws NativeAddonError.
 */
@injectable()
export class Metal {
  private reason?: string | null;

  /** Made by the container (dependency injection). @internal */
  constructor(
    @inject(MetalBindingToken) private readonly load: () => MetalBinding,
    @inject(HostPlatformToken) private readonly platform: NodeJS.Platform,
  ) {}

  /** Why Metal cannot be used here (checked once), or undefined when it can. */
  unavailableReason(): string | undefined {
    if (this.reason === undefined) this.reason = this.check() ?? null;
    return this.reason ?? undefined;
  }

  /** Whether Metal can be used here. */
  available(): boolean {
    return this.unavailableReason() === undefined;
  }

  /** Whether `frame` is a Metal frame made by this API (memory `metal` with a native handle). */
  isMetalFrame(frame: RawFrame): frame is MetalFrame {
    const data = frame.data as Partial<MetalFrameHandle>;
    return frame.memory === 'metal' && data.contents instanceof Uint8Array && typeof data.stride === 'number';
  }

  /** Allocates a Metal frame (contents zeroed by Metal, writable from the CPU through `data.contents`). */
  frame(init: MetalFrameInit): MetalFrame {
    const pixelFormat = init.pixelFormat ?? 'rgba';
    if (!METAL_FORMATS.includes(pixelFormat)) {
      throw new FrameError(`a Metal frame is rgba, bgra or nv12, not '${String(pixelFormat)}'`);
    }
    // createFrame validates the geometry and extras before any GPU memory is taken.
    createFrame({ ...init, pixelFormat, memory: 'metal', data: {} });
    const handle = new (this.binding().MetalFrame)(init.width, init.height, pixelFormat);
    return createFrame({ ...init, pixelFormat, memory: 'metal', data: handle }) as MetalFrame;
  }

  /** RGBA/BGRA -> NV12 on the GPU (BT.601 limited, as on the CPU); allocates `dst` when absent. */
  async rgbToNv12(src: RawFrame, dst?: MetalFrame): Promise<MetalFrame> {
    const out = dst ?? this.frame({ width: src.width, height: src.height, pixelFormat: 'nv12' });
    await this.convertToNv12(src, out);
    return out;
  }

  /** The GPU conversion behind rgbToNv12; resolves with the GPU time in milliseconds. */
  async convertToNv12(src: RawFrame, dst: MetalFrame): Promise<number> {
    const from = this.handleOf(src);
    const to = this.handleOf(dst);
    if (from.pixelFormat === 'nv12' || to.pixelFormat !== 'nv12') {
      throw new FrameError(`rgbToNv12 converts an rgba or bgra Metal frame into an nv12 one, not ${from.pixelFormat} -> ${to.pixelFormat}`);
    }
    if (from.width !== to.width || from.height !== to.height) {
      throw new FrameError(`rgbToNv12: source ${from.width}x${from.height} and destination ${to.width}x${to.height} differ`);
    }
    try {
      return (await this.binding().metalRgbToNv12(from, to)).gpuMs;
    } catch (error) {
      throw failure('Metal RGB -> NV12 failed', error);
    }
  }

  /** A host copy of the frame as packed RGBA or RGB24 (NV12 through the BT.601 inverse, on the GPU). */
  async toHostRgb(frame: RawFrame, format: 'rgba' | 'rgb24' = 'rgba'): Promise<HostFrame> {
    const handle = this.handleOf(frame);
    if (format !== 'rgba' && format !== 'rgb24') throw new FrameError(`toHostRgb writes rgba or rgb24, not '${String(format)}'`);
    const stride = frame.width * (format === 'rgba' ? 4 : 3);
    const data = new Uint8Array(stride * frame.height);
    try {
      await this.binding().metalToRgb(handle, format, data);
    } catch (error) {
      throw failure('Metal download failed', error);
    }
    return createFrame({ ...extrasOf(frame), data, width: frame.width, height: frame.height, pixelFormat: format, stride }) as HostFrame;
  }

  /**
   * The frame in host memory in one of `accepts`: a view of the shared buffer
   * when its own format is accepted (no copy, valid while the frame is not
   * re-rendered), else an RGB copy made on the GPU.
   */
  async download(frame: RawFrame, accepts: readonly PixelFormat[]): Promise<HostFrame> {
    const handle = this.handleOf(frame);
    if (accepts.includes(handle.pixelFormat)) {
      return createFrame({
        ...extrasOf(frame),
        data: handle.contents,
        width: frame.width,
        height: frame.height,
        pixelFormat: handle.pixelFormat,
        stride: handle.stride,
      }) as HostFrame;
    }
    const rgb = (['rgba', 'rgb24'] as const).find((f) => accepts.includes(f));
    if (!rgb) {
      throw new FrameError(`cannot download a ${handle.pixelFormat} Metal frame as any of ${accepts.join(', ')}`);
    }
    return this.toHostRgb(frame, rgb);
  }

  /** Compiles a compute kernel from Metal Shading Language source. */
  kernel(source: string, entry: string): MetalKernel {
    let compiled: NativeMetalKernel;
    try {
      compiled = new (this.binding().MetalKernel)(source, entry);
    } catch (error) {
      throw failure(`Metal kernel '${entry}' did not compile`, error);
    }
    return {
      run: async (frame, params = [0]) => (await compiled.run(this.handleOf(frame), Float32Array.from(params))).gpuMs,
    };
  }

  private handleOf(frame: RawFrame): MetalFrameHandle {
    if (!this.isMetalFrame(frame)) throw new FrameError(`expected a Metal frame, got a ${frame.memory} frame`);
    return frame.data;
  }

  private binding(): MetalBinding {
    const reason = this.unavailableReason();
    if (reason) throw new NativeAddonError(`Metal is unavailable: ${reason}`);
    return this.load();
  }

  private check(): string | undefined {
    if (this.platform !== 'darwin') return 'not macOS';
    try {
      const binding = this.load();
      if (!binding.features().metal) return 'built without Metal';
      const device = binding.metalAvailable();
      return device.available ? undefined : (device.reason ?? 'no Metal device');
    } catch (error) {
      return messageOf(error);
    }
  }
}

function extrasOf(frame: RawFrame): Pick<RawFrame, 'pixelRatio' | 'color'> {
  return {
    ...(frame.pixelRatio !== undefined ? { pixelRatio: frame.pixelRatio } : {}),
    ...(frame.color !== undefined ? { color: frame.color } : {}),
  };
}
