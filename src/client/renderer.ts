/**
 * Draws decoded frames into the worker's OffscreenCanvas: clear to the
 * letterbox background, then draw into the fit rectangle of PROTOCOL.md §8.3.
 * A resize or a new fit redraws the picture already on screen, so a still
 * scene does not go blank while the next frame is on its way.
 */
import { type DrawRect, type Fit, fitRect } from '../wire';

export class Renderer {
  private ctx?: OffscreenCanvasRenderingContext2D;
  private colorSpace: PredefinedColorSpace = 'srgb';
  private fitMode: Fit;
  /** The last frame's size and where it was drawn. */
  private last?: { width: number; height: number; rect: DrawRect };

  constructor(
    private readonly canvas: OffscreenCanvas,
    fit: Fit,
    public background: string,
  ) {
    this.fitMode = fit;
  }

  get fit(): Fit {
    return this.fitMode;
  }

  set fit(fit: Fit) {
    this.fitMode = fit;
    this.redrawLast(this.canvas.width, this.canvas.height);
  }

  /** A display-p3 context can only be chosen before the first draw (§5). */
  useColorSpace(space: PredefinedColorSpace): void {
    if (!this.ctx) this.colorSpace = space;
  }

  resize(width: number, height: number): void {
    if (this.canvas.width === width && this.canvas.height === height) return;
    if (this.last) return this.redrawLast(width, height);
    this.canvas.width = width;
    this.canvas.height = height;
  }

  /** Moves what is on screen to a canvas of `width` x `height` under the current fit. */
  private redrawLast(width: number, height: number): void {
    const last = this.last;
    if (!last) return;
    const old = this.canvas.transferToImageBitmap();
    this.canvas.width = width;
    this.canvas.height = height;
    // The visible part of the old frame rectangle, and where that part of the frame now goes.
    const sx = Math.max(0, last.rect.dx);
    const sy = Math.max(0, last.rect.dy);
    const sw = Math.min(old.width, last.rect.dx + last.rect.dw) - sx;
    const sh = Math.min(old.height, last.rect.dy + last.rect.dh) - sy;
    const next = fitRect(this.fitMode, last.width, last.height, width, height);
    const kx = next.dw / last.rect.dw;
    const ky = next.dh / last.rect.dh;
    const ctx = this.context();
    ctx.fillStyle = this.background;
    ctx.fillRect(0, 0, width, height);
    if (sw > 0 && sh > 0) {
      ctx.drawImage(old, sx, sy, sw, sh, next.dx + (sx - last.rect.dx) * kx, next.dy + (sy - last.rect.dy) * ky, sw * kx, sh * ky);
    }
    old.close();
    this.last = { ...last, rect: next };
  }

  private context(): OffscreenCanvasRenderingContext2D {
    if (!this.ctx) {
      const ctx = this.canvas.getContext('2d', { alpha: false, colorSpace: this.colorSpace });
      if (!ctx) throw new Error('no 2d context');
      this.ctx = ctx;
    }
    return this.ctx;
  }

  /** Draws the top-left `frameWidth` x `frameHeight` of `source` (anything beyond is decoder padding). */
  draw(source: CanvasImageSource, frameWidth: number, frameHeight: number): void {
    const ctx = this.context();
    const { width, height } = this.canvas;
    ctx.fillStyle = this.background;
    ctx.fillRect(0, 0, width, height);
    const r = fitRect(this.fitMode, frameWidth, frameHeight, width, height);
    ctx.drawImage(source, 0, 0, frameWidth, frameHeight, r.dx, r.dy, r.dw, r.dh);
    this.last = { width: frameWidth, height: frameHeight, rect: r };
  }

  snapshot(): ImageData {
    return this.context().getImageData(0, 0, this.canvas.width, this.canvas.height);
  }
}
