/**
 * Decoding our output back with the system's ffmpeg/ffprobe (never with our own
 * code), plus PSNR, so tests check bitstreams and images independently. The
 * decoding and PSNR are the ones `rfbcast benchmark` measures with.
 */
import { spawnSync } from 'node:child_process';

import { run, withTempFile } from '../../src/cli/ffmpeg';

export { decodeToRaw, psnr, rgbaToRgb, withTempFile } from '../../src/cli/ffmpeg';

export interface ProbedFrame {
  pict_type: string;
  key_frame: number;
  width: number;
  height: number;
}

/** Per-frame picture types and sizes of an Annex B H.264 stream, via ffprobe. */
export function probeH264Frames(annexB: Uint8Array): ProbedFrame[] {
  return withTempFile('stream.h264', annexB, (path) => {
    const out = run('ffprobe', [
      '-v', 'error',
      '-f', 'h264',
      '-select_streams', 'v:0',
      '-show_frames',
      '-show_entries', 'frame=pict_type,key_frame,width,height',
      '-of', 'json',
      path,
    ]);
    return (JSON.parse(out.toString()) as { frames: ProbedFrame[] }).frames;
  });
}

export interface Mp4Probe {
  codec: string;
  width: number;
  height: number;
  /** Every sample's presentation time in µs, in file order, and whether it is a keyframe. */
  packets: Array<{ ptsUs: number; keyframe: boolean }>;
}

/** The video track of an MP4 file as ffprobe reads it: codec, size, and each sample's time. */
export function probeMp4(path: string): Mp4Probe {
  const out = run('ffprobe', [
    '-v', 'error',
    '-select_streams', 'v:0',
    '-show_entries', 'stream=codec_name,width,height,time_base',
    '-show_entries', 'packet=pts,flags',
    '-of', 'json',
    path,
  ]);
  const json = JSON.parse(out.toString()) as {
    streams: Array<{ codec_name: string; width: number; height: number; time_base: string }>;
    packets: Array<{ pts: number; flags: string }>;
  };
  const [s] = json.streams;
  const [num, den] = s.time_base.split('/').map(Number);
  return {
    codec: s.codec_name,
    width: s.width,
    height: s.height,
    packets: json.packets.map((p) => ({ ptsUs: (p.pts * num * 1e6) / den, keyframe: p.flags.startsWith('K') })),
  };
}

/**
 * Decodes every frame of a media file to tightly packed RGB with ffmpeg.
 * `stderr` is what ffmpeg reported at level error: empty for a clean decode.
 */
export function decodeFileToRgb(path: string, width: number, height: number): { frames: Uint8Array[]; stderr: string } {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ffmpeg could not decode ${path}: ${r.stderr.toString().slice(-2000)}`);
  const size = width * height * 3;
  const frames: Uint8Array[] = [];
  for (let at = 0; at + size <= r.stdout.length; at += size) frames.push(r.stdout.subarray(at, at + size));
  return { frames, stderr: r.stderr.toString() };
}
