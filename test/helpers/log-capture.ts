/** A pino logger whose records land in an array, for asserting on what was logged. */
import pino from 'pino';

import type { Logger } from 'rfbcast';

export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export function captureLogger(level = 'info'): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino({ level }, { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) });
  return { logger, records };
}
