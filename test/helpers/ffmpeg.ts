/**
 * Decoding our output back with the system's ffmpeg/ffprobe (never with our own
 * code), plus PSNR, so tests check bitstreams and images independently. The
 * decoding and PSNR are the ones `rfbcast benchmark` measures with.
 */
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
