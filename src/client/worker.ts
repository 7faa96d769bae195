/**
 * The viewer's worker: it owns the WebSocket, the decoders and the transferred
 * OffscreenCanvas, so decoding and drawing never compete with the page's main
 * thread. It speaks the protocol (PROTOCOL.md §3-§9) and reports state, config,
 * drawn frames and stats to the view.
 */
import {
  type ConfigMessage,
  type ImageFrameHeader,
  isObject,
  unpackEnvelope,
  type VideoChunkHeader,
} from '../wire';
import { probeCapabilities } from './capabilities';
import { ImagePipeline } from './image-pipeline';
import { Renderer } from './renderer';
import { StatsMeter } from './stats-meter';
import { VideoPipeline } from './video-pipeline';
import { isRetryable, Reconnector } from './reconnect';
import type { FrameMeta, FromWorker, Size, StateChange, ToWorker, ViewState } from './worker-protocol';

type InitMessage = Extract<ToWorker, { type: 'init' }>;

const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};

const post = (m: FromWorker, transfer?: Transferable[]) => scope.postMessage(m, transfer);

class Connection {
  private ws?: WebSocket;
  private renderer: Renderer;
  private readonly stats = new StatsMeter();
  private readonly video: VideoPipeline;
  private readonly images: ImagePipeline;
  private css: Size;
  private backing: Size;
  private ratio: number;
  private imageOnly: boolean;
  private pixelRatio = 1;
  private lastDrawnSeq = -1;
  private lastState?: ViewState;
  private readonly statsTimer: ReturnType<typeof setInterval>;
  private readonly reconnector: Reconnector;
  private retryTimer?: ReturnType<typeof setTimeout>;

  constructor(private readonly init: InitMessage) {
    this.renderer = new Renderer(init.canvas, init.fit, init.background);
    this.renderer.resize(init.backing.width, init.backing.height);
    this.backing = init.backing;
    this.css = init.css;
    this.ratio = init.ratio;
    this.imageOnly = init.imageOnly;
    this.reconnector = new Reconnector(init.urls, init.reconnect || {});
    this.video = new VideoPipeline({
      send: (m) => this.send(m),
      draw: (frame, meta) => this.draw(frame, meta),
      ack: (seq, q) => this.send({ type: 'ack', seq, decode_queue_size: q, displayed: true }),
      unsupported: (reason) => this.fallBackToImages(reason),
      recovered: () => this.stats.recoveries++,
    });
    this.images = new ImagePipeline({
      draw: (bitmap, meta) => this.draw(bitmap, meta),
      ack: (seq) => this.send({ type: 'ack', seq, decode_queue_size: 0, displayed: true }),
      failed: (reason) => post({ type: 'error', message: reason }),
    });
    this.statsTimer = setInterval(() => post({ type: 'stats', stats: this.stats.sample() }), 1000);
    this.connect();
  }

  /** Reports a state change (each reconnect attempt is one). */
  private state(state: ViewState, details: Omit<StateChange, 'state' | 'url'> = {}): void {
    if (state === this.lastState && state !== 'reconnecting') return;
    this.lastState = state;
    post({ type: 'state', state, url: this.reconnector.url, ...details });
  }

  private connect(): void {
    const ws = new WebSocket(this.reconnector.url);
    // Each connection has its own seq space, starting at 0.
    this.lastDrawnSeq = -1;
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.state('connecting');
    ws.onopen = async () => {
      this.state('open');
      this.video.reset();
      this.images.reset();
      const supported = await probeCapabilities(this.css, this.imageOnly);
      if (ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
      this.send({ type: 'hello', supported, device_pixel_ratio: this.ratio, ...(this.init.token ? { token: this.init.token } : {}) });
      if (this.css.width > 0 && this.css.height > 0) this.sendViewport();
    };
    // A socket being replaced (fallback to images) may still deliver a chunk or two: ignore them.
    ws.onmessage = (e) => {
      if (ws === this.ws) this.receive(e.data as ArrayBuffer | string);
    };
    ws.onclose = (e) => {
      if (ws === this.ws) this.closed(e.code, e.reason);
    };
  }

  /** The socket closed under us: retry (same or next server) when the code is worth it, else stop. */
  private closed(code: number, reason: string): void {
    this.ws = undefined;
    const next = this.init.reconnect !== false && isRetryable(code) ? this.reconnector.failed() : undefined;
    if (!next) return this.state('closed', { code, reason });
    this.state('reconnecting', { code, reason, attempt: next.attempt, delayMs: next.delayMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, next.delayMs);
  }

  private send(message: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private sendViewport(): void {
    const { width, height } = this.css;
    const backing = this.backing;
    this.send({ type: 'set_viewport', width, height, pwidth: backing.width, pheight: backing.height, ratio: this.ratio });
  }

  resize(backing: Size, css: Size, ratio: number): void {
    const changed = backing.width !== this.backing.width || backing.height !== this.backing.height || css.width !== this.css.width || css.height !== this.css.height;
    this.backing = backing;
    this.css = css;
    this.ratio = ratio;
    this.renderer.resize(backing.width, backing.height);
    if (!changed || css.width <= 0 || css.height <= 0) return;
    this.sendViewport();
    // §4: a resize resets the video pipeline and asks for a keyframe. The chunks the
    // reset discards are never acked, so decoder_reset tells the server to forget them
    // instead of holding the window shut until its 2 s backstop. Images need no reset:
    // the renderer re-fits the picture.
    this.video.reset();
    this.send({ type: 'request_keyframe', reason: 'viewport resized' });
    this.send({ type: 'decoder_reset' });
  }

  private receive(data: ArrayBuffer | string): void {
    const receivedMs = performance.now();
    if (typeof data === 'string') return this.control(data);
    this.stats.received(data.byteLength);
    let envelope;
    try {
      envelope = unpackEnvelope(data);
    } catch (error) {
      post({ type: 'error', message: `bad frame: ${String(error)}` });
      return;
    }
    const h = envelope.header;
    // Frame headers leave pixel_ratio out when it is 1 (§6.2), so its absence means 1.
    this.pixelRatio = typeof h.pixel_ratio === 'number' ? h.pixel_ratio : 1;
    // Each binary header decides its decoder, whatever config said (§5).
    if (h.type === 'video_chunk') {
      this.stats.codec = String(h.codec);
      this.video.chunk(h as VideoChunkHeader, envelope.payload, receivedMs);
    } else if (h.type === 'image_frame') {
      this.stats.codec = String(h.mime);
      this.images.frame(h as ImageFrameHeader, envelope.payload, receivedMs);
    }
  }

  private control(text: string): void {
    let m: unknown;
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (!isObject(m)) return;
    if (m.type === 'config') {
      const config = m as unknown as ConfigMessage;
      if (typeof config.pixel_ratio === 'number') this.pixelRatio = config.pixel_ratio;
      if (config.color?.primaries === 'display-p3') this.renderer.useColorSpace('display-p3');
      this.stats.transport = config.transport;
      this.reconnector.succeeded();
      // A config re-sent on a backend switch is no new state.
      if (this.lastState === 'open') this.state('negotiated');
      post({ type: 'config', config });
    } else if (m.type === 'stats') {
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
      this.stats.server = {
        ...(num(m.fps_sent) !== undefined ? { serverFps: num(m.fps_sent) } : {}),
        ...(num(m.bitrate_bps) !== undefined ? { serverBitrateBps: num(m.bitrate_bps) } : {}),
        ...(num(m.encode_ms) !== undefined ? { encodeMs: num(m.encode_ms) } : {}),
        ...(typeof m.rtt_ms === 'number' ? { rttMs: m.rtt_ms } : {}),
        ...(typeof m.dropped === 'number' ? { dropped: m.dropped } : {}),
        ...(typeof m.target_bitrate === 'number' ? { targetBitrate: m.target_bitrate } : {}),
        ...(typeof m.target_fps === 'number' ? { targetFps: m.target_fps } : {}),
      };
    } else if (m.type === 'set_quality') {
      this.stats.server = {
        ...this.stats.server,
        ...(typeof m.bitrate === 'number' ? { targetBitrate: m.bitrate } : {}),
        ...(typeof m.fps === 'number' ? { targetFps: m.fps } : {}),
      };
    }
  }

  private draw(source: CanvasImageSource, m: FrameMeta): void {
    // Across a live switch the last image may finish decoding after the first video
    // frame: an older frame never replaces a newer one on screen (it is still acked).
    if (m.seq <= this.lastDrawnSeq) return;
    this.lastDrawnSeq = m.seq;
    this.renderer.draw(source, m.width, m.height);
    this.stats.drew(performance.now() - m.receivedMs);
    this.state('streaming');
    const { width, height, seq, timestampUs, keyframe } = m;
    post({ type: 'drawn', width, height, pixelRatio: this.pixelRatio, seq, timestampUs, keyframe });
  }

  /** The last rung of the ladder: reconnect advertising images only. */
  private fallBackToImages(reason: string): void {
    post({ type: 'error', message: `${reason}; reconnecting with images only` });
    this.imageOnly = true;
    const old = this.ws;
    this.ws = undefined;
    old?.close(1000, 'falling back to images');
    this.connect();
  }

  event(event: object): void {
    this.send({ type: 'event', event });
  }

  setFit(fit: InitMessage['fit'], background: string): void {
    this.renderer.background = background;
    this.renderer.fit = fit;
  }

  snapshot(id: number): void {
    const img = this.renderer.snapshot();
    post({ type: 'snapshot', id, width: img.width, height: img.height, data: img.data }, [img.data.buffer]);
  }

  stallDecoder(): void {
    this.video.stalled = true;
  }

  close(): void {
    clearInterval(this.statsTimer);
    clearTimeout(this.retryTimer);
    this.video.dispose();
    this.images.reset();
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(1000, 'view disposed');
    this.state('closed', { code: 1000, reason: 'view disposed' });
  }
}

let connection: Connection | undefined;

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === 'init') {
    connection = new Connection(m);
    return;
  }
  if (!connection) return;
  switch (m.type) {
    case 'resize':
      return connection.resize(m.backing, m.css, m.ratio);
    case 'fit':
      return connection.setFit(m.fit, m.background);
    case 'event':
      return connection.event(m.event);
    case 'snapshot':
      return connection.snapshot(m.id);
    case 'stall-decoder':
      return connection.stallDecoder();
    case 'close':
      connection.close();
      connection = undefined;
  }
};
