/**
 * The frame adapter for `memory: 'metal'`: the registry applies it when a
 * host-only backend (an image viewer of a gpu stream) is created for Metal
 * frames, so those viewers still see the picture.
 */
import { injectable, injectAll } from 'tsyringe';

import { type FrameDownload, FrameDownloadToken } from '../adapters/download';
import { HostFrameAdapter } from '../adapters/host-frame-adapter';
import type { BackendDescriptor, EncoderBackend, FrameAdapter } from '../core/encoder';

@injectable()
export class MetalHostFrameAdapter implements FrameAdapter {
  readonly memory = 'metal';

  constructor(@injectAll(FrameDownloadToken) private readonly downloads: FrameDownload[]) {}

  adapt(encoder: EncoderBackend, descriptor: BackendDescriptor): EncoderBackend {
    return new HostFrameAdapter(encoder, this.downloads, descriptor.capabilities.pixelFormats);
  }
}
