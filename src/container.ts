/**
 * The composition root: rfbcast's own container with its defaults (logger,
 * native addon, platform, the built-in backends and Metal). It is built on
 * first use, never at import, so importing rfbcast loads no native code and
 * registers nothing. `createContainer()` gives a child in which tests and
 * applications override any of them (a backend, a backend's native binding,
 * the logger) without touching globals.
 */
import 'reflect-metadata';

import { container as globalContainer, instanceCachingFactory, instancePerContainerCachingFactory } from 'tsyringe';
import type { DependencyContainer, InjectionToken } from 'tsyringe';

import { registerBuiltinBackends } from './backends/builtins';
import type { BackendDescriptor } from './core/encoder';
import { createLogger, type Logger } from './core/logging';
import { loadNativeAddon } from './core/native';
import { EncoderRegistry, type RegisterOptions } from './core/registry';
import { selectFrom, type Selection, type SelectionCriteria } from './core/selection';
import { BackendToken, FrameAdapterToken, HostPlatformToken, LoggerToken, NativeLoaderToken } from './core/tokens';
import { Metal } from './metal/metal';

export type { DependencyContainer };

function resolveAllOrNone<T>(c: DependencyContainer, token: InjectionToken<T>): T[] {
  return c.isRegistered(token, true) ? c.resolveAll(token) : [];
}

let root: DependencyContainer | undefined;

/**
 * rfbcast's process-wide container: a child of tsyringe's global container,
 * so it never pollutes the application's. Built with its defaults on the
 * first call.
 */
export function defaultContainer(): DependencyContainer {
  if (root) return root;
  root = globalContainer.createChildContainer();
  root.register(LoggerToken, { useFactory: instanceCachingFactory(() => createLogger()) });
  root.register(NativeLoaderToken, { useValue: loadNativeAddon });
  root.register(HostPlatformToken, { useValue: process.platform });
  root.register(EncoderRegistry, {
    useFactory: instancePerContainerCachingFactory(
      (c) =>
        new EncoderRegistry(
          resolveAllOrNone(c, BackendToken),
          c.resolve(LoggerToken),
          resolveAllOrNone(c, FrameAdapterToken),
          parentRegistry(c),
        ),
    ),
  });
  registerBuiltinBackends(root);
  return root;
}

/** Each container made by createContainer(), to its parent (tsyringe keeps that private). */
const parents = new WeakMap<DependencyContainer, DependencyContainer>();

/**
 * The registry a container's registry layers over: its parent's, unless the
 * container registers BackendToken itself and so declares its own set.
 */
function parentRegistry(c: DependencyContainer): EncoderRegistry | undefined {
  if (c === root || c.isRegistered(BackendToken, false)) return undefined;
  return registryOf(parents.get(c) ?? defaultContainer());
}

/**
 * A child of `parent` (default the root): register overrides in it, then pass
 * it where a `container` option is taken. Its registry shows every backend of
 * the parent's, plugins registered there later included.
 */
export function createContainer(parent: DependencyContainer = defaultContainer()): DependencyContainer {
  const child = parent.createChildContainer();
  parents.set(child, parent);
  return child;
}

/** The encoder registry of a container (the process-wide one by default). */
export function registryOf(c: DependencyContainer = defaultContainer()): EncoderRegistry {
  return c.resolve(EncoderRegistry);
}

/** Registers a user backend plugin (duplicate names throw unless `replace`). */
export function registerBackend(
  descriptor: BackendDescriptor,
  options: RegisterOptions = {},
  c: DependencyContainer = defaultContainer(),
): void {
  registryOf(c).registerBackend(descriptor, options);
}

/** Picks a backend; see SelectionCriteria. Logged through the container's logger. */
export function selectBackend(criteria: SelectionCriteria = {}, c: DependencyContainer = defaultContainer()): Promise<Selection> {
  return selectFrom(registryOf(c), criteria, c.resolve<Logger>(LoggerToken));
}

/**
 * Metal frames and GPU conversion for a container (the process-wide one by
 * default). On systems without Metal every call but `available()` and
 * `unavailableReason()` throws.
 */
export function metalOf(c: DependencyContainer = defaultContainer()): Metal {
  return c.resolve(Metal);
}
