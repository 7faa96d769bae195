import { RfbcastError } from '../core/errors';

/** A recording cannot start (bad target or rendition) or failed while writing. */
export class RecordingError extends RfbcastError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_RFBCAST_RECORDING', message, options);
  }
}
