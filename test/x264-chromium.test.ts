/**
 * The libx264 bitstream decodes in a real browser exactly as rfbcast's client
 * configures it (PROTOCOL.md §6.3): WebCodecs VideoDecoder, our codec string,
 * Annex B chunks, no description.
 */

import { useBlankPage } from './helpers/chromium-page';
import { encodePattern } from './helpers/x264-stream';

interface DecodeReport {
  supported: boolean;
  outputs: Array<{ timestamp: number; width: number; height: number }>;
  errors: string[];
}

interface Chunk {
  data: string;
  key: boolean;
  timestamp: number;
  duration: number;
}

describe('libx264 output in headless Chromium WebCodecs', () => {
  const chromium = useBlankPage();

  it('decodes every frame at the encoded size, in order', async () => {
    const width = 1280;
    const height = 720;
    const frames = 40;
    const { payloads } = await encodePattern({ width, height, fps: 30, bitrate: 8_000_000 }, frames, new Set([13]));
    const codec = payloads[0].codec as string;
    const chunks: Chunk[] = payloads.map((p) => ({
      data: Buffer.from(p.data).toString('base64'),
      key: p.keyframe,
      timestamp: p.timestampUs,
      duration: p.durationUs as number,
    }));
    const report = await chromium.page.evaluate(
      async ({ codec, width, height, chunks }): Promise<DecodeReport> => {
        const config = { codec, codedWidth: width, codedHeight: height, optimizeForLatency: true };
        const { supported } = await VideoDecoder.isConfigSupported(config);
        const outputs: DecodeReport['outputs'] = [];
        const errors: string[] = [];
        const decoder = new VideoDecoder({
          output: (frame) => {
            const rect = frame.visibleRect as DOMRectReadOnly;
            outputs.push({ timestamp: frame.timestamp, width: rect.width, height: rect.height });
            frame.close();
          },
          error: (e) => errors.push(e.message),
        });
        decoder.configure(config);
        for (const c of chunks) {
          const data = Uint8Array.from(atob(c.data), (ch) => ch.charCodeAt(0));
          decoder.decode(
            new EncodedVideoChunk({ type: c.key ? 'key' : 'delta', timestamp: c.timestamp, duration: c.duration, data }),
          );
        }
        await decoder.flush();
        decoder.close();
        return { supported: supported === true, outputs, errors };
      },
      { codec, width, height, chunks },
    );
    expect(report.errors).toEqual([]);
    expect(report.supported).toBe(true);
    expect(report.outputs).toHaveLength(frames);
    expect(report.outputs.map((o) => o.timestamp)).toEqual(payloads.map((p) => p.timestampUs));
    for (const o of report.outputs) expect([o.width, o.height]).toEqual([width, height]);
  });
});
