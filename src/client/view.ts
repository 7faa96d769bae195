/**
 * RfbView: embeds a live rfbcast stream in a page. The canvas is transferred
 * to a worker that owns the socket and the decoders; this side sizes the
 * canvas, captures input, shows the connection state over the picture and
 * re-emits what the worker reports as DOM events: `statechange`, `config`,
 * `frame`, `stats`, `error`.
 */
import type { ConfigMessage, Fit, InputEvent } from '../wire';
import { captureInput } from './input';
import { createOverlay, createStatusBadge } from './overlay';
import type { ReconnectOptions } from './reconnect';
import type { FromWorker, Size, StateChange, ToWorker, ViewState, ViewStats } from './worker-protocol';

export interface RfbViewOptions {
  /**
   * ws(s)://host:port/<prefix>/<stream>, or several in failover order: the view
   * moves to the next when one is unreachable or goes away. Default: the
   * `default` stream of the server that served this script (see defaultStreamUrl).
   */
  url?: string | string[];
  /** Reconnect after a close worth retrying (default on); false: a closed socket ends the view. */
  reconnect?: boolean | ReconnectOptions;
  /** Show the connection state over the picture when not streaming (default true). */
  status?: boolean;
  token?: string;
  fit?: Fit;
  /** Letterbox colour (default #000). */
  background?: string;
  /** Never ask for H.264, even when WebCodecs could decode it. */
  imageOnly?: boolean;
  /** Draw a stats overlay in the corner. */
  stats?: boolean;
  /** Caps the backing store's larger side (keeps the aspect ratio). */
  maxBackingDimension?: number;
  /** Where the worker script is (default: rfbcast-worker.js next to this module). */
  workerUrl?: string | URL;
}

/**
 * The WebSocket URL of `stream` (default: the `default` stream) on the server
 * this script was loaded from, under the same path: a viewer served at
 * /rfb/rfbcast.js, by `attach(server, { path: '/rfb' })` or behind a proxy
 * that adds /rfb, reaches ws(s)://host/rfb/<stream>. A page that bundles
 * rfbcast itself passes `url` instead.
 */
export function defaultStreamUrl(stream = ''): string {
  const url = new URL(stream, new URL('./', import.meta.url));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

const asList = (url: string | string[] | undefined) => (url === undefined ? [defaultStreamUrl()] : Array.isArray(url) ? url : [url]);

export class RfbView extends EventTarget {
  readonly canvas: HTMLCanvasElement;
  private readonly worker: Worker;
  private readonly stopInput: () => void;
  private readonly resizeObserver: ResizeObserver;
  private readonly overlay?: ReturnType<typeof createOverlay>;
  private readonly badge?: ReturnType<typeof createStatusBadge>;
  private frame = { width: 0, height: 0 };
  private backing: Size = { width: 1, height: 1 };
  private pixelRatio = 1;
  private fitMode: Fit;
  private bg: string;
  private snapshots = new Map<number, (img: ImageData) => void>();
  private nextSnapshot = 0;
  state: ViewState = 'connecting';
  /** The last statechange: which server, and the close code and reason behind reconnecting or closed. */
  lastChange?: StateChange;
  config?: ConfigMessage;
  stats?: ViewStats;

  constructor(element: HTMLElement, private readonly options: RfbViewOptions = {}) {
    super();
    this.fitMode = options.fit ?? 'contain';
    this.bg = options.background ?? '#000';
    this.canvas = element instanceof HTMLCanvasElement ? element : element.appendChild(document.createElement('canvas'));
    if (!(element instanceof HTMLCanvasElement)) {
      this.canvas.style.cssText = 'display:block;width:100%;height:100%;touch-action:none;outline:none';
      if (getComputedStyle(element).position === 'static') element.style.position = 'relative';
    }
    this.worker = new Worker(options.workerUrl ?? new URL('./rfbcast-worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.fromWorker(e.data);
    this.worker.onerror = (e) => this.dispatchEvent(new CustomEvent('error', { detail: e.message }));
    const offscreen = this.canvas.transferControlToOffscreen();
    const { css, backing, ratio } = this.measure();
    this.backing = backing;
    this.post(
      {
        type: 'init',
        canvas: offscreen,
        urls: asList(options.url),
        reconnect: options.reconnect === false ? false : options.reconnect === true ? {} : (options.reconnect ?? {}),
        ...(options.token ? { token: options.token } : {}),
        imageOnly: options.imageOnly ?? false,
        fit: this.fitMode,
        background: this.bg,
        backing,
        css,
        ratio,
      },
      [offscreen],
    );
    this.stopInput = captureInput(
      this.canvas,
      () => ({ fit: this.fitMode, frame: this.frame, backing: this.backing, pixelRatio: this.pixelRatio }),
      (e) => this.post({ type: 'event', event: e }),
    );
    this.resizeObserver = new ResizeObserver(() => this.onResize());
    this.resizeObserver.observe(this.canvas);
    const host = element instanceof HTMLCanvasElement ? (element.parentElement ?? document.body) : element;
    if (options.stats) this.overlay = createOverlay(host);
    if (options.status !== false) this.badge = createStatusBadge(host);
  }

  get fit(): Fit {
    return this.fitMode;
  }

  set fit(fit: Fit) {
    this.fitMode = fit;
    this.post({ type: 'fit', fit, background: this.bg });
  }

  get background(): string {
    return this.bg;
  }

  set background(color: string) {
    this.bg = color;
    this.post({ type: 'fit', fit: this.fitMode, background: color });
  }

  /** Size of the last drawn frame, in frame pixels. */
  get frameSize(): { width: number; height: number } {
    return { ...this.frame };
  }

  /** Sends a custom input event (any `type`) to the publisher. */
  sendEvent(event: InputEvent): void {
    this.post({ type: 'event', event });
  }

  /** The canvas's current pixels (useful for screenshots and tests). */
  snapshot(): Promise<ImageData> {
    const id = this.nextSnapshot++;
    return new Promise((resolve) => {
      this.snapshots.set(id, resolve);
      this.post({ type: 'snapshot', id });
    });
  }

  /** Test hook: wedge the video decoder so the stall watchdog has to recover it. */
  stallDecoderForTest(): void {
    this.post({ type: 'stall-decoder' });
  }

  /** Closes the socket and stops every retry for good. */
  close(): void {
    this.post({ type: 'close' });
    this.stopInput();
    this.resizeObserver.disconnect();
    this.overlay?.remove();
    this.badge?.remove();
    setTimeout(() => this.worker.terminate(), 100);
  }

  private post(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private measure(): { css: Size; backing: Size; ratio: number } {
    const rect = this.canvas.getBoundingClientRect();
    const css = { width: rect.width, height: rect.height };
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(css.width * dpr));
    const h = Math.max(1, Math.round(css.height * dpr));
    const cap = this.options.maxBackingDimension;
    if (!cap || Math.max(w, h) <= cap) return { css, backing: { width: w, height: h }, ratio: dpr };
    const s = cap / Math.max(w, h);
    const backing = { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) };
    // Once capped, the ratio is the effective one (§12.1); uncapped it is the DPR itself, not w/css rounded.
    return { css, backing, ratio: css.width > 0 ? backing.width / css.width : dpr };
  }

  private onResize(): void {
    const { css, backing, ratio } = this.measure();
    this.backing = backing;
    this.post({ type: 'resize', css, backing, ratio });
  }

  private fromWorker(m: FromWorker): void {
    switch (m.type) {
      case 'state': {
        const { type: _, ...change } = m;
        this.state = change.state;
        this.lastChange = change;
        this.badge?.update(change);
        this.dispatchEvent(new CustomEvent('statechange', { detail: change }));
        return;
      }
      case 'config':
        this.config = m.config;
        if (typeof m.config.pixel_ratio === 'number') this.pixelRatio = m.config.pixel_ratio;
        this.dispatchEvent(new CustomEvent('config', { detail: m.config }));
        return;
      case 'drawn':
        this.frame = { width: m.width, height: m.height };
        this.pixelRatio = m.pixelRatio;
        this.dispatchEvent(new CustomEvent('frame', { detail: m }));
        return;
      case 'stats':
        this.stats = m.stats;
        this.overlay?.update(m.stats);
        this.dispatchEvent(new CustomEvent('stats', { detail: m.stats }));
        return;
      case 'snapshot': {
        const resolve = this.snapshots.get(m.id);
        this.snapshots.delete(m.id);
        resolve?.(new ImageData(m.data as Uint8ClampedArray<ArrayBuffer>, m.width, m.height));
        return;
      }
      case 'error':
        this.dispatchEvent(new CustomEvent('error', { detail: m.message }));
    }
  }
}
