/**
 * rfbcast: render frames in Node.js, view and drive them live in a browser.
 *
 * The package root: what applications and backend plugin authors use. It
 * runs nothing at import; the process-wide container, with its native addon
 * and built-in backends, is built on first use. Test seams (injection tokens
 * for native bindings, the clock) live in `rfbcast/testing`, and the wire
 * protocol's codecs in `rfbcast/wire`.
 *
 * @packageDocumentation
 */
import 'reflect-metadata';

// Frames and their pixels.
export {
  MAX_DIMENSION,
  createFrame,
  allocateFrame,
  rgbaFrame,
  bgraFrame,
  rgb24Frame,
  nv12Frame,
  i420Frame,
  isHostFrame,
  type RawFrame,
  type HostFrame,
  type FrameInit,
  type FrameInput,
  type PixelBuffer,
  type MemoryKind,
  type FormatFrameOptions,
} from './core/frame';
export { PIXEL_FORMATS, isPixelFormat, type PixelFormat } from './core/pixel-format';
export { SRGB, DISPLAY_P3, type ColorDescriptor, type ColorPrimaries, type ColorTransfer, type ColorMatrix } from './core/color';
export { probeFrame } from './core/probe-frame';
export { convertFrame, convertFrameSync, type ConvertOptions } from './core/convert';

// Errors.
export {
  RfbcastError,
  ConfigError,
  FrameError,
  ConversionError,
  NativeAddonError,
  UnknownBackendError,
  DuplicateBackendError,
  BackendUnavailableError,
  EncoderError,
  EncoderClosedError,
  type SkippedBackend,
} from './core/errors';
export { DisplayClosedError, PortInUseError, SwitchError, UnknownViewerError } from './server/errors';
export { RecordingError } from './recorder/errors';

// The encoder contract, for plugin authors: everything in it is public.
export * from './core/encoder';
export { ENCODER_DEFAULTS, checkEncoderOptions, checkEncodeArguments, type CheckedEncoderOptions } from './core/options';

// The registry, its containers and selection.
export { EncoderRegistry, PROBE_TIMEOUT_MS, type RegisterOptions, type ProbeReport } from './core/registry';
export type { Selection, SelectionCriteria } from './core/selection';
export {
  createContainer,
  registryOf,
  registerBackend,
  selectBackend,
  metalOf,
  type DependencyContainer,
} from './container';
export { BackendToken, FrameAdapterToken, LoggerToken } from './core/tokens';
export { createLogger, type Logger } from './core/logging';

// Serving: hubs, streams and what viewers send back.
export { serve, attach, createHub, type ServeOptions } from './server/serve';
export { Hub, HUB_DEFAULTS, type HubOptions } from './server/hub';
export { HTTP_LIMIT_DEFAULTS, type HttpLimits } from './server/http-limits';
export {
  STREAM_DEFAULTS,
  type StreamOptions,
  type Authenticate,
  type AuthContext,
  type ResizePolicy,
  type EncodingMode,
  type DefaultedKey,
} from './server/stream-config';
export { Display, type PublishOptions, type QualityOptions, type Rendition, type StreamInfo } from './server/display';
export type { GroupMember, KeyframeDemand, Targets } from './server/group-member';
export type { QueuedEvent } from './server/event-queue';
export type { MetricsSnapshot } from './server/metrics';
export type { ViewerInfo } from './server/viewer';
export type { GroupMetrics } from './server/encode-group';
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
  Modifier,
} from './wire/events';
export { isEventOfType, isPointerEvent, isKeyEvent, isCustomEvent } from './wire/events';

// Relaying over NATS, and recording.
export { relay, Relay, type RelayOptions, type RelayStatus, type RelayStreamOptions, type RelayStreamStatus } from './relay/relay';
export type { NatsConfig, NatsOptions } from './relay/nats-link';
export type { RenditionName } from './relay/subjects';
export { record, Recording, type RecordedStream, type RecordingMetrics, type RecordingState, type RecordOptions } from './recorder/recording';

// The built-in backends, for direct use and for containers built deliberately.
export { X264Backend, type X264BackendOptions } from './backends/x264/backend';
export { X264Encoder, type X264EncoderOptions } from './backends/x264/encoder';
export {
  ImageBackend,
  type ImageBackendOptions,
  ImageEncoder,
  IMAGE_DEFAULTS,
  IMAGE_MIMES,
  IMAGE_MODE_NAMES,
  type ImageMime,
  type ImageMode,
  type ImageEncoderOptions,
  type ChromaSubsampling,
  type PngFilter,
} from './backends/image';
export { VtencBackend } from './backends/vtenc/backend';
export { VtencEncoder, type VtencOptions, type VtTimings } from './backends/vtenc/encoder';

// Metal frames, and adapting frames in other memories for host-only encoders.
export { Metal, type MetalFrame, type MetalFrameInit, type MetalKernel } from './metal/metal';
export type { MetalFrameData, MetalPixelFormat } from './metal/frame-data';
export { HostFrameAdapter, type HostFrameAdapterOptions } from './adapters/host-frame-adapter';
export type { FrameDownload } from './adapters/download';
