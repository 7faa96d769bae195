/**
 * A recording of a stream to fragmented MP4. It is one more member of the
 * stream's H.264 encode group (PROTOCOL.md §9.4), so recording a stream that
 * viewers watch costs no encode; on a relay it is a member just the same. It
 * awaits a keyframe when it joins, then takes every unit the group encodes
 * and queues it for the muxer in order: the group never waits on the disk.
 * The queue is bounded (maxQueuedBytes): past it the recording misses units
 * and resumes at a keyframe, as a slow viewer does, and counts what it missed.
 *
 * Sample times are the publish times, relative to the file's first unit: the
 * frame rate is variable. A unit that re-encodes a frame already written (a
 * joining viewer's catch-up, a still) is placed just after it. A change of
 * size or colour starts a new file (see recording-target.ts); other in-band
 * parameter set changes (a retune) stay in the samples of the same file.
 */
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

import { colorKey } from '../core/color';
import type { EncodedUnit } from '../core/encoder';
import { messageOf } from '../core/errors';
import type { Logger } from '../core/logging';
import type { Rendition } from '../server/display';
import type { GroupMember, KeyframeDemand } from '../server/group-member';
import { RecordingError } from './errors';
import { FragmentedMp4 } from './fragmented-mp4';
import { type RecordingTarget, targetOf } from './recording-target';

/** Options of record(). */
export interface RecordOptions {
  /** The rendition to record: the stream's H.264, the only one MP4 takes here (the default). */
  rendition?: Rendition;
  /** Encoded bytes that may wait for the disk before the recording misses units (default 64 MiB). */
  maxQueuedBytes?: number;
}

/** What a recording needs from its stream: a Display, or anything else with encode groups (a relay). */
export interface RecordedStream {
  /** The stream's name. */
  readonly name: string;
  /** Where the recording logs. */
  readonly logger: Logger;
  /** Joins `sink` to the encode group of `rendition`; returns the function that leaves it. */
  attachSink(sink: GroupMember, rendition: Rendition): () => void;
  /** Calls `listener` once the stream closes. */
  once(event: 'close', listener: () => void): unknown;
  /** Removes a close listener. */
  off(event: 'close', listener: () => void): unknown;
}

/** `recording`, then `stopping` while the last fragment is written, then `stopped`; `failed` after a write error. */
export type RecordingState = 'recording' | 'stopping' | 'stopped' | 'failed';

/** What Recording.metrics() reports (snake_case, as the side channel serves it). */
export interface RecordingMetrics {
  /** The recording's id. */
  id: string;
  /** The file being written: the latest part. */
  file: string;
  /** Every part so far (a new one at each size or colour change). */
  files: string[];
  /** Where it is in its life. */
  state: RecordingState;
  /** Stream time recorded, from the first unit's publish time to the end of the last unit. */
  duration_s: number;
  /** Bytes on disk, over every part. */
  bytes: number;
  /** Frames in the muxer: every unit taken from the group, in order, once the queue reaches it. */
  frames: number;
  /** Frames in complete fragments on disk: what a crash now would keep. */
  frames_on_disk: number;
  /** MP4 fragments written. */
  fragments: number;
  /** Frames missed while the queue was over its budget (the recording resumed at a keyframe). */
  frames_dropped: number;
  /** Encoded bytes waiting for the disk now. */
  queued_bytes: number;
}

const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/** How far after a frame a re-encode of that same frame is placed (a few ticks of mediabunny's 57600 Hz timescale). */
const REPEAT_STEP_US = 100;

interface Part {
  readonly file: string;
  readonly sink: Writable;
  mp4?: FragmentedMp4;
  /** Size and colour: a unit with another shape starts the next part. */
  shape?: string;
  /** The publish time of the part's first unit: its time zero. */
  originUs?: number;
  /** The earliest time the next sample may take. */
  nextPtsUs: number;
  closing?: Promise<void>;
}

const active = new WeakMap<RecordedStream, Set<Recording>>();

/** The recordings of a stream that are still running. */
export function recordingsOf(stream: RecordedStream): RecordingMetrics[] {
  return [...(active.get(stream) ?? [])].map((r) => r.metrics());
}

/** Starts recording `stream` into a file path (numbered parts) or a Writable (one file; it is ended on stop). */
export function record(stream: RecordedStream, target: string | Writable, options: RecordOptions = {}): Recording {
  return new Recording(stream, target, options);
}

/**
 * A recording of one stream's H.264 into fragmented MP4, made by record(). It is a sink of the
 * stream's encode group: it never encodes, and a slow disk costs it frames (counted), never a viewer.
 */
export class Recording implements GroupMember {
  /** Its id, in metrics and logs. */
  readonly id = `recording-${randomBytes(4).toString('hex')}`;
  private demandNow: KeyframeDemand | undefined = 'join';
  private seq = 0;
  private readonly queue: EncodedUnit[] = [];
  private queuedBytes = 0;
  private pumping?: Promise<void>;
  private readonly parts: Part[] = [];
  private readonly target: RecordingTarget;
  private readonly maxQueuedBytes: number;
  private readonly logger: Logger;
  private readonly leave: () => void;
  private attached = true;
  private state: RecordingState = 'recording';
  private failure?: unknown;
  private stopping?: Promise<RecordingMetrics>;
  private frames = 0;
  private dropped = 0;
  private firstUs?: number;
  private endUs = 0;
  private readonly onClose = () => void this.stop().catch(() => undefined);

  constructor(
    private readonly stream: RecordedStream,
    target: string | Writable,
    options: RecordOptions,
  ) {
    const rendition = options.rendition ?? { transport: 'video' };
    if (rendition.transport !== 'video') throw new RecordingError(`an MP4 recording takes the H.264 rendition, not ${rendition.transport}`);
    const max = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    if (!Number.isInteger(max) || max <= 0) throw new RecordingError(`maxQueuedBytes must be a positive integer, got ${String(max)}`);
    this.maxQueuedBytes = max;
    this.target = targetOf(target);
    this.logger = stream.logger.child({ recording: this.id });
    this.leave = stream.attachSink(this, rendition);
    try {
      this.parts.push(this.openPart(1) as Part);
    } catch (error) {
      this.detach();
      throw error;
    }
    stream.once('close', this.onClose);
    const set = active.get(stream) ?? new Set();
    active.set(stream, set.add(this));
    this.logger.info({ file: this.current.file }, 'recording started');
  }

  /**
   * Stops taking units, writes what is queued and the last fragment, and ends
   * the file. Resolves with the final metrics; rejects with RecordingError when
   * the recording failed.
   */
  stop(): Promise<RecordingMetrics> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Resolves once every unit taken so far is in the muxer and every fragment it completed is on disk. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /** Its file, state, duration, bytes and frame counters now. */
  metrics(): RecordingMetrics {
    const sum = (f: (m: FragmentedMp4) => number) => this.parts.reduce((n, p) => n + (p.mp4 ? f(p.mp4) : 0), 0);
    return {
      id: this.id,
      file: this.current.file,
      files: this.parts.map((p) => p.file),
      state: this.state,
      duration_s: this.firstUs === undefined ? 0 : Math.round(this.endUs - this.firstUs) / 1e6,
      bytes: sum((m) => m.bytes),
      frames: this.frames,
      frames_on_disk: sum((m) => m.durableSamples),
      fragments: sum((m) => m.fragments),
      frames_dropped: this.dropped,
      queued_bytes: this.queuedBytes,
    };
  }

  // ---------------------------------------------------------------- GroupMember

  /** {@inheritDoc GroupMember.demand} */
  get demand(): KeyframeDemand | undefined {
    return this.demandNow;
  }

  /** {@inheritDoc GroupMember.joined} */
  joined(): void {}

  /** {@inheritDoc GroupMember.canTake} */
  canTake(): boolean {
    return this.hasRoom();
  }

  /** {@inheritDoc GroupMember.hasRoom} */
  hasRoom(): boolean {
    return this.state === 'recording' && this.queuedBytes < this.maxQueuedBytes;
  }

  /** {@inheritDoc GroupMember.takeSeq} */
  takeSeq(): number {
    return this.seq++;
  }

  /** {@inheritDoc GroupMember.skip} */
  skip(): void {
    if (this.firstUs === undefined) return;
    if (this.demandNow === undefined) this.logger.warn({ queued_bytes: this.queuedBytes }, 'recording falls behind the disk: missing frames until a keyframe');
    this.dropped++;
    this.demandNow ??= 'skip';
  }

  /** The group hands a member units from a keyframe on once it awaits one (§9.4): the first unit here is a keyframe. */
  deliver(unit: EncodedUnit): void {
    if (this.state !== 'recording') return;
    this.demandNow = undefined;
    this.firstUs ??= unit.timestampUs;
    this.queue.push(unit);
    this.queuedBytes += unit.data.byteLength;
    this.kick();
  }

  /** {@inheritDoc GroupMember.announce} */
  announce(): void {}

  /** The group cannot serve the recording any more (its encoder failed): keep what was recorded. */
  end(_code?: number, reason?: string): void {
    this.logger.warn({ reason }, 'the stream ended the recording');
    void this.stop().catch(() => undefined);
  }

  // ---------------------------------------------------------------- writing

  private get current(): Part {
    return this.parts[this.parts.length - 1];
  }

  private openPart(n: number): Part | undefined {
    const sink = this.target.open(n);
    if (!sink) return undefined;
    // A failing disk or stream fails this recording only, never the process.
    sink.on('error', (error: unknown) => this.fail(error));
    return { file: this.target.name(n), sink, nextPtsUs: 0 };
  }

  private kick(): void {
    if (this.pumping || this.queue.length === 0) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const unit = this.queue[0];
      try {
        await this.write(unit);
      } catch (error) {
        this.fail(error);
      }
      this.queue.shift();
      this.queuedBytes -= unit.data.byteLength;
    }
  }

  private async write(unit: EncodedUnit): Promise<void> {
    const shape = `${unit.width}x${unit.height} ${colorKey(unit.color)}`;
    let part = this.current;
    if (part.shape !== undefined && part.shape !== shape) {
      await this.closePart(part);
      const next = this.openPart(this.parts.length + 1);
      if (!next) {
        this.logger.warn({ shape }, 'the stream changed size or colour and a Writable holds one file: the recording ends');
        this.drop();
        void this.stop();
        return;
      }
      this.parts.push(next);
      this.logger.info({ file: next.file, shape }, 'the stream changed size or colour: recording into a new file');
      part = next;
    }
    part.shape = shape;
    part.originUs ??= unit.timestampUs;
    const ptsUs = Math.max(unit.timestampUs - part.originUs, part.nextPtsUs);
    part.nextPtsUs = ptsUs + REPEAT_STEP_US;
    part.mp4 ??= new FragmentedMp4(part.sink);
    await part.mp4.add({
      data: unit.data,
      keyframe: unit.keyframe,
      ptsUs,
      durationUs: unit.durationUs ?? 0,
      // mediabunny builds avcC from the keyframe's SPS: the string only has to name the codec.
      codec: unit.codec ?? 'avc1',
      width: unit.width,
      height: unit.height,
    });
    this.frames++;
    this.endUs = unit.timestampUs + (unit.durationUs ?? 0);
  }

  /** Finishes a part's file (once); a part that got no frame is ended empty. */
  private closePart(part: Part): Promise<void> {
    part.closing ??= part.mp4 ? part.mp4.finish() : (part.sink.end(), finished(part.sink));
    return part.closing;
  }

  private detach(): void {
    if (this.attached) this.leave();
    this.attached = false;
  }

  /** Leaves the group and forgets what is queued behind the unit being written: nothing more will be written. */
  private drop(): void {
    if (this.state === 'recording') this.state = 'stopping';
    this.detach();
    for (const unit of this.queue.splice(1)) this.queuedBytes -= unit.data.byteLength;
  }

  private fail(error: unknown): void {
    if (this.state === 'failed') return;
    this.failure = error;
    this.drop();
    this.state = 'failed';
    this.current.sink.destroy();
    this.forget();
    this.logger.error({ err: error, file: this.current.file }, 'recording failed');
  }

  private forget(): void {
    active.get(this.stream)?.delete(this);
    this.stream.off('close', this.onClose);
  }

  private async shutdown(): Promise<RecordingMetrics> {
    if (this.state === 'recording') this.state = 'stopping';
    this.detach();
    await this.idle();
    if (this.state === 'stopping') {
      try {
        await this.closePart(this.current);
        this.state = 'stopped';
      } catch (error) {
        this.fail(error);
      }
    }
    this.forget();
    if (this.state === 'failed') {
      throw new RecordingError(`recording to '${this.current.file}' failed: ${messageOf(this.failure)}`, { cause: this.failure });
    }
    this.logger.info(this.metrics(), 'recording stopped');
    return this.metrics();
  }
}
