/**
 * A progress bar on stderr. On a terminal it redraws one line; otherwise (CI,
 * pipes) it prints a line at each tenth, so logs stay readable.
 */
export class ProgressBar {
  private done = 0;
  private lastTenth = -1;
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly enabled = true,
  ) {}

  tick(detail = ''): void {
    this.done = Math.min(this.total, this.done + 1);
    if (!this.enabled) return;
    const fraction = this.total ? this.done / this.total : 1;
    if (this.tty) {
      const width = 28;
      const filled = Math.round(fraction * width);
      process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(fraction * 100)}% ${detail}`.padEnd(100));
      if (this.done === this.total) process.stderr.write('\n');
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth !== this.lastTenth) {
      this.lastTenth = tenth;
      process.stderr.write(`${this.label}: ${Math.round(fraction * 100)}% ${detail}\n`);
    }
  }
}
