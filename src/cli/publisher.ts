/**
 * Drives a display from a scene at a steady rate. Each frame is rendered into
 * a fresh buffer, because published frames are borrowed by the encoders. A
 * scene that renders asynchronously (on the GPU) has at most one frame in
 * the works: ticks that find it busy are skipped, so a slow GPU lowers the
 * frame rate instead of queueing frames. Scenes draw sRGB, and frames say so:
 * an H.264 stream without primaries and transfer in its VUI is decoded by
 * Chromium as BT.709 throughout, shifting saturated colours.
 */
import { SRGB } from '../core/color';
import type { Logger } from '../core/logging';
import type { Scene } from '../scenes/scene';
import type { Display } from '../server/display';

export class ScenePublisher {
  private timer?: NodeJS.Timeout;
  private index = 0;
  private forceNext = true;
  private rendering = false;

  constructor(
    private readonly display: Display,
    public scene: Scene,
    public width: number,
    public height: number,
    private fps: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => this.tick(), 1000 / this.fps);
    this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  setFps(fps: number): void {
    this.fps = fps;
    if (this.timer) this.start();
  }

  /** Changes scene or size; the next tick publishes even if the scene is idle. */
  change(update: { scene?: Scene; width?: number; height?: number }): void {
    if (update.scene) this.scene = update.scene;
    if (update.width) this.width = update.width;
    if (update.height) this.height = update.height;
    this.forceNext = true;
  }

  private tick(): void {
    if (this.display.isClosed) return this.stop();
    if (this.rendering || (!this.scene.animated && !this.forceNext)) return;
    this.forceNext = false;
    const { scene, width, height } = this;
    const data = new Uint8Array(width * height * 4);
    const publish = () => {
      if (!this.display.isClosed) this.display.publish({ data, width, height, pixelFormat: 'rgba', memory: 'host', color: SRGB });
    };
    const pending = scene.render(data, width, height, this.index++);
    if (!pending) return publish();
    this.rendering = true;
    pending
      .then(publish, (error: unknown) => this.logger.error({ err: error, scene: scene.name }, 'scene render failed'))
      .finally(() => {
        this.rendering = false;
      });
  }
}
