/** Injection tokens shared across the container. */
import type { DependencyContainer, InjectionToken } from 'tsyringe';

import type { BackendDescriptor, FrameAdapter } from './encoder';
import type { Logger } from './logging';
import type { NativeAddon } from './native';

/** Multi-registered: every backend descriptor (built-in or plugin). */
export const BackendToken: InjectionToken<BackendDescriptor> = Symbol('rfbcast.BackendDescriptor');
/** The logger a container's registry, hubs and backends log through; register your own pino logger here. */
export const LoggerToken: InjectionToken<Logger> = Symbol('rfbcast.Logger');
/**
 * Loads the native addon (throwing a NativeAddonError when it cannot). A
 * loader rather than the addon itself, so a missing addon fails a probe, not
 * the construction of every backend. Replace it in a child container to test
 * without native code.
 */
export const NativeLoaderToken: InjectionToken<() => NativeAddon> = Symbol('rfbcast.NativeLoader');
/** Multi-registered: frame adapters by memory kind (see FrameAdapter). */
export const FrameAdapterToken: InjectionToken<FrameAdapter> = Symbol('rfbcast.FrameAdapter');
/** The operating system, as `process.platform` names it; replaceable so tests can play macOS. */
export const HostPlatformToken: InjectionToken<NodeJS.Platform> = Symbol('rfbcast.HostPlatform');

/**
 * A loader for one slice of the addon (VideoToolbox, Metal): the addon is all
 * of them at once, so each slice is the addon typed as that slice.
 */
export function nativeSlice<T>(c: DependencyContainer): () => T {
  const load = c.resolve<() => NativeAddon>(NativeLoaderToken);
  return () => load() as unknown as T;
}
