/**
 * The "vtenc" backend: Apple VideoToolbox hardware H.264, ranked above
 * libx264. Its probe goes from cheap to real: the OS, the addon's build, then
 * a real session that encodes one frame. It never throws; each failure is a
 * reason a person can act on.
 */
import { inject, injectable } from 'tsyringe';

import {
  absent,
  type BackendCapabilities,
  type BackendDescriptor,
  broken,
  ok,
  type ProbeResult,
  Rank,
} from '../../core/encoder';
import { BackendUnavailableError, messageOf } from '../../core/errors';
import type { Logger } from '../../core/logging';
import { HostPlatformToken, LoggerToken } from '../../core/tokens';
import { Metal } from '../../metal/metal';
import { type VtBinding, VtBindingToken } from './binding';
import { nativeOptions, VtencEncoder, type VtencOptions } from './encoder';

/** VideoToolbox's kVTCouldNotFindVideoEncoderErr: this Mac has no H.264 hardware encoder. */
const NO_ENCODER = -12908;

/** The `vtenc` backend: hardware H.264 through Apple VideoToolbox, ranked above libx264. */
@injectable()
export class VtencBackend implements BackendDescriptor<VtencOptions> {
  /** {@inheritDoc BackendDescriptor.name} */
  readonly name = 'vtenc';
  /** {@inheritDoc BackendDescriptor.label} */
  readonly label = 'Apple VideoToolbox H.264 (hardware)';
  /** {@inheritDoc BackendDescriptor.transport} */
  readonly transport = 'video' as const;
  /** {@inheritDoc BackendDescriptor.rank} */
  readonly rank = Rank.PRIMARY + 64;
  /** {@inheritDoc BackendDescriptor.capabilities} */
  readonly capabilities: BackendCapabilities = {
    pixelFormats: ['nv12', 'rgba', 'bgra', 'rgb24', 'i420'],
    memories: ['host', 'metal'],
    codecs: ['avc1'],
    hardware: true,
  };

  /** Made by the container (dependency injection). @internal */
  constructor(
    @inject(VtBindingToken) private readonly load: () => VtBinding,
    @inject(HostPlatformToken) private readonly platform: NodeJS.Platform,
    @inject(Metal) private readonly metal: Metal,
    @inject(LoggerToken) private readonly logger: Logger,
  ) {}

  /** macOS, an addon built with VideoToolbox, then a real session that encodes one frame. */
  async probe(): Promise<ProbeResult> {
    const { binding, reason } = this.binding();
    if (!binding) return absent(reason);
    try {
      const answer = await binding.vtSupported();
      if (answer.ok) return ok();
      const why = `VideoToolbox refused: ${answer.status}`;
      return answer.status === NO_ENCODER ? absent(why, answer.message) : broken(why, answer.message);
    } catch (error) {
      return broken(`VideoToolbox probe failed: ${messageOf(error)}`);
    }
  }

  /** A VtencEncoder with its session open; rejects with BackendUnavailableError off a Mac. */
  async create(options: VtencOptions): Promise<VtencEncoder> {
    const native = nativeOptions(options);
    const { binding, reason } = this.binding();
    if (!binding) throw new BackendUnavailableError('vtenc is unavailable', [{ name: this.name, reason }]);
    const encoder = new VtencEncoder(binding, this.metal, native);
    try {
      await encoder.open();
    } catch (error) {
      await encoder.close();
      throw error;
    }
    this.logger.debug({ backend: this.name, width: native.width, height: native.height }, 'encoder created');
    return encoder;
  }

  private binding(): { binding: VtBinding; reason?: undefined } | { binding?: undefined; reason: string } {
    if (this.platform !== 'darwin') return { reason: 'not macOS' };
    try {
      const binding = this.load();
      return binding.features().vtenc ? { binding } : { reason: 'built without VideoToolbox' };
    } catch (error) {
      return { reason: messageOf(error) };
    }
  }
}
