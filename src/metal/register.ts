/**
 * Everything Metal brings to a container: its native binding, one Metal
 * object per container (so its availability is checked once), its download
 * and the Metal frame adapter (so image-only viewers of a Metal stream still
 * get pictures).
 */
import { type DependencyContainer, instancePerContainerCachingFactory } from 'tsyringe';

import { FrameDownloadToken } from '../adapters/download';
import { FrameAdapterToken, HostPlatformToken } from '../core/tokens';
import { MetalBindingToken, registerMetalBinding } from './binding';
import { MetalFrameDownload } from './download';
import { MetalHostFrameAdapter } from './host-frame-adapter';
import { Metal } from './metal';

export function registerMetal(c: DependencyContainer): void {
  registerMetalBinding(c);
  c.register(Metal, {
    useFactory: instancePerContainerCachingFactory((dc) => new Metal(dc.resolve(MetalBindingToken), dc.resolve(HostPlatformToken))),
  });
  c.register(FrameDownloadToken, { useClass: MetalFrameDownload });
  c.register(FrameAdapterToken, { useClass: MetalHostFrameAdapter });
}
