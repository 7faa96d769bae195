#!/usr/bin/env node
/**
 * The rfbcast command: doctor, benchmark, demo, serve. `--help` on each.
 */
import 'reflect-metadata';

import { Command, Option } from 'commander';

import '../index';
import { benchmark, PSNR_METHOD, TIMING_METHOD } from './benchmark';
import { demoCommand } from './demo-command';
import { messageOf } from '../core/errors';
import { doctor, formatDoctor } from './doctor';
import type { NatsOptions } from '../relay/nats-link';
import { relayCommand } from './relay-command';
import { serveCommand } from './serve-command';
import { parseBitrate, parsePort, parsePositiveInt, parseSize, parseSizes } from './sizes';
import { PATTERN_NAMES } from '../scenes/patterns';
import { packageVersion } from '../core/native';

/** Help epilogues are prose; commander wraps options but not added text. */
const wrap = (text: string, width = 80) => text.replace(new RegExp(`(.{1,${width}})(\\s+|$)`, 'g'), '$1\n').trimEnd();

const program = new Command();
program
  .name('rfbcast')
  .description('Render frames in Node.js, view and drive them live in a browser.\nRFBCAST_LOG_LEVEL=debug|info|warn|error|silent sets the log level (default warn; logs go to stderr).')
  .version(packageVersion())
  .showHelpAfterError();

program
  .command('doctor')
  .description('show the platform, the native addon build features, every backend with its status and reason, and the recommendation order')
  .option('--json', 'print JSON')
  .action(async (o: { json?: boolean }) => {
    const report = await doctor();
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctor(report)}\n`);
  });

program
  .command('benchmark')
  .description('encode the same animated frames with every backend and report time, size, bitrate and PSNR')
  .addOption(new Option('--sizes <list>', 'comma-separated sizes').argParser(parseSizes).default([[1280, 720], [1920, 1080]], '1280x720,1920x1080'))
  .option('--frames <n>', 'frames per size and backend', parsePositiveInt, 120)
  .option('--fps <n>', 'frame rate for bitrate and GOP', parsePositiveInt, 30)
  .addOption(new Option('--bitrate <rate>', 'H.264 target bitrate, e.g. 8M or 800k').argParser(parseBitrate).default(8_000_000, '8M'))
  .addOption(new Option('--pattern <name>', 'test pattern').choices(PATTERN_NAMES).default('gradient'))
  .option('--jpeg-quality <q>', 'JPEG quality 1-100', parsePositiveInt, 80)
  .option('--backends <list>', 'comma-separated: libx264, vtenc, vtenc:metal, image:jpeg, image:png, image:webp (default: all available)', (v: string) => v.split(','))
  .option('--json', 'print JSON')
  .addHelpText('after', `\n${wrap(`Timing: ${TIMING_METHOD}`)}\n\n${wrap(`PSNR: ${PSNR_METHOD}`)}`)
  .action(async (o: { sizes: Array<[number, number]>; frames: number; fps: number; bitrate: number; pattern: string; jpegQuality: number; backends?: string[]; json?: boolean }) => {
    const rows = await benchmark({ ...o, progress: true });
    if (o.json) {
      const report = { command: 'benchmark', pattern: o.pattern, fps: o.fps, bitrate: o.bitrate, timing: TIMING_METHOD, psnr: PSNR_METHOD, rows };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${'size'.padEnd(10)} ${'backend'.padEnd(12)} ${'median ms'.padStart(9)} ${'p95 ms'.padStart(8)} ${'KB/frame'.padStart(9)} ${'Mbit/s'.padStart(8)} ${'PSNR dB'.padStart(8)}\n`);
    for (const r of rows) {
      process.stdout.write(
        `${r.size.padEnd(10)} ${r.backend.padEnd(12)} ${r.encodeMsMedian.toFixed(2).padStart(9)} ${r.encodeMsP95.toFixed(2).padStart(8)} ${r.kbPerFrame.toFixed(1).padStart(9)} ${r.mbps.toFixed(2).padStart(8)} ${(r.psnrDb === null ? 'n/a' : r.psnrDb.toFixed(2)).padStart(8)}\n`,
      );
    }
  });

program
  .command('demo')
  .description('serve built-in scenes with a demo page to switch scene, backend, bitrate, fps and size live')
  .option('--port <n>', 'port (0 picks a free one)', parsePort, 8765)
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .addOption(new Option('--size <WxH>', 'initial size').argParser(parseSize).default([960, 540], '960x540'))
  .option('--fps <n>', 'frame rate', parsePositiveInt, 30)
  .option('--open', 'open the page in a browser')
  .addHelpText(
    'after',
    `\n${wrap(
      'Scenes: test_card, bouncing_box, gradient, plasma, checkerboard, paint (drag to paint, any key clears) and, on a Mac ' +
        'with Metal, metal_shader (rendered on the GPU). The page is served at /, the state as JSON at /api/status. ' +
        '`npm run demo` runs this command.',
    )}`,
  )
  .action((o: { port: number; host: string; size: [number, number]; fps: number; open?: boolean }) => demoCommand({ ...o, open: o.open ?? false }));

program
  .command('serve')
  .description('a headless test-pattern server for integration tests and third-party clients')
  .addOption(new Option('--pattern <name>', 'test pattern').choices(PATTERN_NAMES).default('test_card'))
  .option('--port <n>', 'port (0 picks a free one)', parsePort, 8765)
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .addOption(new Option('--size <WxH>', 'frame size').argParser(parseSize).default([1280, 720], '1280x720'))
  .option('--fps <n>', 'frame rate', parsePositiveInt, 30)
  .option('--record-events', 'keep input events for GET /recorded-events')
  .option('--gpu', 'require a hardware H.264 encoder')
  .option('--backend <name>', 'the H.264 backend')
  .option('--record <file>', 'record the stream to a fragmented MP4 file, finished on SIGINT/SIGTERM (a new numbered file at each size change)')
  .action(
    (o: NatsFlags & { pattern: string; port: number; host: string; size: [number, number]; fps: number; recordEvents?: boolean; gpu?: boolean; backend?: string; record?: string }) =>
      serveCommand({ ...o, recordEvents: o.recordEvents ?? false, gpu: o.gpu ?? false, nats: natsOf(o) }),
  );

/** The NATS options every command that talks to relays shares. */
function natsOptions(command: Command): Command {
  return command
    .option('--nats <url>', 'NATS server URL, e.g. nats://127.0.0.1:4222')
    .option('--nats-prefix <prefix>', 'subject prefix shared by the origin and its relays', 'rfbcast')
    .option('--nats-user <user>', 'NATS user (with --nats-pass)')
    .option('--nats-pass <pass>', 'NATS password')
    .option('--nats-token <token>', 'NATS token')
    .option('--nats-creds <file>', 'NATS .creds file')
    .option('--nats-ca <file>', 'CA for a TLS connection to NATS')
    .option('--nats-cert <file>', 'client certificate for NATS TLS')
    .option('--nats-key <file>', 'client key for NATS TLS');
}

interface NatsFlags {
  nats?: string;
  natsPrefix: string;
  natsUser?: string;
  natsPass?: string;
  natsToken?: string;
  natsCreds?: string;
  natsCa?: string;
  natsCert?: string;
  natsKey?: string;
}

function natsOf(o: NatsFlags): NatsOptions | undefined {
  if (!o.nats) return undefined;
  const tls = o.natsCa || o.natsCert || o.natsKey ? { caFile: o.natsCa, certFile: o.natsCert, keyFile: o.natsKey } : undefined;
  return {
    servers: o.nats,
    prefix: o.natsPrefix,
    ...(o.natsUser !== undefined ? { user: o.natsUser, pass: o.natsPass } : {}),
    ...(o.natsToken !== undefined ? { token: o.natsToken } : {}),
    ...(o.natsCreds !== undefined ? { creds: o.natsCreds } : {}),
    ...(tls ? { tls } : {}),
  };
}

for (const c of program.commands.filter((c) => c.name() === 'serve')) natsOptions(c);

natsOptions(
  program
    .command('relay')
    .description('serve the streams an origin offers over NATS (rfbcast serve --nats) to viewers here; it never encodes')
    .option('--port <n>', 'port (0 picks a free one)', parsePort, 8765)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--name <id>', "the relay's identity in the origin's input events")
    .option('--token <token>', 'viewers must present this token')
    .option('--origins <list>', 'allowed Origin headers, comma-separated', (v: string) => v.split(','))
    .option('--max-viewers <n>', 'viewers per stream', parsePositiveInt),
).action((o: NatsFlags & { port: number; host: string; name?: string; token?: string; origins?: string[]; maxViewers?: number }) => {
  const nats = natsOf(o);
  if (!nats) throw new Error('relay needs --nats <url>');
  return relayCommand({ ...o, nats });
});

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`rfbcast: ${messageOf(error)}\n`);
  process.exit(1);
});
