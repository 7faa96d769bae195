/**
 * The stream's input queue (PROTOCOL.md §8.4): events from every viewer merge
 * into one bounded FIFO that drops its oldest entry when full. The publisher
 * drains it with pollEvents() or consumes it with `for await`.
 */
import type { InputEvent } from '../wire';

/** One input event from a viewer, as Display.events() yields it. */
export interface QueuedEvent {
  /** The viewer's id (32 hex characters). */
  viewer: string;
  /** What the stream's authenticate hook returned for this viewer (undefined without a hook); for a relay's viewer, the relay's hook. */
  principal: unknown;
  /** The relay the viewer is connected to (src/relay); absent for the stream's own viewers. */
  relay?: string;
  /** Microseconds since the display was created, when the server received it. */
  receivedUs: number;
  /** The event itself. */
  event: InputEvent;
}

export class EventQueue {
  private items: QueuedEvent[] = [];
  private head = 0;
  private waiters: Array<(e: QueuedEvent | undefined) => void> = [];
  private ended = false;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(e: QueuedEvent): void {
    if (this.ended) return;
    const waiter = this.waiters.shift();
    if (waiter) return waiter(e);
    if (this.size >= this.capacity) this.head++;
    this.items.push(e);
    // Compact now and then so the array does not grow with the drained prefix.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  drain(): QueuedEvent[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }

  private next(): Promise<QueuedEvent | undefined> {
    if (this.size > 0) {
      const e = this.items[this.head++];
      return Promise.resolve(e);
    }
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async *iterate(): AsyncGenerator<QueuedEvent> {
    for (;;) {
      const e = await this.next();
      if (e === undefined) return;
      yield e;
    }
  }

  /** Ends every iterator once the queued events are consumed. */
  end(): void {
    this.ended = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
