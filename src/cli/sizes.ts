/** Parsing of the CLI's size and bitrate arguments. */
import { InvalidArgumentError } from 'commander';

export function parseSize(text: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`'${text}' is not a size like 1280x720`);
  const size: [number, number] = [Number(m[1]), Number(m[2])];
  if (size.some((v) => v < 2 || v > 16384)) throw new InvalidArgumentError(`'${text}' is out of range (2..16384 per side)`);
  return size;
}

export function parseSizes(text: string): Array<[number, number]> {
  return text.split(',').map(parseSize);
}

/** 8M, 2.5M, 800k or a plain number of bits per second. */
export function parseBitrate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`'${text}' is not a bitrate like 8M or 800k`);
  const scale = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[m[2]] as number;
  return Math.round(Number(m[1]) * scale);
}

export function parsePositiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${text}' is not a positive integer`);
  return n;
}

export function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`'${text}' is not a port (0-65535)`);
  return n;
}
