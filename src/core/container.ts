/**
 * The dependency-injection container. `rootContainer` holds the process-wide
 * registry, logger and native loader; `createContainer()` gives a child in
 * which tests and applications override any of them (a backend, a backend's
 * native binding, the logger) without touching globals.
 */
import 'reflect-metadata';

import { container as globalContainer, instanceCachingFactory, instancePerContainerCachingFactory } from 'tsyringe';
import type { DependencyContainer, InjectionToken } from 'tsyringe';

import type { BackendDescriptor } from './encoder';
import { createLogger, type Logger } from './logging';
import { loadNativeAddon } from './native';
import { EncoderRegistry, type RegisterOptions } from './registry';
import { selectFrom, type Selection, type SelectionCriteria } from './selection';
import { BackendToken, FrameAdapterToken, HostPlatformToken, LoggerToken, NativeLoaderToken } from './tokens';

export type { DependencyContainer };

function resolveAllOrNone<T>(c: DependencyContainer, token: InjectionToken<T>): T[] {
  return c.isRegistered(token, true) ? c.resolveAll(token) : [];
}

/** rfbcast's own root, a child of tsyringe's global container so it never pollutes the application's. */
export const rootContainer: DependencyContainer = globalContainer.createChildContainer();

rootContainer.register(LoggerToken, { useFactory: instanceCachingFactory(() => createLogger()) });
rootContainer.register(NativeLoaderToken, { useValue: loadNativeAddon });
rootContainer.register(HostPlatformToken, { useValue: process.platform });
/** Each container made by createContainer(), to its parent (tsyringe keeps that private). */
const parents = new WeakMap<DependencyContainer, DependencyContainer>();

/**
 * The registry a container's registry layers over: its parent's, unless the
 * container registers BackendToken itself and so declares its own set.
 */
function parentRegistry(c: DependencyContainer): EncoderRegistry | undefined {
  if (c === rootContainer || c.isRegistered(BackendToken, false)) return undefined;
  return registryOf(parents.get(c) ?? rootContainer);
}

rootContainer.register(EncoderRegistry, {
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

/**
 * A child of `parent` (default the root): register overrides in it, then pass
 * it where a `container` option is taken. Its registry shows every backend of
 * the parent's, plugins registered there later included.
 */
export function createContainer(parent: DependencyContainer = rootContainer): DependencyContainer {
  const child = parent.createChildContainer();
  parents.set(child, parent);
  return child;
}

export function registryOf(c: DependencyContainer = rootContainer): EncoderRegistry {
  return c.resolve(EncoderRegistry);
}

/** Registers a user backend plugin (duplicate names throw unless `replace`). */
export function registerBackend(
  descriptor: BackendDescriptor,
  options: RegisterOptions = {},
  c: DependencyContainer = rootContainer,
): void {
  registryOf(c).registerBackend(descriptor, options);
}

/** Picks a backend; see SelectionCriteria. Logged through the container's logger. */
export function selectBackend(criteria: SelectionCriteria = {}, c: DependencyContainer = rootContainer): Promise<Selection> {
  return selectFrom(registryOf(c), criteria, c.resolve<Logger>(LoggerToken));
}
