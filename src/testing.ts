/**
 * rfbcast/testing: the seams rfbcast's own tests use, for applications and
 * plugins that test against rfbcast the same way. Register a fake under one
 * of these tokens in a `createContainer()` child, then pass the child where a
 * `container` option is taken:
 *
 *   const c = createContainer();
 *   c.register(VtBindingToken, { useValue: () => myFakeVideoToolbox });
 *   const hub = createHub({ container: c });
 *
 * The binding shapes here mirror the native addon and may change with it:
 * unlike the package root, this entry point makes no compatibility promise.
 *
 * @packageDocumentation
 */
import 'reflect-metadata';

export { defaultContainer } from './container';
export { HostPlatformToken, NativeLoaderToken } from './core/tokens';
export { loadNativeAddon, nativeFeatures, type ConvertArgs, type NativeAddon, type NativeFeatures } from './core/native';
export { ClockToken, systemClock, type Clock, type Timer } from './server/clock';
export { FrameDownloadToken } from './adapters/download';
export {
  VtBindingToken,
  type VtBinding,
  type VtEncoderOptions,
  type VtStep,
  type VtUnit,
  type VtProbe,
  type NativeVtEncoder,
} from './backends/vtenc/binding';
export { MetalBindingToken, type MetalBinding, type MetalFrameHandle, type NativeMetalKernel } from './metal/binding';
