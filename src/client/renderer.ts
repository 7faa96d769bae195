/**
 * Draws decoded frames into the worker's OffscreenCanvas: clear to the
 * letterbox background, then draw into the fit rectangle of PROTOCOL.md §8.3.
 */
import { type Fit, fitRect } from '../wire';

export class Renderer {
  private ctx?: OffscreenCanvasRenderingContext2D;
  private colorSpace: PredefinedColorSpace = 'srgb';

  constructor(
    private readonly canvas: OffscreenCanvas,
    public fit: Fit,
    public background: string,
  ) {}

  /** A display-p3 context can only be chosen before the first draw (§5). */
  useColorSpace(space: PredefinedColorSpace): void {
    if (!this.ctx) this.colorSpace = space;
  }

  resize(width: number, height: number): void {
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
  }

  private context(): OffscreenCanvasRenderingContext2D {
    if (!this.ctx) {
      const ctx = this.canvas.getContext('2d', { alpha: false, colorSpace: this.colorSpace });
      if (!ctx) throw new Error('no 2d context');
      this.ctx = ctx;
    }
    return this.ctx;
  }

  draw(source: CanvasImageSource, frameWidth: number, frameHeight: number): void {
    const ctx = this.context();
    const { width, height } = this.canvas;
    ctx.fillStyle = this.background;
    ctx.fillRect(0, 0, width, height);
    const r = fitRect(this.fit, frameWidth, frameHeight, width, height);
    ctx.drawImage(source, r.dx, r.dy, r.dw, r.dh);
  }

  snapshot(): ImageData {
    return this.context().getImageData(0, 0, this.canvas.width, this.canvas.height);
  }
}
