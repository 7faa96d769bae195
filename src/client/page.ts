/**
 * The full-page viewer served at `/` (or `<prefix>/` under attach() or a
 * proxy): one stream fills the window; with several streams a picker chooses.
 * Its stream list and sockets are found next to page.js, wherever that was
 * served from. Query parameters: stream, fit, token, imageOnly=1, stats=0.
 */
import { defaultStreamUrl, RfbView } from './view';

interface StreamInfo {
  name: string;
  width: number;
  height: number;
  fps: number;
  clients: number;
}

const params = new URLSearchParams(location.search);
const screen = document.getElementById('screen') as HTMLElement;
const picker = document.getElementById('picker') as HTMLSelectElement;
let view: RfbView | undefined;

function open(stream: string): void {
  view?.close();
  screen.replaceChildren();
  const fit = params.get('fit');
  view = new RfbView(screen, {
    url: defaultStreamUrl(stream === 'default' ? '' : encodeURIComponent(stream)),
    fit: fit === 'cover' || fit === 'fill' ? fit : 'contain',
    stats: params.get('stats') !== '0',
    imageOnly: params.get('imageOnly') === '1',
    ...(params.get('token') ? { token: params.get('token') as string } : {}),
  });
  view.canvas.focus();
  (window as unknown as { rfbView: RfbView }).rfbView = view;
  document.title = `rfbcast · ${stream}`;
}

async function main(): Promise<void> {
  let streams: StreamInfo[] = [];
  try {
    streams = (await (await fetch(new URL('streams', import.meta.url))).json()) as StreamInfo[];
  } catch {
    // No side channel (e.g. behind a proxy that only forwards WebSockets): use the default stream.
  }
  const wanted = params.get('stream') ?? (streams.some((s) => s.name === 'default') ? 'default' : (streams[0]?.name ?? 'default'));
  if (streams.length > 1) {
    for (const s of streams) picker.add(new Option(`${s.name} (${s.width}×${s.height})`, s.name, false, s.name === wanted));
    picker.hidden = false;
    picker.onchange = () => open(picker.value);
  }
  open(wanted);
}

void main();
