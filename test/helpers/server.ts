/** Starting a real rfbcast server for tests, with fake or real backends and an optional manual clock. */
import { BackendToken, createContainer, createLogger, type Display, LoggerToken, serve, type ServeOptions } from 'rfbcast';
import { ClockToken, loadNativeAddon, NativeLoaderToken, type NativeFeatures } from 'rfbcast/testing';
import type { DependencyContainer, QueuedEvent } from 'rfbcast';

import { type FakeControl, fakeControl, fakeEncoderBackend } from './fake-encoders';
import type { ManualClock } from './manual-clock';
import { TestViewer } from './viewer';
import { waitFor } from './wait';

export interface FakeServer {
  display: Display;
  url: string;
  http: string;
  video: FakeControl;
  image: FakeControl;
  container: DependencyContainer;
}

/** A container whose only backends are fakes named like the real ones ('libx264', 'image'). */
export function fakeContainer(video: FakeControl, image: FakeControl, clock?: ManualClock): DependencyContainer {
  const c = createContainer();
  c.register(BackendToken, { useValue: fakeEncoderBackend('libx264', 'video', video) });
  c.register(BackendToken, { useValue: fakeEncoderBackend('image', 'image', image) });
  c.register(LoggerToken, { useValue: createLogger({ level: process.env.RFBCAST_LOG_LEVEL ?? 'silent' }) });
  if (clock) c.register(ClockToken, { useValue: clock });
  return c;
}

/** A container whose real addon says it was built without libx264 and the libraries named. */
export function containerWithout(missing: Partial<NativeFeatures>): DependencyContainer {
  const addon = loadNativeAddon();
  const features = { ...addon.features(), x264: false, ...missing };
  const c = createContainer();
  c.register(NativeLoaderToken, { useValue: () => ({ ...addon, features: () => features }) });
  return c;
}

export async function startFakeServer(
  width: number,
  height: number,
  options: ServeOptions = {},
  clock?: ManualClock,
): Promise<FakeServer> {
  const video = fakeControl();
  const image = fakeControl();
  const container = fakeContainer(video, image, clock);
  const display = await serve(width, height, { port: 0, container, ...options });
  return { display, url: display.url, http: display.url.replace(/^ws/, 'http').replace(/\/[^/]*$/, ''), video, image, container };
}

export function rgba(width: number, height: number, value = 128): Uint8Array {
  return new Uint8Array(width * height * 4).fill(value);
}

/** Drains the display's input queue until it has given at least `n` events, and returns them all. */
export async function nextEvents(display: Display, n: number): Promise<QueuedEvent[]> {
  const got: QueuedEvent[] = [];
  await waitFor(
    () => {
      got.push(...display.pollEvents());
      return got.length >= n;
    },
    { what: `${n} input events` },
  );
  return got;
}

/**
 * The viewers a test opens and the server they reach, all closed after each
 * test: call at the top of a test file or describe.
 */
export function testScope() {
  let owned: { close(): Promise<void> } | undefined;
  const viewers: TestViewer[] = [];
  afterEach(async () => {
    for (const v of viewers.splice(0)) v.ws.terminate();
    await owned?.close();
    owned = undefined;
  });
  return {
    /** Closes `server` (a Display or a Hub) after the test. */
    own<T extends { close(): Promise<void> }>(server: T): T {
      owned = server;
      return server;
    },
    /** Closes `v` with the others after the test. */
    track(v: TestViewer): TestViewer {
      viewers.push(v);
      return v;
    },
    /** Connects and sends hello; with `configured`, also waits for the config. */
    async connect(
      url: string,
      supported?: string[],
      extra: Parameters<typeof TestViewer.connect>[2] & { configured?: boolean } = {},
    ): Promise<TestViewer> {
      const v = this.track(await TestViewer.connect(url, supported, extra));
      if (extra.configured) await v.waitFor((x) => x.texts.length > 0);
      return v;
    },
  };
}

/** testScope() with fake backends: `start` serves with fakes named like the real ones. */
export function fakeServerScope() {
  const scope = testScope();
  return {
    ...scope,
    async start(width: number, height: number, options: ServeOptions = {}, clock?: ManualClock): Promise<FakeServer> {
      const server = await startFakeServer(width, height, options, clock);
      scope.own(server.display);
      return server;
    },
  };
}
