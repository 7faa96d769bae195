/**
 * `rfbcast relay`: serves the streams an origin offers over NATS
 * (`rfbcast serve --nats ...`, or `serve(w, h, { nats })`) to viewers on
 * this machine, with the same viewer page and protocol.
 */
import type { NatsOptions } from '../relay/nats-link';
import { relay } from '../relay/relay';
import { untilSignal } from './serve-command';

export interface RelayCommandOptions {
  nats: NatsOptions;
  port: number;
  host: string;
  name?: string;
  token?: string;
  origins?: string[];
  maxViewers?: number;
}

export async function relayCommand(o: RelayCommandOptions): Promise<void> {
  const r = await relay({
    nats: o.nats,
    port: o.port,
    host: o.host,
    ...(o.name ? { name: o.name } : {}),
    ...(o.token ? { token: o.token } : {}),
    ...(o.origins ? { origins: o.origins } : {}),
    ...(o.maxViewers ? { maxViewers: o.maxViewers } : {}),
  });
  const page = r.url().replace(/^ws/, 'http').replace(/default$/, '');
  process.stdout.write(`rfbcast: relay ${r.id} serving at ${page} (status ${page}relay)\n`);
  await untilSignal();
  await r.close();
}
