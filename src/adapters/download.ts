/**
 * Downloads: how frames in a memory other than the host's reach host memory.
 * Each memory kind that can be downloaded registers one FrameDownload under
 * FrameDownloadToken; HostFrameAdapter looks them up by `memory`.
 */
import type { InjectionToken } from 'tsyringe';

import type { HostFrame, MemoryKind, RawFrame } from '../core/frame';
import type { PixelFormat } from '../core/pixel-format';

/** How frames of one memory kind reach host memory; HostFrameAdapter picks one by `memory`. */
export interface FrameDownload {
  /** The memory kind it downloads from. */
  readonly memory: MemoryKind;
  /**
   * Whether download() returns memory the caller owns. When false the result
   * may view the source frame's memory, valid only until the frame is reused.
   */
  readonly ownedCopies: boolean;
  /** The frame in host memory, in one of `accepts`. */
  download(frame: RawFrame, accepts: readonly PixelFormat[]): Promise<HostFrame>;
}

/** Multi-registered: one FrameDownload per downloadable memory kind. */
export const FrameDownloadToken: InjectionToken<FrameDownload> = Symbol('rfbcast.FrameDownload');
