/** Injection tokens shared across the container. */
import type { InjectionToken } from 'tsyringe';

import type { BackendDescriptor, FrameAdapter } from './encoder';
import type { Logger } from './logging';
import type { NativeAddon } from './native';

/** Multi-registered: every backend descriptor (built-in or plugin). */
export const BackendToken: InjectionToken<BackendDescriptor> = Symbol('rfbcast.BackendDescriptor');
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
