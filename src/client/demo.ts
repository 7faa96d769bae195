/**
 * The demo page: a live view plus controls. Requests travel to the demo
 * server as custom input events of type "demo" (see src/cli/demo-command.ts).
 */
import { statsText } from './overlay';
import { RfbView } from './view';

interface BackendInfo {
  name: string;
  transport: string;
  status: 'ok' | 'partial' | 'missing';
  reason: string;
  modes?: Record<string, { status: string; reason: string }>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const view = new RfbView($('screen'), { stats: true });
(window as unknown as { rfbView: RfbView }).rfbView = view;
const send = (request: Record<string, unknown>) => view.sendEvent({ type: 'demo', ...request });

view.addEventListener('stats', (e) => {
  $('stats').textContent = `${view.state}\n${statsText((e as CustomEvent).detail)}`;
});
view.addEventListener('statechange', () => {
  $('stats').textContent = view.state;
});

async function loadBackends(): Promise<void> {
  const backends = (await (await fetch('api/backends')).json()) as BackendInfo[];
  const select = $<HTMLSelectElement>('backend');
  for (const b of backends) {
    const specs = b.modes ? Object.entries(b.modes).map(([m, s]) => [`${b.name}:${m}`, s.status, s.reason] as const) : [[b.name, b.status, b.reason] as const];
    for (const [spec, status, reason] of specs) {
      const option = new Option(status === 'missing' ? `${spec} (unavailable)` : spec, spec);
      option.disabled = status === 'missing';
      option.title = reason;
      select.add(option);
    }
  }
}

async function refreshStatus(): Promise<void> {
  const s = (await (await fetch('api/status')).json()) as {
    scene: string;
    scenes: string[];
    width: number;
    height: number;
    fps: number;
    bitrate: number;
    viewers: Array<{ id: string; backend: string }>;
    lastError: string;
  };
  const scene = $<HTMLSelectElement>('scene');
  if (scene.options.length === 0) for (const name of s.scenes) scene.add(new Option(name, name));
  if (document.activeElement !== scene) scene.value = s.scene;
  $('status').textContent = `${s.scene} ${s.width}x${s.height} @ ${s.fps} fps, ${(s.bitrate / 1e6).toFixed(1)} Mbit/s\n${s.viewers.map((v) => `${v.id} ${v.backend}`).join('\n')}`;
  $('error').textContent = s.lastError;
}

$<HTMLSelectElement>('scene').onchange = (e) => send({ action: 'scene', scene: (e.target as HTMLSelectElement).value });
$('switch').onclick = () => {
  const scope = (document.querySelector('input[name=scope]:checked') as HTMLInputElement).value;
  send({ action: 'backend', backend: $<HTMLSelectElement>('backend').value, scope });
};
$('apply').onclick = () => {
  const [width, height] = $<HTMLSelectElement>('size').value.split('x').map(Number);
  send({ action: 'quality', bitrate: Math.round(Number($<HTMLInputElement>('bitrate').value) * 1e6), fps: Number($<HTMLInputElement>('fps').value) });
  send({ action: 'size', width, height });
};

void loadBackends();
void refreshStatus();
setInterval(() => void refreshStatus(), 1000);
