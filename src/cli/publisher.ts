/**
 * Drives a display from a scene at a steady rate. Each frame is rendered into
 * a fresh buffer, because published frames are borrowed by the encoders.
 */
import type { Scene } from '../scenes/scene';
import type { Display } from '../server/display';

export class ScenePublisher {
  private timer?: NodeJS.Timeout;
  private index = 0;
  private forceNext = true;

  constructor(
    private readonly display: Display,
    public scene: Scene,
    public width: number,
    public height: number,
    private fps: number,
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
    if (!this.scene.animated && !this.forceNext) return;
    this.forceNext = false;
    const frame = new Uint8Array(this.width * this.height * 4);
    this.scene.render(frame, this.width, this.height, this.index++);
    this.display.publish({ data: frame, width: this.width, height: this.height, pixelFormat: 'rgba', memory: 'host' });
  }
}
