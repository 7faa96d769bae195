/**
 * The `match_client` resize policy (PROTOCOL.md §12.2): viewports become a
 * pending render target, clamped, capped, rounded down to even, and committed
 * once stable for the debounce. The last writer wins, whichever viewer it is.
 */
import type { Clock, Timer } from './clock';

export interface RenderTarget {
  width: number;
  height: number;
  ratio: number;
}

export function clampTarget(pwidth: number, pheight: number, cap: number | undefined): { width: number; height: number } {
  let w = Math.max(2, pwidth);
  let h = Math.max(2, pheight);
  if (cap !== undefined && Math.max(w, h) > cap) {
    const s = cap / Math.max(w, h);
    w = Math.max(2, Math.round(w * s));
    h = Math.max(2, Math.round(h * s));
  }
  return { width: w & ~1, height: h & ~1 };
}

export class DebouncedTarget {
  private committed?: RenderTarget;
  private timer?: Timer;

  constructor(
    private readonly clock: Clock,
    private readonly debounceMs: number,
    private readonly cap: number | undefined,
    private readonly onCommit: (t: RenderTarget) => void,
  ) {}

  get target(): RenderTarget | undefined {
    return this.committed;
  }

  offer(pwidth: number, pheight: number, ratio: number): void {
    const size = clampTarget(pwidth, pheight, this.cap);
    this.timer?.cancel();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.committed = { ...size, ratio };
      this.onCommit(this.committed);
    }, this.debounceMs);
  }

  cancel(): void {
    this.timer?.cancel();
  }
}
