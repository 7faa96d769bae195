/**
 * Which stream a WebSocket path reaches (PROTOCOL.md §1.2, §17 H5), and which
 * names a stream may have.
 */
const STREAM_NAME = /^[A-Za-z0-9._~-]{1,64}$/;

export function isValidStreamName(name: string): boolean {
  return STREAM_NAME.test(name) && name !== '.' && name !== '..';
}

/** Normalises a mount prefix to "/x/y" form ('' for none). */
export function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}` : '';
}

/**
 * The path below the mount prefix, or undefined when the path is not under it.
 * The query string is dropped first.
 */
export function underPrefix(url: string, prefix: string): string | undefined {
  const path = url.split('?')[0];
  if (!prefix) return path;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}

/** First segment of the path (leading and trailing slashes stripped), or `default`. */
export function streamNameOf(path: string): string {
  const first = path.replace(/^\/+|\/+$/g, '').split('/')[0];
  let name = first;
  try {
    name = decodeURIComponent(first);
  } catch {
    // An undecodable segment cannot name a stream; it is reported as given.
  }
  return name === '' ? 'default' : name;
}
