/** Errors raised by the server API. */
import { RfbcastError } from '../core/errors';

/** A display was used after close(). */
export class DisplayClosedError extends RfbcastError {
  constructor(name: string) {
    super('ERR_RFBCAST_CLOSED', `display '${name}' is closed`);
  }
}

/** A live switch that cannot apply (unknown or unavailable backend, or not advertised by the viewer). */
export class SwitchError extends RfbcastError {
  constructor(message: string) {
    super('ERR_RFBCAST_SWITCH', message);
  }
}

/** No viewer has the id given (it may have left). */
export class UnknownViewerError extends RfbcastError {
  constructor(id: string) {
    super('ERR_RFBCAST_UNKNOWN_VIEWER', `no viewer with id '${id}'`);
  }
}

/** The port a hub was asked to listen on is taken by another server. */
export class PortInUseError extends RfbcastError {
  constructor(
    /** The address asked for. */
    readonly host: string,
    /** The port asked for. */
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(
      'ERR_RFBCAST_PORT_IN_USE',
      `port ${port} on ${host} is already in use: stop the other server, pass another port, ` +
        `or pass { port: 0 } to take a free one (display.url then says which)`,
      options,
    );
  }
}
