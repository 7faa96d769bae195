/** What the view draws over its picture: an optional stats overlay in the corner, and its state. */
import type { StateChange, ViewStats } from './worker-protocol';

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

/** What a close code means for the person looking at the view (PROTOCOL.md §16). */
const CLOSE_MEANING: Record<number, string> = {
  1001: 'the server went away',
  1003: 'the server has no format this browser can show',
  1005: 'the connection closed',
  1006: 'cannot reach the server',
  1009: 'a message was too big for the server',
  1011: 'the server failed',
  4400: 'protocol error',
  4401: 'not authorized: check the token',
  4404: 'no such stream',
  4408: 'the handshake took too long',
  4413: 'this viewer fell too far behind',
};

/** The state in words, with the server's own reason when it gave one. */
export function stateText(c: StateChange): string {
  const why = () => {
    const meaning = c.code !== undefined ? (CLOSE_MEANING[c.code] ?? `closed with code ${c.code}`) : undefined;
    // The server's reason usually says it better; the meaning leads when the reason is only a code's name.
    return [meaning, c.reason && c.reason !== meaning ? c.reason : undefined].filter(Boolean).join(' — ');
  };
  switch (c.state) {
    case 'connecting':
    case 'open':
      return 'connecting…';
    case 'negotiated':
      return 'waiting for the first frame…';
    case 'streaming':
      return '';
    case 'reconnecting': {
      const wait = c.delayMs ? ` in ${(c.delayMs / 1000).toFixed(1)} s` : '';
      return `reconnecting${wait}… (${why()})`;
    }
    case 'closed':
      return `closed: ${why()}`;
  }
}

/** A line over the view's top edge saying what the view is doing; hidden while it streams. */
export function createStatusBadge(host: HTMLElement): { update(c: StateChange): void; remove(): void } {
  const el = document.createElement('div');
  el.className = 'rfbcast-status';
  el.setAttribute('role', 'status');
  el.style.cssText =
    'position:absolute;left:50%;top:6px;transform:translateX(-50%);max-width:90%;padding:4px 10px;' +
    'font:13px/1.4 system-ui,sans-serif;color:#fff;background:rgba(0,0,0,.7);border-radius:4px;' +
    'pointer-events:none;z-index:2;text-align:center';
  el.textContent = 'connecting…';
  host.appendChild(el);
  return {
    update: (c) => {
      el.textContent = stateText(c);
      el.dataset.state = c.state;
      el.hidden = c.state === 'streaming';
      el.style.background = c.state === 'closed' ? 'rgba(150,20,20,.85)' : 'rgba(0,0,0,.7)';
    },
    remove: () => el.remove(),
  };
}
