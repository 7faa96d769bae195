import { BackendToken, BackendUnavailableError, createContainer, registryOf, selectBackend } from 'rfbcast';
import type { DependencyContainer } from 'rfbcast';

import { fakeBackend } from './helpers/fake-backends';

function containerWith(...backends: ReturnType<typeof fakeBackend>[]): DependencyContainer {
  const c = createContainer();
  for (const b of backends) c.register(BackendToken, { useValue: b });
  return c;
}

const unavailable = (reason: string) => () => ({ available: false, state: 'absent' as const, reason });

describe('selectBackend', () => {
  it('gpu: true without a working hardware backend throws with every hardware reason', async () => {
    const c = containerWith(
      fakeBackend('hw-a', { hardware: true, rank: 300, probe: unavailable('not macOS') }),
      fakeBackend('hw-b', { hardware: true, rank: 250, probe: unavailable('no NVENC device') }),
      fakeBackend('soft', { rank: 200 }),
      fakeBackend('img', { transport: 'image', rank: 100 }),
    );
    const attempt = selectBackend({ gpu: true }, c);
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError);
    const error = (await attempt.catch((e: unknown) => e)) as BackendUnavailableError;
    expect(error.reasons).toEqual([
      { name: 'hw-a', reason: 'not macOS' },
      { name: 'hw-b', reason: 'no NVENC device' },
    ]);
    expect(error.message).toBe('no hardware encoder is available (hw-a: not macOS; hw-b: no NVENC device)');
  });

  it('gpu: true with no hardware backend registered at all says so', async () => {
    const c = containerWith(fakeBackend('soft'));
    await expect(selectBackend({ gpu: true }, c)).rejects.toThrow('no hardware encoder is available');
  });

  it('gpu: true picks the best available hardware backend', async () => {
    const c = containerWith(
      fakeBackend('soft', { rank: 900 }),
      fakeBackend('hw-low', { hardware: true, rank: 100 }),
      fakeBackend('hw-high', { hardware: true, rank: 300 }),
    );
    const s = await selectBackend({ gpu: true }, c);
    expect(s.backend.name).toBe('hw-high');
    expect(s.skipped).toEqual([]);
  });

  it('without gpu: the best available video backend, reporting each higher one skipped', async () => {
    const c = containerWith(
      fakeBackend('img', { transport: 'image', rank: 1000 }),
      fakeBackend('vt', { hardware: true, rank: 300, probe: unavailable('not macOS') }),
      fakeBackend('x264', { rank: 200 }),
    );
    const s = await selectBackend({}, c);
    expect(s.backend.name).toBe('x264');
    expect(s.skipped).toEqual([{ name: 'vt', reason: 'not macOS' }]);
  });

  it('falls back to an image backend when no video backend works', async () => {
    const c = containerWith(
      fakeBackend('x264', { rank: 200, probe: unavailable('built without libx264: install libx264-dev and rebuild') }),
      fakeBackend('img', { transport: 'image', rank: 100 }),
    );
    const s = await selectBackend({}, c);
    expect(s.backend.name).toBe('img');
    expect(s.skipped[0].reason).toMatch(/built without libx264/);
  });

  it('a user plugin with a higher rank wins', async () => {
    const c = containerWith(fakeBackend('x264', { rank: 200 }));
    registryOf(c).registerBackend(fakeBackend('my-encoder', { rank: 500 }));
    expect((await selectBackend({}, c)).backend.name).toBe('my-encoder');
  });

  it('honours transport, prefer and accepts', async () => {
    const c = containerWith(
      fakeBackend('x264', { rank: 200, pixelFormats: ['rgba', 'nv12'] }),
      fakeBackend('other', { rank: 150, pixelFormats: ['rgba'] }),
      fakeBackend('img', { transport: 'image', rank: 100, codecs: ['image/jpeg', 'image/png'] }),
    );
    expect((await selectBackend({ transport: 'image' }, c)).backend.name).toBe('img');
    expect((await selectBackend({ prefer: 'other' }, c)).backend.name).toBe('other');
    const s = await selectBackend({ prefer: ['missing'], accepts: { pixelFormat: 'nv12' } }, c);
    expect(s.backend.name).toBe('x264');
    expect(s.skipped).toEqual([{ name: 'missing', reason: 'not registered' }]);
    const m = await selectBackend({ accepts: { mime: 'image/png' } }, c);
    expect(m.backend.name).toBe('img');
    expect(m.skipped.map((x) => x.reason)).toEqual(['does not produce image/png', 'does not produce image/png']);
  });

  it('a throwing probe only disqualifies its own backend', async () => {
    const c = containerWith(
      fakeBackend('flaky', { rank: 300, probe: () => { throw new Error('driver crashed'); } }),
      fakeBackend('steady', { rank: 100 }),
    );
    const s = await selectBackend({}, c);
    expect(s.backend.name).toBe('steady');
    expect(s.skipped).toEqual([{ name: 'flaky', reason: 'probe threw: driver crashed' }]);
  });
});
