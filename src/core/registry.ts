/**
 * The encoder registry: every backend descriptor by name, with cached,
 * never-throwing availability probes. One registry per container: the root
 * container's is the process-wide one, a child container gets its own (so
 * tests and applications can swap backends or bindings without globals).
 */
import type { BackendDescriptor, EncoderBackend, EncoderOptions, FrameAdapter, ProbeResult } from './encoder';
import { broken } from './encoder';
import { BackendUnavailableError, ConfigError, DuplicateBackendError, messageOf, UnknownBackendError } from './errors';
import type { Logger } from './logging';

export interface RegisterOptions {
  /** Replace a backend already registered under the same name. */
  replace?: boolean;
}

export interface ProbeReport {
  name: string;
  descriptor: BackendDescriptor;
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

export class EncoderRegistry {
  private readonly backends = new Map<string, BackendDescriptor>();
  private readonly probes = new Map<BackendDescriptor, Promise<ProbeResult>>();

  constructor(
    builtins: readonly BackendDescriptor[],
    private readonly logger: Logger,
    private readonly adapters: readonly FrameAdapter[] = [],
  ) {
    for (const d of builtins) this.registerBackend(d);
  }

  registerBackend(descriptor: BackendDescriptor, options: RegisterOptions = {}): void {
    checkDescriptor(descriptor);
    if (this.backends.has(descriptor.name) && !options.replace) throw new DuplicateBackendError(descriptor.name);
    this.backends.set(descriptor.name, descriptor);
    this.logger.debug({ backend: descriptor.name, rank: descriptor.rank }, 'backend registered');
  }

  unregisterBackend(name: string): boolean {
    return this.backends.delete(name);
  }

  has(name: string): boolean {
    return this.backends.has(name);
  }

  get(name: string): BackendDescriptor {
    const d = this.backends.get(name);
    if (!d) throw new UnknownBackendError(name, [...this.backends.keys()]);
    return d;
  }

  /** Descriptors in registration order. */
  list(): BackendDescriptor[] {
    return [...this.backends.values()];
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
  async create(name: string, options: EncoderOptions): Promise<EncoderBackend> {
    const descriptor = this.get(name);
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
