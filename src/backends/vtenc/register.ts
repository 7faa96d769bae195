/**
 * Everything the VideoToolbox backend brings to a container: its native
 * bindings, the backend itself, Metal's download and the Metal frame adapter
 * (so image-only viewers of a Metal stream still get pictures).
 */
import type { DependencyContainer } from 'tsyringe';

import { FrameDownloadToken } from '../../adapters/download';
import { MetalHostFrameAdapter } from '../../adapters/metal-host-frame-adapter';
import { BackendToken, FrameAdapterToken } from '../../core/tokens';
import { VtencBackend } from './backend';
import { registerAppleBindings } from './binding';
import { MetalFrameDownload } from './metal-download';

export function registerVtenc(c: DependencyContainer): void {
  registerAppleBindings(c);
  c.register(BackendToken, { useClass: VtencBackend });
  c.register(FrameDownloadToken, { useClass: MetalFrameDownload });
  c.register(FrameAdapterToken, { useClass: MetalHostFrameAdapter });
}
