/** Everything the VideoToolbox backend brings to a container: its native binding and the backend. */
import type { DependencyContainer } from 'tsyringe';

import { BackendToken } from '../../core/tokens';
import { VtencBackend } from './backend';
import { registerVtBinding } from './binding';

export function registerVtenc(c: DependencyContainer): void {
  registerVtBinding(c);
  c.register(BackendToken, { useClass: VtencBackend });
}
