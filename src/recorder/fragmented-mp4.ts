/**
 * One fragmented MP4 file with one H.264 track, muxed by mediabunny and
 * written in order to a Node Writable. Every keyframe starts a fragment
 * (moof + mdat); a fragment reaches the writable whole, once the keyframe
 * after it arrives. So a process killed mid-recording leaves ftyp, moov and
 * every completed fragment on disk: a file that plays up to its last
 * fragment. mediabunny turns our Annex B units into AVCC samples and builds
 * avcC from the first keyframe's SPS/PPS; later in-band parameter sets stay
 * in their samples, as the encoder emitted them.
 */
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

import { EncodedPacket, EncodedVideoPacketSource, Mp4OutputFormat, Output, StreamTarget, type StreamTargetChunk } from 'mediabunny';

export interface Mp4Sample {
  /** One Annex B access unit. */
  data: Uint8Array;
  keyframe: boolean;
  /** Presentation time from the start of the file. */
  ptsUs: number;
  /** Used for the file's last sample only: every other one lasts until the next. */
  durationUs: number;
  /** The WebCodecs codec string (avc1.PPCCLL). */
  codec: string;
  width: number;
  height: number;
}

/** A write the muxer waits on: a fragment it completed, on disk. */
interface Waiter {
  at: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class FragmentedMp4 {
  private readonly output: Output;
  private readonly source = new EncodedVideoPacketSource('avc');
  private readonly started: Promise<void>;
  /** Bytes the muxer has produced, handed to the writable, and the writable has acknowledged. */
  private produced = 0;
  private handed = 0;
  private acknowledged = 0;
  private samples = 0;
  private moofs = 0;
  private waiters: Waiter[] = [];
  /** Complete fragments on disk, and the samples they hold. */
  private fragmentCount = 0;
  private samplesOnDisk = 0;

  constructor(private readonly sink: Writable) {
    const target = new StreamTarget(
      new WritableStream<StreamTargetChunk>({ write: (chunk) => this.write(chunk), close: () => this.end() }),
    );
    target.on('write', ({ end }) => (this.produced = Math.max(this.produced, end)));
    const format = new Mp4OutputFormat({
      fastStart: 'fragmented',
      // A fragment per keyframe: a killed process loses at most the group of pictures in progress.
      minimumFragmentDuration: 0,
      onMoof: () => this.moofs++,
    });
    this.output = new Output({ format, target });
    this.output.addVideoTrack(this.source);
    this.started = this.output.start();
  }

  /** Bytes the writable has acknowledged. */
  get bytes(): number {
    return this.acknowledged;
  }

  get fragments(): number {
    return this.fragmentCount;
  }

  /** Samples in complete fragments on disk: what a crash now would keep. */
  get durableSamples(): number {
    return this.samplesOnDisk;
  }

  /**
   * Adds one sample. Resolves once the muxer has taken it and, when it
   * completed a fragment (it is a keyframe), once that fragment is on disk.
   */
  async add(s: Mp4Sample): Promise<void> {
    await this.started;
    const moofs = this.moofs;
    const packet = new EncodedPacket(s.data, s.keyframe ? 'key' : 'delta', s.ptsUs / 1e6, s.durationUs / 1e6);
    // Without a description mediabunny reads SPS/PPS from the (Annex B) keyframe and converts every sample to AVCC.
    await this.source.add(packet, { decoderConfig: { codec: s.codec, codedWidth: s.width, codedHeight: s.height } });
    const before = this.samples++;
    if (this.moofs === moofs) return;
    await this.untilAcknowledged(this.produced);
    this.fragmentCount++;
    this.samplesOnDisk = before;
  }

  /** Writes the last fragment and the index, then ends the writable. */
  async finish(): Promise<void> {
    await this.started;
    await this.output.finalize();
    if (this.samples > this.samplesOnDisk) this.fragmentCount++;
    this.samplesOnDisk = this.samples;
  }

  private untilAcknowledged(at: number): Promise<void> {
    if (this.acknowledged >= at) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ at, resolve, reject }));
  }

  /** fMP4 is written front to back: the writable only ever appends. */
  private write(chunk: StreamTargetChunk): Promise<void> {
    if (chunk.position !== this.handed) {
      return Promise.reject(new Error(`the muxer wrote at byte ${chunk.position}, expected ${this.handed} (append only)`));
    }
    this.handed += chunk.data.byteLength;
    return new Promise((resolve, reject) =>
      this.sink.write(chunk.data, (error) => {
        if (error) {
          for (const w of this.waiters.splice(0)) w.reject(error);
          return reject(error);
        }
        this.acknowledged += chunk.data.byteLength;
        this.waiters = this.waiters.filter((w) => (w.at <= this.acknowledged ? (w.resolve(), false) : true));
        resolve();
      }),
    );
  }

  private end(): Promise<void> {
    this.sink.end();
    return finished(this.sink);
  }
}
