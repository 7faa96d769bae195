/**
 * `rfbcast doctor`: the platform, the native addon's build features, every
 * registered backend with its status and reason, and the order selection
 * would try them in.
 */
import { arch, platform, release } from 'node:os';

import { registryOf } from '../container';
import type { ProbeResult } from '../core/encoder';
import { nativeFeatures, type NativeFeatures } from '../core/native';

export type BackendStatus = 'ok' | 'partial' | 'missing';

export interface DoctorBackend {
  name: string;
  label: string;
  transport: string;
  rank: number;
  hardware: boolean;
  status: BackendStatus;
  reason: string;
  state: ProbeResult['state'];
  modes?: Record<string, { status: BackendStatus; reason: string }>;
}

export interface DoctorReport {
  platform: string;
  arch: string;
  os: string;
  node: string;
  features: NativeFeatures;
  backends: DoctorBackend[];
  /** Available backends in the order selection tries them: video before image, then by rank. */
  recommendation: string[];
}

function statusOf(r: ProbeResult): BackendStatus {
  if (!r.available) return 'missing';
  const modes = Object.values(r.modes ?? {});
  return modes.some((m) => !m.available) ? 'partial' : 'ok';
}

export async function doctor(): Promise<DoctorReport> {
  const registry = registryOf();
  const reports = await registry.probeAll();
  const backends: DoctorBackend[] = reports.map(({ descriptor: d, result }) => ({
    name: d.name,
    label: d.label,
    transport: d.transport,
    rank: d.rank,
    hardware: d.capabilities.hardware,
    status: statusOf(result),
    reason: result.available ? (result.detail ?? 'available') : (result.reason ?? 'unavailable'),
    state: result.state,
    ...(result.modes
      ? {
          modes: Object.fromEntries(
            Object.entries(result.modes).map(([m, r]) => [m, { status: statusOf(r), reason: r.available ? 'available' : (r.reason ?? 'unavailable') }]),
          ),
        }
      : {}),
  }));
  const recommendation = backends
    .filter((b) => b.status !== 'missing')
    .sort((a, b) => (a.transport === b.transport ? 0 : a.transport === 'video' ? -1 : 1) || b.rank - a.rank)
    .map((b) => b.name);
  return {
    platform: platform(),
    arch: arch(),
    os: release(),
    node: process.version,
    features: nativeFeatures(),
    backends,
    recommendation,
  };
}

export function formatDoctor(r: DoctorReport): string {
  const flags = Object.entries(r.features)
    .map(([k, v]) => `${k} ${v ? 'yes' : 'no'}`)
    .join(', ');
  const lines = [`platform  ${r.platform} ${r.arch} (${r.os}), Node ${r.node}`, `addon     ${flags}`, '', 'backends'];
  for (const b of r.backends) {
    lines.push(`  ${b.status.padEnd(8)} ${b.name.padEnd(10)} rank ${String(b.rank).padEnd(4)} ${b.hardware ? 'hardware' : 'software'}  ${b.reason}`);
    for (const [m, s] of Object.entries(b.modes ?? {})) lines.push(`           ${`${b.name}:${m}`.padEnd(16)} ${s.status.padEnd(8)} ${s.reason}`);
  }
  lines.push('', `recommendation: ${r.recommendation.join(' > ') || 'none: install the libraries doctor names and rebuild'}`);
  return lines.join('\n');
}
