/**
 * The origin's side of relaying (`serve(w, h, { nats })`): it answers relays'
 * discovery with its streams, sizes and renditions; attaches a publisher to a
 * stream's encode group for each rendition some relay wants, for as long as
 * interest keeps coming; answers keyframe requests (the group's keyframe
 * limit coalesces them across relays); and queues relays' input events on
 * the stream. An origin no relay watches publishes nothing and encodes
 * nothing extra.
 */
import { randomBytes } from 'node:crypto';

import type { Msg } from '@nats-io/transport-node';

import type { Logger } from '../core/logging';
import type { Stream } from '../server/stream';
import { inputEventProblem, type InputEvent } from '../wire';
import { type NatsConfig, NatsLink } from './nats-link';
import { RenditionPublisher } from './rendition-publisher';
import { type Catalog, type RenditionName, renditionName, renditionOf } from './subjects';

/** A rendition nobody has asked for this long is detached; relays renew interest every INTEREST_EVERY_MS. */
export const INTEREST_TTL_MS = 3000;
export const INTEREST_EVERY_MS = 1000;

export interface OriginStreams {
  stream(name: string): Stream | undefined;
  streams(): Stream[];
}

interface Attached {
  stream: Stream;
  publisher: RenditionPublisher;
  detach: () => void;
  lastInterestMs: number;
}

export class Origin {
  readonly id = randomBytes(8).toString('hex');
  private readonly attached = new Map<string, Attached>();
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    private readonly link: NatsLink,
    private readonly streams: OriginStreams,
    private readonly logger: Logger,
  ) {
    const { nc, subjects } = link;
    const handle = (what: string, fn: (m: Msg) => void) => (err: Error | null, m: Msg) => {
      if (err) return this.logger.warn({ err }, `NATS ${what} subscription failed`);
      try {
        fn(m);
      } catch (error) {
        this.logger.warn({ err: error, subject: m.subject }, `bad ${what} message`);
      }
    };
    nc.subscribe(subjects.discover, { callback: handle('discover', (m) => m.respond(JSON.stringify(this.catalog()))) });
    nc.subscribe(subjects.anyRendition('interest'), { callback: handle('interest', (m) => this.want(m.subject)) });
    nc.subscribe(subjects.anyRendition('keyframe'), { callback: handle('keyframe', (m) => this.keyframe(m)) });
    nc.subscribe(subjects.anyEvents, { callback: handle('events', (m) => this.input(m)) });
    this.sweeper = setInterval(() => this.sweep(), INTEREST_EVERY_MS);
    this.sweeper.unref();
  }

  static async start(config: NatsConfig, streams: OriginStreams, logger: Logger): Promise<Origin> {
    const link = await NatsLink.open(config, 'rfbcast-origin', logger);
    return new Origin(link, streams, logger.child({ origin: true }));
  }

  catalog(): Catalog {
    return {
      origin: this.id,
      streams: this.streams
        .streams()
        .filter((s) => !s.isClosed)
        .map((s) => ({ name: s.name, width: s.width, height: s.height, fps: s.config.fps, renditions: s.renditions.map(renditionName) })),
    };
  }

  /** Renditions being published, as `<stream>/<rendition>`. */
  get publishing(): string[] {
    return [...this.attached.keys()];
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const a of this.attached.values()) a.detach();
    this.attached.clear();
    await this.link.close();
  }

  // ---------------------------------------------------------------- relays' requests

  /** Interest in a rendition: attach its publisher, or keep it attached. */
  private want(subject: string): Attached | undefined {
    const parsed = this.link.subjects.parseRendition(subject);
    const stream = parsed && this.streams.stream(parsed.stream);
    if (!parsed || !stream || stream.isClosed || !stream.renditions.some((r) => renditionName(r) === parsed.rendition)) return undefined;
    const key = `${stream.name}/${parsed.rendition}`;
    let a = this.attached.get(key);
    if (a && a.stream !== stream) {
      a.detach();
      a = undefined;
    }
    if (!a) a = this.attach(key, stream, parsed.rendition);
    a.lastInterestMs = Date.now();
    return a;
  }

  private attach(key: string, stream: Stream, rendition: RenditionName): Attached {
    const units = this.link.subjects.rendition(stream.name, rendition, 'units');
    const publisher = new RenditionPublisher(this.link, units, () => this.forget(key, publisher));
    const detach = stream.attachSink(publisher, renditionOf(rendition)!);
    const a = { stream, publisher, detach, lastInterestMs: Date.now() };
    this.attached.set(key, a);
    this.logger.info({ stream: stream.name, rendition }, 'relays want a rendition: publishing it');
    return a;
  }

  private forget(key: string, publisher: RenditionPublisher): void {
    const a = this.attached.get(key);
    if (a?.publisher !== publisher) return;
    this.attached.delete(key);
    a.detach();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, a] of this.attached) {
      if (now - a.lastInterestMs <= INTEREST_TTL_MS && !a.stream.isClosed) continue;
      this.attached.delete(key);
      a.detach();
      this.logger.info({ key }, 'no relay wants the rendition any more: stopped publishing it');
    }
  }

  /** A relay's viewer needs a keyframe: the group encodes one soon, within its limit, even on a quiet stream. */
  private keyframe(m: Msg): void {
    const a = this.want(m.subject);
    if (!a) {
      m.respond(JSON.stringify({ error: 'unknown stream or rendition' }));
      return;
    }
    a.publisher.await('request');
    a.stream.refreshSink(a.publisher);
    m.respond(JSON.stringify({ ok: true }));
  }

  private input(m: Msg): void {
    const name = this.link.subjects.parseEvents(m.subject);
    const stream = name === undefined ? undefined : this.streams.stream(name);
    if (!stream || stream.isClosed) return;
    const e = m.json<{ viewer?: unknown; relay?: unknown; principal?: unknown; event?: unknown }>();
    const event = e.event as Record<string, unknown> | undefined;
    if (typeof e.viewer !== 'string' || typeof e.relay !== 'string' || typeof event !== 'object' || event === null || typeof event.type !== 'string') {
      throw new Error('expected { viewer, relay, principal, event }');
    }
    const problem = inputEventProblem(event);
    if (problem) throw new Error(problem);
    stream.pushRelayedEvent({ viewer: e.viewer, relay: e.relay, principal: e.principal, event: event as unknown as InputEvent });
  }
}
