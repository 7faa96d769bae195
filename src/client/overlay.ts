/** An optional stats overlay drawn over the view's corner. */
import type { ViewStats } from './worker-protocol';

export const fmtBits = (bps: number) => (bps >= 1e6 ? `${(bps / 1e6).toFixed(2)} Mbit/s` : `${(bps / 1e3).toFixed(0)} kbit/s`);

export function statsText(s: ViewStats): string {
  const parts = [
    `${s.transport ?? '?'}${s.codec ? ` ${s.codec}` : ''}`,
    `${s.fps.toFixed(1)} fps`,
    `decode ${s.decodeMs.toFixed(1)} ms`,
    s.encodeMs !== undefined ? `encode ${s.encodeMs.toFixed(1)} ms` : undefined,
    s.rttMs !== undefined ? `rtt ${s.rttMs.toFixed(1)} ms` : undefined,
    fmtBits(s.bitrateBps),
    s.dropped !== undefined ? `dropped ${s.dropped}` : undefined,
    s.decoderRecoveries ? `recoveries ${s.decoderRecoveries}` : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}

export function createOverlay(host: HTMLElement): { update(s: ViewStats): void; remove(): void } {
  const el = document.createElement('div');
  el.className = 'rfbcast-stats';
  el.style.cssText =
    'position:absolute;left:6px;top:6px;padding:3px 7px;font:12px/1.4 ui-monospace,monospace;' +
    'color:#e8e8e8;background:rgba(0,0,0,.6);border-radius:4px;pointer-events:none;z-index:1';
  host.appendChild(el);
  return {
    update: (s) => {
      el.textContent = statsText(s);
    },
    remove: () => el.remove(),
  };
}
