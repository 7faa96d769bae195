/**
 * A real nats-server on a free loopback port for a test, and relays as child
 * processes running the built `rfbcast relay` command.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';

import { startCli, type RunningCli } from './cli';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export interface NatsServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: clients see the connection drop) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/** Starts nats-server on a free loopback port (with `args`, e.g. `--user u --pass p`) and waits until it accepts connections. */
export async function startNats(args: string[] = []): Promise<NatsServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const nats: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), ...args], { stdio: 'ignore' });
      const deadline = Date.now() + 10_000;
      while (!(await accepts(port))) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`nats-server did not start on port ${port}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
  };
  await nats.start();
  return nats;
}

/** A relay process (`rfbcast relay --nats <url> --port 0`); its url is the http origin it serves. */
export function startRelay(natsUrl: string, name: string, extra: string[] = []): Promise<RunningCli> {
  return startCli(['relay', '--nats', natsUrl, '--port', '0', '--name', name, ...extra], { RFBCAST_LOG_LEVEL: 'warn' });
}
