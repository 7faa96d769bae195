/**
 * The rfbcast command (issue 8), run from the build as a user would: doctor,
 * benchmark, serve and demo, their --help and --json, and their errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PATTERNS } from '../src/scenes/patterns';
import { runCli, startCli } from './helpers/cli';
import { decodeToRaw, rgbaToRgb } from './helpers/ffmpeg';
import { TestViewer } from './helpers/viewer';
import { eventually } from './helpers/wait';

jest.setTimeout(90_000);

interface DoctorJson {
  platform: string;
  node: string;
  features: Record<string, boolean>;
  backends: Array<{ name: string; transport: string; status: string; reason: string; rank: number; modes?: Record<string, { status: string; reason: string }> }>;
  recommendation: string[];
}

interface BenchmarkJson {
  command: string;
  timing: string;
  psnr: string;
  rows: Array<{ size: string; backend: string; frames: number; encodeMsMedian: number; encodeMsP95: number; kbPerFrame: number; mbps: number; psnrDb: number | null }>;
}

const json = <T>(stdout: string) => JSON.parse(stdout) as T;
const wsOf = (url: string) => url.replace(/^http/, 'ws');

/** The test card is RGBA at index 0; its top 60% (the colour bars) does not move. */
function testCardBars(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  PATTERNS.test_card.render(rgba, width, height, 0);
  return rgbaToRgb(rgba).subarray(0, width * Math.floor(height * 0.6) * 3);
}

describe('rfbcast doctor', () => {
  let report: DoctorJson;

  beforeAll(() => {
    const r = runCli(['doctor', '--json']);
    expect(r.status).toBe(0);
    report = json<DoctorJson>(r.stdout);
  });

  it('--json lists every registered backend with a status and a reason, and the recommendation order', () => {
    expect(report.node).toBe(process.version);
    expect(report.platform).toBe(process.platform);
    expect(Object.keys(report.features).sort()).toEqual(['metal', 'png', 'turbojpeg', 'vtenc', 'webp', 'x264', 'yuv']);
    for (const v of Object.values(report.features)) expect(typeof v).toBe('boolean');
    expect(report.backends.map((b) => b.name)).toEqual(expect.arrayContaining(['libx264', 'image', 'vtenc']));
    for (const b of report.backends) {
      expect(['ok', 'partial', 'missing']).toContain(b.status);
      expect(b.reason.length).toBeGreaterThan(0);
      for (const m of Object.values(b.modes ?? {})) {
        expect(['ok', 'partial', 'missing']).toContain(m.status);
        expect(m.reason.length).toBeGreaterThan(0);
      }
    }
    const vtenc = report.backends.find((b) => b.name === 'vtenc');
    if (process.platform !== 'darwin') expect(vtenc).toMatchObject({ status: 'missing', reason: 'not macOS' });
    // Video before image, then by rank; nothing missing is recommended.
    const transports = report.recommendation.map((n) => report.backends.find((b) => b.name === n));
    for (const b of transports) expect(b?.status).not.toBe('missing');
    const firstImage = transports.findIndex((b) => b?.transport === 'image');
    if (firstImage >= 0) expect(transports.slice(firstImage).every((b) => b?.transport === 'image')).toBe(true);
  });

  it('prints a readable table without --json', () => {
    const r = runCli(['doctor']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^platform /);
    for (const b of report.backends) expect(r.stdout).toMatch(new RegExp(`${b.status} +${b.name} `));
    expect(r.stdout).toMatch(/recommendation: /);
  });
});

describe('rfbcast --help and argument errors', () => {
  it('every command has --help; benchmark states its timing and PSNR method', () => {
    const top = runCli(['--help']);
    expect(top.status).toBe(0);
    for (const cmd of ['doctor', 'benchmark', 'demo', 'serve']) {
      expect(top.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
      const r = runCli([cmd, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Usage: rfbcast ${cmd}`));
    }
    const bench = runCli(['benchmark', '--help']).stdout;
    expect(bench).toMatch(/Timing: Each frame is rendered first \(not timed\); then the wall time of one\nencode\(\) call/);
    expect(bench).toMatch(/PSNR: the output is decoded back with ffmpeg/);
    expect(bench).toMatch(/--sizes <list> +comma-separated sizes \(default: 1280x720,1920x1080\)/);
    expect(runCli(['demo', '--help']).stdout).toMatch(/Scenes: test_card, bouncing_box/);
  });

  it('rejects bad arguments with a clear message', () => {
    const size = runCli(['benchmark', '--sizes', 'big']);
    expect(size.status).not.toBe(0);
    expect(size.stderr).toMatch(/'big' is not a size like 1280x720/);
    const backend = runCli(['benchmark', '--backends', 'nope', '--sizes', '32x32', '--frames', '1']);
    expect(backend.status).toBe(1);
    expect(backend.stderr).toMatch(/rfbcast: unknown backend 'nope'/);
    expect(backend.stdout).toBe('');
    const pattern = runCli(['serve', '--pattern', 'stripes']);
    expect(pattern.status).not.toBe(0);
    expect(pattern.stderr).toMatch(/Allowed choices are gradient, bands, noise, test_card/);
  });
});

describe('rfbcast benchmark', () => {
  it('5 frames at 64x64 --json: valid JSON with PSNR for every available backend; progress only on stderr', () => {
    const doctor = json<DoctorJson>(runCli(['doctor', '--json']).stdout);
    const available = doctor.backends
      .filter((b) => b.status !== 'missing')
      .flatMap((b) => (b.modes ? Object.entries(b.modes).filter(([, m]) => m.status === 'ok').map(([m]) => `${b.name}:${m}`) : [b.name]));
    if (doctor.features.metal && available.includes('vtenc')) available.push('vtenc:metal');
    if (process.platform === 'linux') expect(available.sort()).toEqual(['image:jpeg', 'image:png', 'image:webp', 'libx264']);

    const r = runCli(['benchmark', '--sizes', '64x64', '--frames', '5', '--json']);
    expect(r.status).toBe(0);
    const report = json<BenchmarkJson>(r.stdout);
    expect(report.command).toBe('benchmark');
    expect(report.timing).toMatch(/wall time of one encode\(\) call/);
    expect(report.rows.map((row) => row.backend).sort()).toEqual(available.sort());
    for (const row of report.rows) {
      expect(row).toMatchObject({ size: '64x64', frames: 5 });
      expect(row.encodeMsMedian).toBeGreaterThan(0);
      expect(row.encodeMsP95).toBeGreaterThanOrEqual(row.encodeMsMedian);
      expect(row.kbPerFrame).toBeGreaterThan(0);
      // mbps is the mean frame size at 30 fps (both rounded).
      expect(row.mbps).toBeCloseTo((row.kbPerFrame * 1024 * 8 * 30) / 1e6, 1);
      expect(typeof row.psnrDb).toBe('number');
    }
    const psnrOf = (b: string) => report.rows.find((row) => row.backend === b)?.psnrDb as number;
    // PNG is lossless; the lossy ones land where their settings put them on this pattern.
    expect(psnrOf('image:png')).toBe(99);
    for (const b of ['libx264', 'image:jpeg', 'image:webp']) {
      expect(psnrOf(b)).toBeGreaterThan(30);
      expect(psnrOf(b)).toBeLessThan(60);
    }
    expect(r.stderr).toMatch(/^benchmark: 100% /m);
    expect(r.stdout).not.toMatch(/benchmark: \d+%/);
  });

  it('PSNR follows the encoder setting: JPEG quality 20 scores below quality 95; the table prints n/a-free rows', () => {
    const at = (q: number) => {
      const r = runCli(['benchmark', '--sizes', '64x64', '--frames', '3', '--backends', 'image:jpeg', '--jpeg-quality', String(q), '--json']);
      expect(r.status).toBe(0);
      return json<BenchmarkJson>(r.stdout).rows[0].psnrDb as number;
    };
    expect(at(20) + 3).toBeLessThan(at(95));
    const table = runCli(['benchmark', '--sizes', '32x32', '--frames', '2', '--backends', 'image:png,libx264']);
    expect(table.status).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^size +backend +median ms +p95 ms +KB\/frame +Mbit\/s +PSNR dB$/);
    expect(lines[1]).toMatch(/^32x32 +image:png +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +99\.00$/);
    expect(lines[2]).toMatch(/^32x32 +libx264 +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +\d+\.\d\d$/);
  });
});

describe('rfbcast serve', () => {
  it('serves the viewer page and streams the pattern to real ws clients, as PNG and as H.264', async () => {
    const cli = await startCli(['serve', '--pattern', 'test_card', '--port', '0', '--size', '320x180', '--record-events', '--backend', 'libx264']);
    try {
      const page = await fetch(cli.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<title>rfbcast<\/title>/);
      expect(await (await fetch(`${cli.url}health`)).text()).toBe('ok\n');

      const png = (await TestViewer.connect(wsOf(cli.url), ['image/png'])).autoAck();
      const h264 = (await TestViewer.connect(wsOf(cli.url), ['webcodecs/h264-annexb'])).autoAck();
      await png.waitForFrames(3, 20_000);
      await h264.waitForFrames(5, 20_000);
      expect(png.texts[0]).toMatchObject({ type: 'config', width: 320, height: 180 });
      expect(png.frames[0].header).toMatchObject({ type: 'image_frame', mime: 'image/png', width: 320, height: 180 });
      // PNG is exact: the colour bars are the pattern's, pixel for pixel.
      const bars = testCardBars(320, 180);
      expect(Buffer.compare(decodeToRaw(png.frames[0].payload, { fileName: 'f.png' }).subarray(0, bars.length), bars)).toBe(0);

      expect(h264.frames[0].header).toMatchObject({ type: 'video_chunk', keyframe: true, width: 320, height: 180 });
      expect(String(h264.frames[0].header.codec)).toMatch(/^avc1\./);
      const decoded = decodeToRaw(Buffer.concat(h264.frames.map((f) => f.payload)), { format: 'h264', fileName: 's.h264' });
      expect(decoded.length).toBe(h264.frames.length * 320 * 180 * 3);
      // Lossy, and chroma is subsampled across the bars' edges: compare the bars' middles.
      for (let i = 0; i < 7; i++) {
        const o = (50 * 320 + Math.round(((i + 0.5) * 320) / 7)) * 3;
        for (let c = 0; c < 3; c++) expect(Math.abs(decoded[o + c] - bars[o + c])).toBeLessThanOrEqual(6);
      }

      png.send({ type: 'event', event: { type: 'key_down', key: 'x', code: 'KeyX', modifiers: [], timestamp: 1 } });
      const recorded = () => fetch(`${cli.url}recorded-events`).then((r) => r.json() as Promise<unknown[]>);
      expect(await eventually(recorded, (events) => events.length > 0, { what: 'the recorded event' })).toEqual([
        { type: 'key_down', key: 'x', code: 'KeyX', modifiers: [], timestamp: 1 },
      ]);
      png.ws.terminate();
      h264.ws.terminate();
    } finally {
      await cli.stop();
    }
  });

  // A Mac has VideoToolbox, so --gpu starts there instead of failing.
  (process.platform === 'darwin' ? it.skip : it)('--gpu without a hardware encoder exits with the reason (not on macOS)', () => {
    const r = runCli(['serve', '--gpu', '--port', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/rfbcast: no hardware encoder is available \(vtenc: not macOS\)/);
  });
});

describe('rfbcast demo', () => {
  it('serves the demo page, its state and backends, streams frames, and shrugs off bad requests', async () => {
    const cli = await startCli(['demo', '--port', '0', '--size', '320x180']);
    try {
      const html = await (await fetch(cli.url)).text();
      expect(html).toMatch(/<title>rfbcast demo<\/title>/);
      expect((await fetch(`${cli.url}demo.js`)).status).toBe(200);
      const status = async () => (await (await fetch(`${cli.url}api/status`)).json()) as { scenes: string[]; scene: string; width: number; lastError: string; viewers: unknown[] };
      const scenes = ['test_card', 'bouncing_box', 'gradient', 'plasma', 'checkerboard', 'paint'];
      // The Metal shader scene exists only where Metal does.
      expect((await status()).scenes).toEqual(process.platform === 'darwin' ? expect.arrayContaining([...scenes, 'metal_shader']) : scenes);
      const backends = (await (await fetch(`${cli.url}api/backends`)).json()) as Array<{ name: string; status: string }>;
      expect(backends.map((b) => b.name)).toEqual(expect.arrayContaining(['libx264', 'image', 'vtenc']));

      const v = (await TestViewer.connect(wsOf(cli.url), ['image/png'])).autoAck();
      await v.waitForFrames(2, 20_000);
      const bars = testCardBars(320, 180);
      expect(Buffer.compare(decodeToRaw(v.frames[0].payload, { fileName: 'f.png' }).subarray(0, bars.length), bars)).toBe(0);

      const demo = (request: Record<string, unknown>) => v.send({ type: 'event', event: { type: 'demo', ...request } });
      const lastError = (pattern: RegExp) =>
        eventually(status, (s) => pattern.test(s.lastError), { timeoutMs: 20_000, what: `lastError matching ${pattern}`, intervalMs: 100 });
      demo({ action: 'size', width: 100_000, height: 180 });
      await lastError(/width must be an integer from 16 to 3840, got 100000/);
      demo({ action: 'quality', fps: 0 });
      await lastError(/fps must be an integer from 1 to 120, got 0/);
      demo({ action: 'scene', scene: 'nope' });
      await lastError(/unknown scene 'nope'/);
      demo({ action: 'launch' });
      await lastError(/unknown demo action 'launch'/);
      demo({ action: 'backend', backend: 'nope', scope: 'viewer' });
      await lastError(/nope/);
      // A pointer event with only x and y reaches a scene that ignores it.
      v.send({ type: 'event', event: { type: 'pointer_move', x: 3, y: 4 } });
      demo({ action: 'size', width: 160, height: 90 });
      await lastError(/^$/);
      const seen = v.frames.length;
      await v.waitFor((x) => x.frames.slice(seen).some((f) => f.header.width === 160 && f.header.height === 90), 20_000, 'a 160x90 frame');
      expect((await status()).width).toBe(160);
      v.ws.terminate();
    } finally {
      await cli.stop();
    }
  });

  it('--open where no browser can be started prints the URL to visit and keeps serving', async () => {
    const emptyPath = mkdtempSync(join(tmpdir(), 'rfbcast-nobrowser-'));
    const cli = await startCli(['demo', '--port', '0', '--size', '160x90', '--open'], { PATH: emptyPath });
    try {
      await eventually(cli.stderr, (err) => err.includes('could not open a browser'), { timeoutMs: 20_000, what: 'the hint on stderr' });
      expect(cli.stderr()).toContain(`visit ${cli.url}`);
      expect((await fetch(cli.url)).status).toBe(200);
      expect(cli.child.exitCode).toBeNull();
    } finally {
      await cli.stop();
      rmSync(emptyPath, { recursive: true, force: true });
    }
  });
});
