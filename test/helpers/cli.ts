/** Running the built `rfbcast` command as a user would. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

import { distFile } from './dist';

const cli = () => distFile('src', 'cli', 'main.js');

export function runCli(args: string[], timeoutMs = 120_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli(), ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, RFBCAST_LOG_LEVEL: 'warn' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface RunningCli {
  child: ChildProcess;
  /** The first http(s) URL the command printed. */
  url: string;
  /** Everything written to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts a long-running command and waits until it prints a URL. `env` is added to this process's environment. */
export function startCli(args: string[], env: Record<string, string> = {}): Promise<RunningCli> {
  const child = spawn(process.execPath, [cli(), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // A command that never printed its URL is nobody's to stop: end it here.
      child.kill('SIGKILL');
      reject(new Error(`no URL from rfbcast ${args.join(' ')}: ${out}${err}`));
    }, 20_000);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /https?:\/\/[^\s)]+/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child,
        url: m[0],
        stderr: () => err,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rfbcast ${args.join(' ')} exited with ${code}: ${out}${err}`));
    });
  });
}
