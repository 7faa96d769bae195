/**
 * Real H.264 from the system ffmpeg (libx264), and ffmpeg's own view of H.264
 * (trace_headers, framemd5, the mp4 demuxer's AVCC samples), so the bitstream
 * rewriting is checked against an independent implementation.
 */
import { spawnSync } from 'node:child_process';

import { NAL_IDR, NAL_SLICE, splitAnnexB } from '../../src/backends/h264';
import { withTempFile } from './ffmpeg';

function run(cmd: string, args: string[], input?: Uint8Array): { stdout: Buffer; stderr: string } {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString().slice(-2000)}`);
  return { stdout: r.stdout, stderr: r.stderr.toString() };
}

export interface X264Options {
  width: number;
  height: number;
  frames: number;
  profile?: 'baseline' | 'main' | 'high';
  /** Extra -x264-params, e.g. `keyint=4:nal-hrd=vbr`. */
  params?: string;
}

/** An Annex B stream from libx264 encoding ffmpeg's testsrc2 pattern. */
export function x264Stream(o: X264Options): Buffer {
  return run('ffmpeg', [
    '-v', 'error',
    '-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=30`,
    '-frames:v', String(o.frames),
    '-pix_fmt', 'yuv420p',
    '-c:v', 'libx264',
    '-profile:v', o.profile ?? 'baseline',
    ...(o.params ? ['-x264-params', o.params] : []),
    ...(o.profile === 'high' ? [] : ['-bf', '0']),
    '-f', 'h264', '-',
  ]).stdout;
}

/** Access units of a single-slice stream: each ends with its (only) slice NAL unit. */
export function accessUnits(annexB: Uint8Array): Uint8Array[][] {
  const units: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  for (const nal of splitAnnexB(annexB)) {
    current.push(nal.data);
    if (nal.type === NAL_SLICE || nal.type === NAL_IDR) {
      units.push(current);
      current = [];
    }
  }
  return units;
}

const START = Uint8Array.of(0, 0, 0, 1);

export function annexB(nals: readonly Uint8Array[]): Buffer {
  return Buffer.concat(nals.flatMap((n) => [START, n]));
}

export interface TracedUnit {
  kind: string;
  fields: Array<[string, number]>;
  /** Bit position of each field's first occurrence (RBSP bits from the NAL header). */
  at: Record<string, number>;
}

/** Every parameter set and slice header as ffmpeg's trace_headers parses it. */
export function traceHeaders(stream: Uint8Array): TracedUnit[] {
  const { stderr } = withTempFile('trace.h264', stream, (path) =>
    run('ffmpeg', ['-hide_banner', '-loglevel', 'info', '-f', 'h264', '-i', path, '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-']),
  );
  const units: TracedUnit[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^\[trace_headers @ [^\]]+\] (.*)$/.exec(line);
    if (!m) continue;
    const field = /^(\d+)\s+(\S+)\s+[01]+ = (-?\d+)$/.exec(m[1].trim());
    const unit = units[units.length - 1];
    if (field && unit) {
      unit.fields.push([field[2], Number(field[3])]);
      unit.at[field[2]] ??= Number(field[1]);
    } else if (!field && !m[1].startsWith('Packet:')) {
      units.push({ kind: m[1].trim(), fields: [], at: {} });
    }
  }
  return units;
}

/** The SPS fields of the first SPS in a stream (first occurrence of each name). */
export function spsFields(stream: Uint8Array): Record<string, number> {
  const sps = traceHeaders(stream).find((u) => u.kind === 'Sequence Parameter Set');
  if (!sps) throw new Error('no SPS in stream');
  const out: Record<string, number> = {};
  for (const [name, value] of sps.fields) if (!(name in out)) out[name] = value;
  return out;
}

/** One MD5 per decoded frame, from ffmpeg's decoder. */
export function frameMd5s(stream: Uint8Array): string[] {
  const { stdout } = withTempFile('md5.h264', stream, (path) =>
    run('ffmpeg', ['-v', 'error', '-f', 'h264', '-i', path, '-f', 'framemd5', '-']),
  );
  return stdout
    .toString()
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').pop()!.trim());
}

export interface Mp4Samples {
  /** Length-prefixed NAL units per sample, as the mp4 demuxer returns them. */
  samples: Array<{ data: Buffer; key: boolean }>;
  nalLengthSize: number;
  sps: Buffer;
  pps: Buffer;
}

function hexDump(dump: string): Buffer {
  const hex = dump
    .split('\n')
    .filter((l) => /^[0-9a-f]{8}: /.test(l))
    .map((l) => l.slice(10, 49).replace(/ /g, ''))
    .join('');
  return Buffer.from(hex, 'hex');
}

/** Remuxes an Annex B stream into mp4 with ffmpeg and reads back its AVCC samples and avcC record. */
export function mp4Samples(stream: Uint8Array): Mp4Samples {
  return withTempFile('in.h264', stream, (input) => {
    const mp4 = input.replace(/\.h264$/, '.mp4');
    run('ffmpeg', ['-v', 'error', '-f', 'h264', '-i', input, '-c', 'copy', mp4]);
    const probe = (what: string) =>
      JSON.parse(run('ffprobe', ['-v', 'error', what, '-show_data', '-of', 'json', mp4]).stdout.toString());
    const packets = probe('-show_packets').packets as Array<{ data: string; flags: string }>;
    const avcc = hexDump((probe('-show_streams').streams as Array<{ extradata: string }>)[0].extradata);
    // avcC: version, profile, compat, level, 0xFC|lengthSizeMinusOne, 0xE0|numSps, (u16 len, sps)..., numPps, (u16 len, pps)...
    const spsLength = avcc.readUInt16BE(6);
    const sps = avcc.subarray(8, 8 + spsLength);
    const ppsAt = 8 + spsLength + 1;
    const pps = avcc.subarray(ppsAt + 2, ppsAt + 2 + avcc.readUInt16BE(ppsAt));
    return {
      samples: packets.map((p) => ({ data: hexDump(p.data), key: p.flags.startsWith('K') })),
      nalLengthSize: (avcc[4] & 3) + 1,
      sps,
      pps,
    };
  });
}
