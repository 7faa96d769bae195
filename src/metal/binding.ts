/**
 * The slice of the native addon the Metal API uses, and the token it is
 * injected through. The default comes from the container's NativeLoaderToken;
 * tests register a fake with the same shape in a child container.
 */
import type { DependencyContainer, InjectionToken } from 'tsyringe';

import type { NativeFeatures } from '../core/native';
import { nativeSlice } from '../core/tokens';
import type { MetalFrameData } from './frame-data';

/** What the addon's MetalFrame constructor returns: the public frame data itself. */
export type MetalFrameHandle = MetalFrameData;

/** A compiled Metal compute kernel. */
export interface NativeMetalKernel {
  /** Runs over every pixel: frame bytes at buffer(0), {width, height, stride} at buffer(1), params at buffer(2). */
  run(frame: MetalFrameHandle, params: Float32Array): Promise<{ gpuMs: number }>;
}

/** The Metal slice of the native addon. */
export interface MetalBinding {
  /** Whether the addon was built with Metal. */
  features(): Pick<NativeFeatures, 'metal'>;
  /** Whether a Metal device exists, its name, or why not. */
  metalAvailable(): { available: boolean; device?: string; reason?: string };
  /** Allocates a frame in a shared-storage MTLBuffer. */
  MetalFrame: new (width: number, height: number, pixelFormat: string) => MetalFrameHandle;
  /** Compiles Metal Shading Language `source` and picks its `entry` function. */
  MetalKernel: new (source: string, entry: string) => NativeMetalKernel;
  /** RGBA/BGRA to NV12 on the GPU, with the CPU path's coefficients. */
  metalRgbToNv12(src: MetalFrameHandle, dst: MetalFrameHandle): Promise<{ gpuMs: number }>;
  /** Any Metal frame to host RGBA or RGB24 in `dst`. */
  metalToRgb(src: MetalFrameHandle, format: 'rgba' | 'rgb24', dst: Uint8Array): Promise<{ gpuMs: number }>;
}

/** Loads the Metal binding. */
export const MetalBindingToken: InjectionToken<() => MetalBinding> = Symbol('rfbcast.MetalBinding');

export function registerMetalBinding(c: DependencyContainer): void {
  c.register(MetalBindingToken, { useFactory: (dc) => nativeSlice<MetalBinding>(dc) });
}
