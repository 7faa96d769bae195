/**
 * Everything Metal brings to a container: its native binding, its download
 * and the Metal frame adapter (so image-only viewers of a Metal stream still
 * get pictures).
 */
import type { DependencyContainer } from 'tsyringe';

import { FrameDownloadToken } from '../adapters/download';
import { FrameAdapterToken } from '../core/tokens';
import { registerMetalBinding } from './binding';
import { MetalFrameDownload } from './download';
import { MetalHostFrameAdapter } from './host-frame-adapter';

export function registerMetal(c: DependencyContainer): void {
  registerMetalBinding(c);
  c.register(FrameDownloadToken, { useClass: MetalFrameDownload });
  c.register(FrameAdapterToken, { useClass: MetalHostFrameAdapter });
}
