/**
 * `rfbcast serve`: a headless test-pattern server for integration tests and
 * third-party clients.
 */
import { defaultContainer } from '../container';
import type { Logger } from '../core/logging';
import { LoggerToken } from '../core/tokens';
import { PATTERNS } from '../scenes/patterns';
import type { NatsOptions } from '../relay/nats-link';
import { serve } from '../server/serve';
import { ScenePublisher } from './publisher';

export interface ServeCommandOptions {
  pattern: string;
  port: number;
  host: string;
  size: [number, number];
  fps: number;
  recordEvents: boolean;
  gpu: boolean;
  backend?: string;
  /** Record the stream to this fragmented MP4 file, finished on SIGINT/SIGTERM. */
  record?: string;
  /** Offer the stream to relays over NATS. */
  nats?: NatsOptions;
}

export async function serveCommand(o: ServeCommandOptions): Promise<void> {
  const scene = PATTERNS[o.pattern];
  if (!scene) throw new Error(`unknown pattern '${o.pattern}' (expected ${Object.keys(PATTERNS).join(', ')})`);
  const [width, height] = o.size;
  const display = await serve(width, height, {
    port: o.port,
    host: o.host,
    fps: o.fps,
    gpu: o.gpu,
    recordEvents: o.recordEvents,
    ...(o.backend ? { backend: o.backend } : {}),
    ...(o.nats ? { nats: o.nats } : {}),
  });
  const recording = o.record ? display.record(o.record) : undefined;
  const publisher = new ScenePublisher(display, scene, width, height, o.fps, defaultContainer().resolve<Logger>(LoggerToken));
  publisher.start();
  const page = display.url.replace(/^ws/, 'http').replace(/default$/, '');
  process.stdout.write(`rfbcast: serving ${o.pattern} ${width}x${height} at ${page} (stream ${display.url})\n`);
  if (o.record) process.stdout.write(`rfbcast: recording to ${o.record}\n`);
  await untilSignal();
  publisher.stop();
  if (recording) {
    const done = await recording.stop();
    process.stdout.write(`rfbcast: recorded ${done.frames} frames (${done.duration_s.toFixed(3)} s, ${done.bytes} bytes) to ${done.files.join(', ')}\n`);
  }
  await display.close();
}

/** Resolves on SIGINT or SIGTERM. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
