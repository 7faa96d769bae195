/**
 * Recordings across process ends, with the compiled rfbcast in a child
 * process: `rfbcast serve --record` finishes its file on SIGTERM, and a
 * recording killed with SIGKILL leaves a file that ffmpeg decodes up to its
 * last complete fragment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { RecordingMetrics } from 'rfbcast';

import { startCli } from './helpers/cli';
import { decodeFileToRgb, probeMp4, psnr, rgbaToRgb } from './helpers/ffmpeg';
import { until } from './helpers/viewer';
import { movingPattern } from '../src/scenes/patterns';

const W = 320;
const H = 180;
const FIXTURE = join(__dirname, 'fixtures', 'record-until-killed.js');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rfbcast-recording-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything `child` writes to stdout, and a promise of its first line. */
function stdoutOf(child: ChildProcess): { text: () => string; firstLine: Promise<string> } {
  let text = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`the child exited with ${code} before printing a line: ${text}`)));
  });
  // Only the crash test awaits the line; a child that exits after printing it is no failure elsewhere.
  firstLine.catch(() => undefined);
  return { text: () => text, firstLine };
}

describe('recordings and process ends', () => {
  it('a recording killed with SIGKILL is playable up to its last complete fragment', async () => {
    const path = join(dir, 'killed.mp4');
    const child = spawn(process.execPath, [FIXTURE, path, String(W), String(H), '3'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const m = JSON.parse(await stdoutOf(child).firstLine) as RecordingMetrics;
    child.kill('SIGKILL');
    await once(child, 'exit');
    // Three fragments on disk, and frames of a fourth that only lived in memory.
    expect(m.fragments).toBe(3);
    expect(m.frames).toBeGreaterThan(m.frames_on_disk);
    expect(statSync(path).size).toBe(m.bytes);

    const probe = probeMp4(path);
    expect(probe).toMatchObject({ codec: 'h264', width: W, height: H });
    expect(probe.packets).toHaveLength(m.frames_on_disk);
    const { frames, stderr } = decodeFileToRgb(path, W, H);
    expect(stderr).toBe('');
    expect(frames).toHaveLength(m.frames_on_disk);
    frames.forEach((f, i) => expect(psnr(f, rgbaToRgb(movingPattern(W, H, 2 * i)))).toBeGreaterThanOrEqual(38));
  });

  it('`rfbcast serve --record` finishes the file on SIGTERM', async () => {
    const path = join(dir, 'served.mp4');
    const cli = await startCli(['serve', '--pattern', 'gradient', '--port', '0', '--size', `${W}x${H}`, '--fps', '10', '--record', path, '--backend', 'libx264']);
    const out = stdoutOf(cli.child);
    // The first fragment is on disk once the second keyframe (frame 11 at 10 fps) has arrived.
    await until(() => existsSync(path) && readFileSync(path).includes('moof'), 20_000, 'the first fragment');
    const exited = once(cli.child, 'exit');
    cli.child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    const summary = /recorded (\d+) frames \(([\d.]+) s, (\d+) bytes\) to (\S+)/.exec(out.text());
    expect(summary).not.toBeNull();
    const [, frames, , bytes, file] = summary as RegExpExecArray;
    expect(file).toBe(path);
    expect(statSync(path).size).toBe(Number(bytes));
    const probe = probeMp4(path);
    expect(probe).toMatchObject({ codec: 'h264', width: W, height: H });
    expect(probe.packets).toHaveLength(Number(frames));
    expect(Number(frames)).toBeGreaterThan(10);
    const decoded = decodeFileToRgb(path, W, H);
    expect(decoded).toMatchObject({ stderr: '', frames: { length: Number(frames) } });
  });
});
