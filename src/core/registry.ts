/**
 * The encoder registry: every backend descriptor by name, with cached,
 * never-throwing availability probes. There is one registry per container,
 * layered like the containers: a child container's registry shows its
 * parent's backends (plugins registered later included), with the built-ins
 * rebuilt in the child so they use the child's bindings, and with whatever
 * the child itself registers, replaces or unregisters on top. A child that
 * registers BackendToken itself declares its own complete set instead.
 */
import type { BackendDescriptor, EncoderBackend, FrameAdapter, OptionsFor, ProbeResult } from './encoder';
import { broken } from './encoder';
import { BackendUnavailableError, ConfigError, DuplicateBackendError, messageOf, UnknownBackendError } from './errors';
import type { Logger } from './logging';

/** Options of EncoderRegistry.registerBackend. */
export interface RegisterOptions {
  /** Replace a backend already registered under the same name. */
  replace?: boolean;
}

/** One backend's probe result, from probeAll(). */
export interface ProbeReport {
  /** The backend's name. */
  name: string;
  /** The backend. */
  descriptor: BackendDescriptor;
  /** What its probe found. */
  result: ProbeResult;
}

/** A probe that has not answered after this long is reported broken. */
export const PROBE_TIMEOUT_MS = 15_000;

function checkDescriptor(d: BackendDescriptor): void {
  if (!d || typeof d !== 'object') throw new ConfigError('a backend descriptor must be an object');
  if (typeof d.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(d.name)) {
    throw new ConfigError(`backend name must be a non-empty identifier, got ${JSON.stringify(d.name)}`);
  }
  if (d.transport !== 'image' && d.transport !== 'video') {
    throw new ConfigError(`backend '${d.name}': transport must be 'image' or 'video'`);
  }
  if (typeof d.rank !== 'number' || !Number.isFinite(d.rank)) {
    throw new ConfigError(`backend '${d.name}': rank must be a finite number`);
  }
  if (typeof d.probe !== 'function' || typeof d.create !== 'function') {
    throw new ConfigError(`backend '${d.name}': probe() and create() are required`);
  }
}

async function guardedProbe(d: BackendDescriptor): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => resolve(broken(`probe timed out after ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => d.probe()), timeout]);
    if (!result || typeof result.available !== 'boolean') return broken('probe returned no result');
    return result;
  } catch (error) {
    return broken(`probe threw: ${messageOf(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** A registry's view of one name: the descriptor, and whether it is a built-in from the container's tokens. */
interface Entry {
  descriptor: BackendDescriptor;
  builtin: boolean;
}

/**
 * Every backend of a container by name, with cached, never-throwing probes. Get it with registryOf(),
 * register plugins with registerBackend(); `create` makes encoders with their options type-checked by name.
 */
export class EncoderRegistry {
  private readonly builtins = new Map<string, BackendDescriptor>();
  /** Registered (a descriptor) or unregistered (null) in this registry itself. */
  private readonly own = new Map<string, BackendDescriptor | null>();
  private readonly probes = new Map<BackendDescriptor, Promise<ProbeResult>>();

  /**
   * `builtins`: the descriptors of this container's BackendToken. `parent`:
   * the registry this one layers over (none for the root, or for a container
   * that declares its own complete set of backends).
   */
  constructor(
    builtins: readonly BackendDescriptor[],
    private readonly logger: Logger,
    private readonly adapters: readonly FrameAdapter[] = [],
    private readonly parent?: EncoderRegistry,
  ) {
    for (const d of builtins) {
      checkDescriptor(d);
      if (this.builtins.has(d.name)) throw new DuplicateBackendError(d.name);
      this.builtins.set(d.name, d);
    }
  }

  /** Registers a plugin here and in every registry layered over this one (duplicate names throw unless `replace`). */
  registerBackend(descriptor: BackendDescriptor, options: RegisterOptions = {}): void {
    checkDescriptor(descriptor);
    if (this.has(descriptor.name) && !options.replace) throw new DuplicateBackendError(descriptor.name);
    this.own.set(descriptor.name, descriptor);
    this.logger.debug({ backend: descriptor.name, rank: descriptor.rank }, 'backend registered');
  }

  /** Removes a backend from this registry and the ones layered over it; false when it was not there. */
  unregisterBackend(name: string): boolean {
    const had = this.has(name);
    this.own.set(name, null);
    return had;
  }

  /** Every backend by name, in registration order: the parent's (or the built-ins), then this registry's own. */
  private entries(): Map<string, Entry> {
    const out = new Map<string, Entry>();
    if (this.parent) {
      for (const [name, e] of this.parent.entries()) {
        // A parent's built-in is rebuilt here, so it uses this container's bindings.
        const mine = e.builtin ? this.builtins.get(name) : undefined;
        out.set(name, mine ? { descriptor: mine, builtin: true } : e);
      }
    }
    for (const [name, d] of this.builtins) if (!out.has(name)) out.set(name, { descriptor: d, builtin: true });
    for (const [name, d] of this.own) {
      if (d) out.set(name, { descriptor: d, builtin: false });
      else out.delete(name);
    }
    return out;
  }

  /** Whether a backend of this name is registered here (or in a parent). */
  has(name: string): boolean {
    return this.entries().has(name);
  }

  /** The backend of this name; throws UnknownBackendError listing the registered ones. */
  get(name: string): BackendDescriptor {
    const entries = this.entries();
    const e = entries.get(name);
    if (!e) throw new UnknownBackendError(name, [...entries.keys()]);
    return e.descriptor;
  }

  /** Descriptors in registration order. */
  list(): BackendDescriptor[] {
    return [...this.entries().values()].map((e) => e.descriptor);
  }

  /** The backend's availability, probed once and then cached; never rejects. */
  probe(name: string): Promise<ProbeResult> {
    const d = this.get(name);
    let result = this.probes.get(d);
    if (!result) {
      result = guardedProbe(d);
      this.probes.set(d, result);
      void result.then((r) =>
        this.logger.debug({ backend: name, available: r.available, reason: r.reason }, 'backend probed'),
      );
    }
    return result;
  }

  /** Probes every backend concurrently; one failing probe never affects the others. */
  probeAll(): Promise<ProbeReport[]> {
    return Promise.all(
      this.list().map(async (descriptor) => ({
        name: descriptor.name,
        descriptor,
        result: await this.probe(descriptor.name),
      })),
    );
  }

  /**
   * Creates an encoder from a named backend. When `options.memory` is a memory
   * the backend cannot take, the encoder comes wrapped in that memory's frame
   * adapter (e.g. an image encoder fed Metal frames).
   */
  async create<N extends string>(name: N, options: OptionsFor<N>): Promise<EncoderBackend> {
    const descriptor = this.get(name);
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new ConfigError(`${name}: encoder options must be an object`);
    }
    const memory = options.memory ?? 'host';
    const adapter = descriptor.capabilities.memories.includes(memory)
      ? undefined
      : this.adapters.find((a) => a.memory === memory);
    if (!descriptor.capabilities.memories.includes(memory) && !adapter) {
      throw new BackendUnavailableError(`backend '${name}' cannot take ${memory} frames`, [
        { name, reason: `accepts ${descriptor.capabilities.memories.join(', ')}; no ${memory} frame adapter registered` },
      ]);
    }
    const encoder = await descriptor.create(options);
    return adapter ? adapter.adapt(encoder, descriptor) : encoder;
  }
}
