/**
 * The NATS subjects an origin and its relays talk on, all under one prefix
 * (default `rfbcast`):
 *
 *   <p>.discover                       relay -> origins (request): each origin replies with its catalog
 *   <p>.s.<stream>.<rendition>.units   origin -> relays: encoded units, chunked (unit-codec.ts)
 *   <p>.s.<stream>.<rendition>.interest relay -> origin: "I still want this rendition" (heartbeat)
 *   <p>.s.<stream>.<rendition>.keyframe relay -> origin (request): a keyframe, please
 *   <p>.s.<stream>.events              relay -> origin: its viewers' input
 *
 * Stream names may hold '.' and '~', which NATS would read as token
 * separators or which the escape uses: both are escaped as `~2e` and `~7e`.
 */
import type { Rendition } from '../server/display';
import { IMAGE_MODES, type ImageMode } from '../wire';

export const DEFAULT_PREFIX = 'rfbcast';

/** Rendition names on the wire: `h264`, or an image mode. */
export type RenditionName = 'h264' | ImageMode;

export function renditionName(r: Rendition): RenditionName {
  return r.transport === 'video' ? 'h264' : r.mode;
}

export function renditionOf(name: string): Rendition | undefined {
  if (name === 'h264') return { transport: 'video' };
  return (IMAGE_MODES as readonly string[]).includes(name) ? { transport: 'image', mode: name as ImageMode } : undefined;
}

export function streamToken(name: string): string {
  return name.replace(/[.~]/g, (c) => `~${c.charCodeAt(0).toString(16)}`);
}

export function streamOfToken(token: string): string {
  return token.replace(/~([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export type RenditionSubject = 'units' | 'interest' | 'keyframe';

export class Subjects {
  constructor(readonly prefix: string) {}

  get discover(): string {
    return `${this.prefix}.discover`;
  }

  rendition(stream: string, rendition: RenditionName, what: RenditionSubject): string {
    return `${this.prefix}.s.${streamToken(stream)}.${rendition}.${what}`;
  }

  events(stream: string): string {
    return `${this.prefix}.s.${streamToken(stream)}.events`;
  }

  /** Every stream's and rendition's `what`, for the origin's subscriptions. */
  anyRendition(what: RenditionSubject): string {
    return `${this.prefix}.s.*.*.${what}`;
  }

  get anyEvents(): string {
    return `${this.prefix}.s.*.events`;
  }

  /** [stream, rendition] of a rendition subject (undefined when malformed). */
  parseRendition(subject: string): { stream: string; rendition: RenditionName } | undefined {
    const parts = subject.slice(this.prefix.length + 1).split('.');
    if (parts.length !== 4 || parts[0] !== 's') return undefined;
    const rendition = renditionOf(parts[2]) ? (parts[2] as RenditionName) : undefined;
    return rendition ? { stream: streamOfToken(parts[1]), rendition } : undefined;
  }

  parseEvents(subject: string): string | undefined {
    const parts = subject.slice(this.prefix.length + 1).split('.');
    return parts.length === 3 && parts[0] === 's' ? streamOfToken(parts[1]) : undefined;
  }
}

/** What an origin tells relays about one of its streams. */
export interface CatalogEntry {
  name: string;
  width: number;
  height: number;
  fps: number;
  renditions: RenditionName[];
}

export interface Catalog {
  /** The origin process's identity (new at every start). */
  origin: string;
  streams: CatalogEntry[];
}
