/**
 * rfbcast: render frames in Node.js, view and drive them live in a browser.
 * This module is the package root; everything public is exported here.
 */
import 'reflect-metadata';

import { registerBuiltinBackends } from './backends/builtins';
import { rootContainer } from './core/container';

registerBuiltinBackends(rootContainer);

export * from './core/errors';
export * from './core/pixel-format';
export * from './core/color';
export * from './core/frame';
export * from './core/encoder';
export { EncoderRegistry, PROBE_TIMEOUT_MS, type RegisterOptions, type ProbeReport } from './core/registry';
export type { Selection, SelectionCriteria } from './core/selection';
export {
  rootContainer,
  createContainer,
  registryOf,
  registerBackend,
  selectBackend,
  type DependencyContainer,
} from './core/container';
export { BackendToken, FrameAdapterToken, LoggerToken, NativeLoaderToken } from './core/tokens';
export { convertFrame, convertFrameSync, type ConvertOptions } from './core/convert';
export { createLogger, type Logger } from './core/logging';
export { loadNativeAddon, nativeFeatures, type NativeAddon, type NativeFeatures } from './core/native';
export * from './backends/image';
