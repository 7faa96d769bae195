/**
 * Where a recording's files go. A path gets numbered siblings when the
 * stream's size or colour changes (out.mp4, out-2.mp4, out-3.mp4, ...): one
 * MP4 track holds one size and one colour description. A caller's Writable
 * holds exactly one file, so such a recording ends at a change.
 */
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { extname } from 'node:path';
import type { Writable } from 'node:stream';

import { messageOf } from '../core/errors';
import { RecordingError } from './errors';

export interface RecordingTarget {
  /** The file name of part `n` (1-based), for metrics and logs. */
  name(n: number): string;
  /** Opens part `n`; undefined when the target holds no further part. */
  open(n: number): Writable | undefined;
}

export function targetOf(target: string | Writable): RecordingTarget {
  return typeof target === 'string' ? pathTarget(target) : writableTarget(target);
}

function pathTarget(path: string): RecordingTarget {
  const ext = extname(path);
  const name = (n: number) => (n === 1 ? path : `${path.slice(0, path.length - ext.length)}-${n}${ext}`);
  return {
    name,
    open(n) {
      // Opened at once, so a bad path is the caller's error now rather than a failed recording later.
      let fd: number;
      try {
        fd = openSync(name(n), 'w');
      } catch (error) {
        throw new RecordingError(`cannot open recording file '${name(n)}': ${messageOf(error)}`, { cause: error });
      }
      try {
        return createWriteStream('', { fd });
      } catch (error) {
        closeSync(fd);
        throw error;
      }
    },
  };
}

function writableTarget(writable: Writable): RecordingTarget {
  if (typeof writable?.write !== 'function' || typeof writable.end !== 'function') {
    throw new RecordingError('record() takes a file path or a Writable stream');
  }
  return {
    name: () => '<writable>',
    open: (n) => (n === 1 ? writable : undefined),
  };
}
