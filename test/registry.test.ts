import {
  BackendToken,
  ConfigError,
  createContainer,
  DuplicateBackendError,
  EncoderRegistry,
  registryOf,
  UnknownBackendError,
} from 'rfbcast';

import { fakeBackend } from './helpers/fake-backends';

function emptyRegistry(): EncoderRegistry {
  const c = createContainer();
  // Registering the token in the child hides the parent's built-ins.
  c.register(BackendToken, { useValue: fakeBackend('seed') });
  const r = registryOf(c);
  r.unregisterBackend('seed');
  return r;
}

describe('EncoderRegistry', () => {
  it('takes built-ins from the container (multi-registration under one token)', () => {
    const c = createContainer();
    c.register(BackendToken, { useValue: fakeBackend('a') });
    c.register(BackendToken, { useValue: fakeBackend('b') });
    expect(registryOf(c).list().map((d) => d.name)).toEqual(['a', 'b']);
    expect(registryOf(c)).toBe(registryOf(c));
  });

  it('registers plugins, lists in order and gets by name', () => {
    const r = emptyRegistry();
    r.registerBackend(fakeBackend('one'));
    r.registerBackend(fakeBackend('two'));
    expect(r.list().map((d) => d.name)).toEqual(['one', 'two']);
    expect(r.get('two').label).toBe('fake two');
  });

  it('rejects a duplicate name unless replace is given', () => {
    const r = emptyRegistry();
    r.registerBackend(fakeBackend('dup', { rank: 1 }));
    expect(() => r.registerBackend(fakeBackend('dup', { rank: 2 }))).toThrow(DuplicateBackendError);
    expect(() => r.registerBackend(fakeBackend('dup', { rank: 2 }))).toThrow(/already registered/);
    r.registerBackend(fakeBackend('dup', { rank: 3 }), { replace: true });
    expect(r.get('dup').rank).toBe(3);
    expect(r.list()).toHaveLength(1);
  });

  it('names the known backends when asked for an unknown one', () => {
    const r = emptyRegistry();
    r.registerBackend(fakeBackend('known'));
    expect(() => r.get('nope')).toThrow(UnknownBackendError);
    expect(() => r.get('nope')).toThrow("unknown backend 'nope' (registered: known)");
  });

  it('validates descriptors', () => {
    const r = emptyRegistry();
    expect(() => r.registerBackend({ ...fakeBackend('x'), name: '' })).toThrow(ConfigError);
    expect(() => r.registerBackend({ ...fakeBackend('x'), transport: 'audio' as never })).toThrow(/transport must be/);
    expect(() => r.registerBackend({ ...fakeBackend('x'), rank: Number.NaN })).toThrow(/rank must be a finite number/);
  });

  it('caches probe results', async () => {
    const r = emptyRegistry();
    const d = fakeBackend('p');
    r.registerBackend(d);
    const first = await r.probe('p');
    const second = await r.probe('p');
    expect(second).toBe(first);
    expect(d.probes).toBe(1);
  });

  it('keeps absent and broken reasons apart', async () => {
    const r = emptyRegistry();
    r.registerBackend(fakeBackend('gone', { probe: () => ({ available: false, state: 'absent', reason: 'not macOS' }) }));
    r.registerBackend(
      fakeBackend('bad', { probe: () => ({ available: false, state: 'broken', reason: 'test encode failed: -12' }) }),
    );
    expect(await r.probe('gone')).toMatchObject({ available: false, state: 'absent', reason: 'not macOS' });
    expect(await r.probe('bad')).toMatchObject({ available: false, state: 'broken', reason: 'test encode failed: -12' });
  });

  it('turns a throwing or rejecting probe into a broken result, and probes the rest', async () => {
    const r = emptyRegistry();
    r.registerBackend(fakeBackend('throws', { probe: () => { throw new Error('boom'); } }));
    r.registerBackend(fakeBackend('rejects', { probe: () => Promise.reject(new Error('late boom')) }));
    r.registerBackend(fakeBackend('fine'));
    const reports = await r.probeAll();
    expect(reports.map((x) => [x.name, x.result.available, x.result.reason])).toEqual([
      ['throws', false, 'probe threw: boom'],
      ['rejects', false, 'probe threw: late boom'],
      ['fine', true, undefined],
    ]);
    expect(reports[0].result.state).toBe('broken');
  });

  it('gives each child container its own registry and probe cache', async () => {
    const parent = createContainer();
    const d = fakeBackend('shared');
    parent.register(BackendToken, { useValue: d });
    await registryOf(parent).probe('shared');
    await registryOf(parent).probe('shared');
    expect(d.probes).toBe(1);
    const child = createContainer(parent);
    await registryOf(child).probe('shared');
    expect(d.probes).toBe(2);
  });
});
