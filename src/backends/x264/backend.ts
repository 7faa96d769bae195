/**
 * The "libx264" backend descriptor: software H.264 for every platform with
 * libx264. Ranked above the image backend and below hardware encoders.
 */
import { inject, injectable } from 'tsyringe';

import {
  absent,
  type BackendCapabilities,
  type BackendDescriptor,
  broken,
  type VideoEncoderOptions,
  ok,
  type ProbeResult,
  Rank,
} from '../../core/encoder';
import { messageOf } from '../../core/errors';
import { checkEncoderOptions } from '../../core/options';
import type { Logger } from '../../core/logging';
import type { NativeAddon } from '../../core/native';
import { probeFrame } from '../../core/probe-frame';
import { LoggerToken, NativeLoaderToken } from '../../core/tokens';
import { containsIdr, NAL_PPS, NAL_SPS, nalTypes } from '../h264';
import { x264Binding, X264_MISSING } from './binding';
import { X264Encoder } from './encoder';

const PROBE_SIZE = 64;

/** The `libx264` backend's options: the common ones, plus x264's own. */
export interface X264BackendOptions extends VideoEncoderOptions {
  /** An x264 preset name (default `ultrafast`). */
  preset?: string;
  /** Slice threads per picture; 0 (default) lets x264 choose. Never adds frame latency. */
  threads?: number;
}

declare module '../../core/encoder' {
  interface BackendOptionsMap {
    /** Software H.264 through libx264. */
    libx264: X264BackendOptions;
  }
}

/** Encodes two small frames; returns what is wrong with the first access unit, if anything. */
async function testEncode(native: NativeAddon): Promise<string | undefined> {
  const encoder = new X264Encoder({ width: PROBE_SIZE, height: PROBE_SIZE, fps: 30, bitrate: 500_000, native });
  try {
    const units = [];
    for (let i = 0; i < 2; i++) {
      const frame = probeFrame(PROBE_SIZE, i);
      units.push(...(await encoder.encode(frame, { timestampUs: i * 33_333 })));
    }
    const first = units[0];
    if (!first) return 'no output';
    const types = nalTypes(first.data);
    const good = first.keyframe && containsIdr(first.data) && types.includes(NAL_SPS) && types.includes(NAL_PPS);
    return good ? undefined : `keyframe ${first.keyframe}, NAL types ${types.join(',')}`;
  } finally {
    await encoder.close();
  }
}

/** The `libx264` backend: software H.264 on every platform with libx264, ranked PRIMARY. */
@injectable()
export class X264Backend implements BackendDescriptor<X264BackendOptions> {
  /** {@inheritDoc BackendDescriptor.name} */
  readonly name = 'libx264';
  /** {@inheritDoc BackendDescriptor.label} */
  readonly label = 'libx264 (software H.264)';
  /** {@inheritDoc BackendDescriptor.transport} */
  readonly transport = 'video' as const;
  /** {@inheritDoc BackendDescriptor.rank} */
  readonly rank = Rank.PRIMARY;
  /** {@inheritDoc BackendDescriptor.capabilities} */
  readonly capabilities: BackendCapabilities = {
    pixelFormats: ['rgba', 'bgra', 'rgb24', 'i420', 'nv12'],
    memories: ['host'],
    codecs: ['avc1'],
    hardware: false,
  };

  /** Made by the container (dependency injection). @internal */
  constructor(
    @inject(NativeLoaderToken) private readonly load: () => NativeAddon,
    @inject(LoggerToken) private readonly logger: Logger,
  ) {}

  /** Built with libx264 (else absent), then two real 64x64 frames whose first must be an IDR with SPS and PPS (else broken). */
  async probe(): Promise<ProbeResult> {
    let native: NativeAddon;
    try {
      native = this.load();
    } catch (error) {
      return absent(messageOf(error));
    }
    if (!x264Binding(native)) return absent(X264_MISSING);
    try {
      const problem = await testEncode(native);
      if (problem) return broken('test encode did not start with an IDR carrying SPS and PPS', problem);
    } catch (error) {
      return broken(`test encode failed: ${messageOf(error)}`);
    }
    return ok();
  }

  /** An X264Encoder; `pipelineDepth` is accepted and ignored, as x264 runs without lookahead here. */
  create(options: X264BackendOptions): X264Encoder {
    const common = checkEncoderOptions(this.name, this.transport, options, ['preset', 'threads']);
    const { preset, threads } = options;
    return new X264Encoder({ ...common, preset, threads, native: this.load(), logger: this.logger });
  }
}
