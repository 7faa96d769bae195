/**
 * The rfbcast command (issue 8), run from the build as a user would: doctor,
 * benchmark, serve and demo.
 */
import { runCli, startCli } from './helpers/cli';
import { TestViewer } from './helpers/viewer';

describe('rfbcast doctor', () => {
  it('--json lists every registered backend with a status and a reason, and the recommendation order', () => {
    const r = runCli(['doctor', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as {
      platform: string;
      node: string;
      features: Record<string, boolean>;
      backends: Array<{ name: string; status: string; reason: string; rank: number }>;
      recommendation: string[];
    };
    expect(report.node).toBe(process.version);
    expect(Object.keys(report.features).sort()).toEqual(['metal', 'png', 'turbojpeg', 'vtenc', 'webp', 'x264', 'yuv']);
    const names = report.backends.map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(['vtenc']));
    for (const b of report.backends) {
      expect(['ok', 'partial', 'missing']).toContain(b.status);
      expect(b.reason.length).toBeGreaterThan(0);
    }
    const vtenc = report.backends.find((b) => b.name === 'vtenc');
    if (process.platform !== 'darwin') expect(vtenc).toMatchObject({ status: 'missing', reason: 'not macOS' });
    for (const name of report.recommendation) expect(report.backends.find((b) => b.name === name)?.status).not.toBe('missing');
  });

  it('prints a readable table without --json', () => {
    const r = runCli(['doctor']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^platform /);
    expect(r.stdout).toMatch(/recommendation: /);
  });

  it('every command has --help', () => {
    for (const cmd of ['doctor', 'benchmark', 'demo', 'serve']) {
      const r = runCli([cmd, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Usage: rfbcast ${cmd}`));
    }
    expect(runCli(['benchmark', '--help']).stdout).toMatch(/Timing: /);
  });

  it('rejects bad arguments with a clear message', () => {
    const r = runCli(['benchmark', '--sizes', 'big']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/'big' is not a size like 1280x720/);
  });
});

describe('rfbcast serve', () => {
  it('serves the viewer page and streams the pattern to a real ws client', async () => {
    const cli = await startCli(['serve', '--pattern', 'test_card', '--port', '0', '--size', '320x180', '--record-events']);
    try {
      const ws = cli.url.replace(/^http/, 'ws');
      const page = await fetch(cli.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<title>rfbcast<\/title>/);
      expect(await (await fetch(`${cli.url}health`)).text()).toBe('ok\n');
      const v = await TestViewer.connect(ws, ['image/png']);
      await v.waitForFrames(3, 10_000);
      expect(v.texts[0]).toMatchObject({ type: 'config', width: 320, height: 180 });
      expect(v.frames[0].header).toMatchObject({ type: 'image_frame', mime: 'image/png', width: 320, height: 180 });
      v.send({ type: 'event', event: { type: 'key_down', key: 'x', code: 'KeyX', modifiers: [], timestamp: 1 } });
      await new Promise((r) => setTimeout(r, 200));
      expect(await (await fetch(`${cli.url}recorded-events`)).json()).toEqual([{ type: 'key_down', key: 'x', code: 'KeyX', modifiers: [], timestamp: 1 }]);
      v.ws.terminate();
    } finally {
      await cli.stop();
    }
  });
});

describe('rfbcast demo', () => {
  it('serves the demo page and streams frames', async () => {
    const cli = await startCli(['demo', '--port', '0', '--size', '320x180']);
    try {
      const html = await (await fetch(cli.url)).text();
      expect(html).toMatch(/<title>rfbcast demo<\/title>/);
      const status = (await (await fetch(`${cli.url}api/status`)).json()) as { scenes: string[]; scene: string };
      expect(status.scenes).toEqual(['test_card', 'bouncing_box', 'gradient', 'plasma', 'checkerboard', 'paint']);
      const v = await TestViewer.connect(cli.url.replace(/^http/, 'ws'), ['image/png']);
      await v.waitForFrames(2, 10_000);
      v.ws.terminate();
    } finally {
      await cli.stop();
    }
  });
});
