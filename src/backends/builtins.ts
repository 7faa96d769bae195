/**
 * Registers the built-in backends in a container under BackendToken. Each is
 * registered as a class so that its native binding is resolved from the
 * container that resolves it: a child container that overrides a binding
 * gets built-ins wired to that binding.
 */
import type { DependencyContainer } from 'tsyringe';

import { BackendToken } from '../core/tokens';
import { ImageBackend } from './image';
import { registerVtenc } from './vtenc/register';
import { registerMetal } from '../metal/register';
import { X264Backend } from './x264/backend';

export function registerBuiltinBackends(c: DependencyContainer): void {
  c.register(BackendToken, { useClass: X264Backend });
  c.register(BackendToken, { useClass: ImageBackend });
  registerVtenc(c);
  registerMetal(c);
}
