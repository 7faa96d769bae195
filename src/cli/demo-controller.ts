/**
 * What the demo page asks for and what it is told. The page sends its
 * requests as custom input events of type "demo" (so the server knows which
 * viewer asked); every other event goes to the current scene. Requests are
 * checked here, because they come from any browser that can reach the port.
 */
import type { Logger } from '../core/logging';
import type { Scene } from '../scenes/scene';
import { messageOf } from '../core/errors';
import type { Display } from '../server/display';
import type { QueuedEvent } from '../server/event-queue';
import type { DemoStatus } from './demo-api';
import type { ScenePublisher } from './publisher';

/** Bounds for requests from the page: enough for a demo, never a runaway allocation or timer. */
export const DEMO_LIMITS = { side: [16, 3840], fps: [1, 120], bitrate: [100_000, 100_000_000] } as const;

type Fields = Record<string, unknown>;

function integer(r: Fields, key: string, [min, max]: readonly [number, number]): number | undefined {
  const v = r[key];
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new RangeError(`${key} must be an integer from ${min} to ${max}, got ${String(v)}`);
  return v as number;
}

function text(r: Fields, key: string): string {
  const v = r[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) throw new TypeError(`${key} must be a short string`);
  return v;
}

export class DemoController {
  private lastError = '';
  private readonly tags = new Map<string, string>();

  constructor(
    private readonly display: Display,
    private readonly publisher: ScenePublisher,
    private readonly scenes: Record<string, Scene>,
    private readonly logger: Logger,
  ) {
    display.on('viewer-left', (id: string) => this.tags.delete(id));
  }

  status(): DemoStatus {
    return {
      scene: this.publisher.scene.name,
      scenes: Object.keys(this.scenes),
      width: this.publisher.width,
      height: this.publisher.height,
      fps: this.display.quality.fps,
      bitrate: this.display.quality.bitrate,
      viewers: this.display.viewers().map((v) => ({ id: v.id.slice(0, 8), backend: v.backend, ...(this.tags.has(v.id) ? { tag: this.tags.get(v.id) } : {}) })),
      lastError: this.lastError,
    };
  }

  /** Consumes the display's input until it closes. */
  async run(): Promise<void> {
    for await (const e of this.display.events()) {
      if (e.event.type === 'demo') await this.request(e);
      else this.toScene(e);
    }
  }

  private toScene(e: QueuedEvent): void {
    const { scene, width, height } = this.publisher;
    try {
      scene.onEvent?.(e.event, width, height, e.viewer);
    } catch (error) {
      this.logger.error({ err: error, scene: scene.name, event: e.event.type }, 'scene input failed');
    }
  }

  private async request(e: QueuedEvent): Promise<void> {
    const r = e.event as Fields;
    try {
      switch (r.action) {
        case 'hello':
          this.tags.set(e.viewer, text(r, 'tag'));
          return;
        case 'scene': {
          const name = text(r, 'scene');
          if (!this.scenes[name]) throw new RangeError(`unknown scene '${name}'`);
          this.publisher.change({ scene: this.scenes[name] });
          break;
        }
        case 'size':
          this.publisher.change({ width: integer(r, 'width', DEMO_LIMITS.side), height: integer(r, 'height', DEMO_LIMITS.side) });
          break;
        case 'quality': {
          const fps = integer(r, 'fps', DEMO_LIMITS.fps);
          this.display.setQuality({ bitrate: integer(r, 'bitrate', DEMO_LIMITS.bitrate), fps });
          if (fps) this.publisher.setFps(fps);
          break;
        }
        case 'backend':
          await this.display.switchBackend(text(r, 'backend'), r.scope === 'viewer' ? { viewer: e.viewer } : {});
          break;
        default:
          throw new RangeError(`unknown demo action '${String(r.action)}'`);
      }
      this.lastError = '';
    } catch (error) {
      this.lastError = messageOf(error);
    }
  }
}
