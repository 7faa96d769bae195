/**
 * Structured logging through pino, quiet by default: only warnings and errors
 * reach stderr unless RFBCAST_LOG_LEVEL (or an injected logger) says otherwise.
 * Logs go to stderr so commands that print JSON keep stdout clean.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

/** A pino logger writing JSON lines to stderr, at `level` or RFBCAST_LOG_LEVEL (default `warn`). */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  const level = options.level ?? process.env.RFBCAST_LOG_LEVEL ?? 'warn';
  return pino({ name: options.name ?? 'rfbcast', level }, pino.destination({ dest: 2, sync: true }));
}
