/**
 * The demo page: a live view plus controls. Requests travel to the demo
 * server as custom input events of type "demo" (see src/cli/demo-controller.ts),
 * so the server knows which viewer asked. The page says hello with a random
 * tag on every (re)connection, which is how it finds itself in /api/status.
 */
import type { DemoStatus } from '../cli/demo-api';
import { fmtBits } from './overlay';
import { RfbView } from './view';
import type { ViewState, ViewStats } from './worker-protocol';

interface BackendInfo {
  name: string;
  status: 'ok' | 'partial' | 'missing';
  reason: string;
  modes?: Record<string, { status: string; reason: string }>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const sceneSelect = $<HTMLSelectElement>('scene');
const backendSelect = $<HTMLSelectElement>('backend');
const sizeSelect = $<HTMLSelectElement>('size');
const bitrateInput = $<HTMLInputElement>('bitrate');
const fpsInput = $<HTMLInputElement>('fps');

const view = new RfbView($('screen'), { stats: false });
(window as unknown as { rfbView: RfbView }).rfbView = view;
const tag = Math.random().toString(36).slice(2, 10);
const send = (request: Record<string, unknown>) => view.sendEvent({ type: 'demo', ...request });

let last: DemoStatus | undefined;
let lastStats: ViewStats | undefined;
let ownBackend = '';

function setRows(list: HTMLElement, rows: Array<[string, string | undefined]>): void {
  list.replaceChildren(
    ...rows.filter((r): r is [string, string] => r[1] !== undefined).flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = k;
      dd.textContent = v;
      return [dt, dd];
    }),
  );
}

const STATE_TEXT: Record<ViewState, [string, string]> = {
  connecting: ['connecting', ''],
  open: ['connecting', ''],
  negotiated: ['streaming', 'live'],
  streaming: ['streaming', 'live'],
  reconnecting: ['reconnecting', 'down'],
  closed: ['disconnected', 'down'],
};

function showState(): void {
  const [text, cls] = STATE_TEXT[view.state];
  $('state').textContent = text;
  $('state').className = cls;
}

function showStats(s: ViewStats): void {
  lastStats = s;
  setRows($('stats'), [
    ['backend', ownBackend || undefined],
    ['transport', s.transport ? `${s.transport}${s.codec ? ` ${s.codec}` : ''}` : undefined],
    ['picture', view.frameSize.width ? `${view.frameSize.width}×${view.frameSize.height}` : undefined],
    ['drawn', `${s.fps.toFixed(1)} fps`],
    ['decode', `${s.decodeMs.toFixed(1)} ms`],
    ['rtt', s.rttMs !== undefined ? `${s.rttMs.toFixed(1)} ms` : undefined],
    ['received', fmtBits(s.bitrateBps)],
    ['dropped', s.dropped !== undefined ? String(s.dropped) : undefined],
    ['recoveries', s.decoderRecoveries ? String(s.decoderRecoveries) : undefined],
  ]);
}

async function loadBackends(): Promise<void> {
  const backends = (await (await fetch('api/backends')).json()) as BackendInfo[];
  for (const b of backends) {
    const specs = b.modes ? Object.entries(b.modes).map(([m, s]) => [`${b.name}:${m}`, s.status, s.reason] as const) : [[b.name, b.status, b.reason] as const];
    for (const [spec, status, reason] of specs) {
      const option = new Option(status === 'missing' ? `${spec} (unavailable: ${reason})` : spec, spec);
      option.disabled = status === 'missing';
      option.title = reason;
      backendSelect.add(option);
    }
  }
  if (ownBackend) backendSelect.value = ownBackend;
}

/** The first status fills the controls; later ones only follow what changed on the server. */
function showStatus(s: DemoStatus): void {
  if (!last) {
    for (const name of s.scenes) sceneSelect.add(new Option(name, name));
    bitrateInput.value = String(s.bitrate / 1e6);
    fpsInput.value = String(s.fps);
  }
  const size = `${s.width}x${s.height}`;
  if (![...sizeSelect.options].some((o) => o.value === size)) sizeSelect.add(new Option(size, size));
  if (document.activeElement !== sceneSelect) sceneSelect.value = s.scene;
  if (!last || size !== `${last.width}x${last.height}`) sizeSelect.value = size;
  $('scene-hint').hidden = s.scene !== 'paint';
  const me = s.viewers.find((v) => v.tag === tag);
  if (me && me.backend !== ownBackend) {
    ownBackend = me.backend;
    if ([...backendSelect.options].some((o) => o.value === me.backend)) backendSelect.value = me.backend;
  }
  setRows($('stream'), [
    ['scene', `${s.scene} ${s.width}×${s.height}`],
    ['target', `${s.fps} fps · ${fmtBits(s.bitrate)}`],
    ['viewers', String(s.viewers.length)],
  ]);
  $('viewers').replaceChildren(
    ...s.viewers.map((v) => {
      const li = document.createElement('li');
      li.textContent = `${v.id} ${v.backend}${v === me ? ' (you)' : ''}`;
      if (v === me) li.className = 'you';
      return li;
    }),
  );
  $('error').textContent = s.lastError;
  if (lastStats) showStats(lastStats);
  last = s;
}

async function refreshStatus(): Promise<void> {
  try {
    showStatus((await (await fetch('api/status')).json()) as DemoStatus);
  } catch {
    $('error').textContent = 'the demo server does not answer';
  }
}

view.addEventListener('config', () => send({ action: 'hello', tag }));
view.addEventListener('statechange', showState);
view.addEventListener('stats', (e) => showStats((e as CustomEvent<ViewStats>).detail));

sceneSelect.onchange = () => send({ action: 'scene', scene: sceneSelect.value });
$('switch').onclick = () => {
  const scope = (document.querySelector('input[name=scope]:checked') as HTMLInputElement).value;
  send({ action: 'backend', backend: backendSelect.value, scope });
};
$('apply').onclick = () => {
  const bitrate = Math.round(Number(bitrateInput.value) * 1e6);
  const fps = Math.round(Number(fpsInput.value));
  const [width, height] = sizeSelect.value.split('x').map(Number);
  if (last && (bitrate !== last.bitrate || fps !== last.fps)) send({ action: 'quality', bitrate, fps });
  if (last && (width !== last.width || height !== last.height)) send({ action: 'size', width, height });
};

void loadBackends();
void refreshStatus();
setInterval(() => void refreshStatus(), 1000);
