/** What the demo server answers at GET /api/status; the demo page (src/client/demo.ts) reads it. */
export interface DemoStatus {
  scene: string;
  scenes: string[];
  width: number;
  height: number;
  fps: number;
  bitrate: number;
  /** `tag` is what the viewer's page sent in its hello, so a page can find itself in the list. */
  viewers: Array<{ id: string; backend: string; tag?: string }>;
  lastError: string;
}
