/** Metal's entry under FrameDownloadToken: views of the shared buffer, or GPU-made RGB copies. */
import { inject, injectable } from 'tsyringe';

import type { FrameDownload } from '../adapters/download';
import type { HostFrame, RawFrame } from '../core/frame';
import type { PixelFormat } from '../core/pixel-format';
import { Metal } from './metal';

@injectable()
export class MetalFrameDownload implements FrameDownload {
  readonly memory = 'metal';
  readonly ownedCopies = false;

  constructor(@inject(Metal) private readonly metal: Metal) {}

  download(frame: RawFrame, accepts: readonly PixelFormat[]): Promise<HostFrame> {
    return this.metal.download(frame, accepts);
  }
}
