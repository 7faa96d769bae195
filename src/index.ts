/**
 * rfbcast: render frames in Node.js, view and drive them live in a browser.
 * This module is the package root; everything public is exported here.
 */
import 'reflect-metadata';

import { registerBuiltinBackends } from './backends/builtins';
import { Metal } from './metal/metal';
import { rootContainer } from './core/container';

registerBuiltinBackends(rootContainer);

/** Metal frames and GPU conversion of the process-wide container (available on macOS only). */
export const metal: Metal = rootContainer.resolve(Metal);

export * from './core/errors';
export * from './core/pixel-format';
export * from './core/color';
export * from './core/frame';
export { probeFrame } from './core/probe-frame';
export * from './core/encoder';
export { ENCODER_DEFAULTS } from './core/options';
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
export { BackendToken, FrameAdapterToken, HostPlatformToken, LoggerToken, NativeLoaderToken } from './core/tokens';
export { convertFrame, convertFrameSync, type ConvertOptions } from './core/convert';
export { createLogger, type Logger } from './core/logging';
export { loadNativeAddon, nativeFeatures, type NativeAddon, type NativeFeatures } from './core/native';
export * as wire from './wire';
export { serve, attach, createHub, type ServeOptions } from './server/serve';
export { Hub, HUB_DEFAULTS, type HubOptions } from './server/hub';
export { HTTP_LIMIT_DEFAULTS, type HttpLimits } from './server/http-limits';
export { relay, Relay, type RelayOptions, type RelayStatus, type RelayStreamStatus } from './relay/relay';
export type { NatsConfig, NatsOptions } from './relay/nats-link';
export { Display, type PublishOptions, type QualityOptions, type Rendition, type StreamInfo } from './server/display';
export type { GroupMember, KeyframeDemand, Targets } from './server/group-member';
export type { QueuedEvent } from './server/event-queue';
export type { MetricsSnapshot } from './server/metrics';
export type { ViewerInfo } from './server/viewer';
export type { GroupMetrics } from './server/encode-group';
export { record, Recording, type RecordedStream, type RecordingMetrics, type RecordingState, type RecordOptions } from './recorder/recording';
export { RecordingError } from './recorder/errors';
export {
  STREAM_DEFAULTS,
  type StreamOptions,
  type Authenticate,
  type AuthContext,
  type ResizePolicy,
  type EncodingMode,
} from './server/stream-config';
export { ClockToken, systemClock, type Clock, type Timer } from './server/clock';
export { DisplayClosedError, PortInUseError, SwitchError, UnknownViewerError } from './server/errors';
export type {
  InputEvent,
  VocabularyEvent,
  VocabularyEventType,
  EventOfType,
  OtherEvent,
  PointerEvent,
  WheelEvent,
  KeyEvent,
  ResizeInputEvent,
} from './wire';
export { isEventOfType, isPointerEvent, isKeyEvent, isCustomEvent } from './wire';
export { VtencBackend } from './backends/vtenc/backend';
export { VtencEncoder, type VtTimings } from './backends/vtenc/encoder';
export { Metal, type MetalFrame, type MetalFrameInit, type MetalKernel, type MetalPixelFormat } from './metal/metal';
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
export { HostFrameAdapter, type HostFrameAdapterOptions } from './adapters/host-frame-adapter';
export { MetalHostFrameAdapter } from './metal/host-frame-adapter';
export { FrameDownloadToken, type FrameDownload } from './adapters/download';
export { X264Encoder, type X264EncoderOptions } from './backends/x264/encoder';
export { X264Backend } from './backends/x264/backend';
export * from './backends/image';
