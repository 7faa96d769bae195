/**
 * A backend registered through the public API is visible in every container
 * that serves frames: serve() with and without a `container`, a hub, and
 * attach(). Unregistering and replacing reach child containers too, and a
 * child's own removal stays in that child.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  attach,
  type BackendDescriptor,
  createContainer,
  createHub,
  type Display,
  registerBackend,
  registryOf,
  serve,
  UnknownBackendError,
} from 'rfbcast';

import { TestViewer } from './helpers/viewer';

const H264 = 'webcodecs/h264-annexb';
const W = 64;
const H = 48;

/** A plugin written against the public API only: libx264 under another name, counting the encoders it made. */
function plugin(name: string): BackendDescriptor & { made: number } {
  const libx264 = registryOf().get('libx264');
  const d = {
    ...libx264,
    name,
    label: `plugin ${name}`,
    made: 0,
    probe: () => libx264.probe(),
    create(options: Parameters<BackendDescriptor['create']>[0]) {
      d.made++;
      return libx264.create(options);
    },
  };
  return d;
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const name of ['plugin-a', 'plugin-b']) registryOf().unregisterBackend(name);
});

/** Connects an H.264 viewer, publishes until it holds a frame, and closes it. */
async function viewThrough(display: Display): Promise<void> {
  const v = await TestViewer.connect(display.url, [H264]);
  closers.push(async () => v.ws.terminate());
  const frame = new Uint8Array(W * H * 4).fill(90);
  await v.waitFor((x) => {
    display.publish(frame);
    return x.frames.length > 0;
  }, 10_000, 'an H.264 frame');
  expect(v.frames[0].header.codec).toMatch(/^avc1\./);
}

async function served(options: { container?: ReturnType<typeof createContainer> }, backend: string): Promise<Display> {
  const display = await serve(W, H, { port: 0, backend, ...options });
  closers.push(() => display.close());
  return display;
}

describe.each([
  ['without a container', () => ({})],
  ['with a child container', () => ({ container: createContainer() })],
])('serve() %s', (_what, options) => {
  it('encodes with a plugin registered through registerBackend()', async () => {
    const d = plugin('plugin-a');
    registerBackend(d);
    await viewThrough(await served(options(), 'plugin-a'));
    expect(d.made).toBeGreaterThan(0);
  });

  it('no longer finds a plugin once it is unregistered', async () => {
    registerBackend(plugin('plugin-a'));
    const before = options();
    expect(registryOf().unregisterBackend('plugin-a')).toBe(true);
    await expect(served(before, 'plugin-a')).rejects.toBeInstanceOf(UnknownBackendError);
    await expect(served(options(), 'plugin-a')).rejects.toBeInstanceOf(UnknownBackendError);
  });

  it('uses the replacement once a plugin is replaced', async () => {
    const first = plugin('plugin-a');
    const second = plugin('plugin-a');
    registerBackend(first);
    registerBackend(second, { replace: true });
    await viewThrough(await served(options(), 'plugin-a'));
    expect([first.made, second.made]).toEqual([0, expect.any(Number)]);
    expect(second.made).toBeGreaterThan(0);
  });
});

it('a child container made before the registration sees the plugin too', async () => {
  const container = createContainer();
  expect(registryOf(container).has('plugin-b')).toBe(false);
  registerBackend(plugin('plugin-b'));
  expect(registryOf(container).list().map((d) => d.name)).toEqual(registryOf().list().map((d) => d.name));
  expect(registryOf(createContainer(container)).has('plugin-b')).toBe(true);
});

it("a child's own removal and replacement stay in that child", () => {
  registerBackend(plugin('plugin-a'));
  const child = createContainer();
  registryOf(child).unregisterBackend('plugin-a');
  expect(registryOf(child).has('plugin-a')).toBe(false);
  expect(registryOf().has('plugin-a')).toBe(true);
  const mine = plugin('plugin-a');
  registryOf(child).registerBackend(mine);
  expect(registryOf(child).get('plugin-a')).toBe(mine);
  expect(registryOf().get('plugin-a')).not.toBe(mine);
});

it('a hub streams through a plugin registered through registerBackend()', async () => {
  const d = plugin('plugin-a');
  registerBackend(d);
  const hub = await createHub({ port: 0, container: createContainer() });
  closers.push(() => hub.close());
  await viewThrough(await hub.addStream('cam', W, H, { backend: 'plugin-a' }));
  expect(d.made).toBeGreaterThan(0);
});

it('attach() streams through a plugin registered through registerBackend()', async () => {
  const d = plugin('plugin-a');
  registerBackend(d);
  const server = createServer();
  const hub = attach(server, { path: '/rfb', sideChannel: true });
  closers.push(async () => {
    await hub.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  expect((server.address() as AddressInfo).port).toBe(hub.port);
  await viewThrough(await hub.addStream('cam', W, H, { backend: 'plugin-a' }));
  expect(d.made).toBeGreaterThan(0);
});
