/**
 * Typed errors. Every error rfbcast throws on purpose is an `RfbcastError`
 * with a stable `code`, so callers can branch on the kind of failure rather
 * than on message text.
 */
/** The message of anything thrown: an Error's message, or the value as a string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The base of every error rfbcast throws on purpose. */
export class RfbcastError extends Error {
  /** A stable `ERR_RFBCAST_*` code for the kind of failure. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A frame (or a bare pixel buffer) does not match its declared geometry or format. */
export class FrameError extends RfbcastError {
  constructor(message: string) {
    super('ERR_RFBCAST_FRAME', message);
  }
}

/** A colour conversion was asked for a pair of formats or a geometry it cannot do. */
export class ConversionError extends RfbcastError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_RFBCAST_CONVERSION', message, options);
  }
}

/** The native addon could not be loaded, or lacks a feature. */
export class NativeAddonError extends RfbcastError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_RFBCAST_NATIVE', message, options);
  }
}

/** A backend name the registry does not know. */
export class UnknownBackendError extends RfbcastError {
  constructor(
    /** The name asked for. */
    readonly backend: string,
    known: readonly string[],
  ) {
    super('ERR_RFBCAST_UNKNOWN_BACKEND', `unknown backend '${backend}' (registered: ${known.join(', ') || 'none'})`);
  }
}

/** A second registration under a name already taken, without `replace`. */
export class DuplicateBackendError extends RfbcastError {
  constructor(
    /** The name already taken. */
    readonly backend: string,
  ) {
    super(
      'ERR_RFBCAST_DUPLICATE_BACKEND',
      `a backend named '${backend}' is already registered (pass { replace: true } to replace it)`,
    );
  }
}

/** A backend a selection passed over, and why. */
export interface SkippedBackend {
  /** The backend's name. */
  name: string;
  /** Why it was not chosen (its probe's reason, or a capability it lacks). */
  reason: string;
}

/** No backend satisfies a selection; `reasons` says why each candidate was refused. */
export class BackendUnavailableError extends RfbcastError {
  constructor(
    message: string,
    /** Each candidate refused, with its reason. */
    readonly reasons: readonly SkippedBackend[],
  ) {
    const detail = reasons.map((r) => `${r.name}: ${r.reason}`).join('; ');
    super('ERR_RFBCAST_BACKEND_UNAVAILABLE', detail ? `${message} (${detail})` : message);
  }
}

/** An encoder failed: the codec refused its settings or a frame. */
export class EncoderError extends RfbcastError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_RFBCAST_ENCODER', message, options);
  }
}

/** An encoder was used after `close()`. */
export class EncoderClosedError extends RfbcastError {
  constructor(what: string) {
    super('ERR_RFBCAST_ENCODER_CLOSED', `${what} is closed`);
  }
}

/** Invalid options given to a constructor or to serve(). */
export class ConfigError extends RfbcastError {
  constructor(message: string) {
    super('ERR_RFBCAST_CONFIG', message);
  }
}
