/**
 * The image backend's modes: the MIME type each produces, the native library
 * behind it, and how to recognise its files (for the probe).
 */
import type { NativeFeatures } from '../../core/native';

/** The image backend's modes. */
export type ImageMode = 'jpeg' | 'png' | 'webp';
/** The MIME type of each mode's files. */
export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp';

interface ModeSpec {
  readonly mime: ImageMime;
  /** The addon feature flag set when the library was compiled in. */
  readonly feature: keyof NativeFeatures;
  readonly library: string;
  /** The Debian/Ubuntu package providing the library's headers. */
  readonly devPackage: string;
  /** Whether `bytes` start like a file of this type. */
  isFile(bytes: Uint8Array): boolean;
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

export const MODE_SPECS: Readonly<Record<ImageMode, ModeSpec>> = Object.freeze({
  jpeg: {
    mime: 'image/jpeg',
    feature: 'turbojpeg',
    library: 'libjpeg-turbo',
    devPackage: 'libturbojpeg0-dev',
    isFile: (b: Uint8Array) => startsWith(b, [0xff, 0xd8, 0xff]),
  },
  png: {
    mime: 'image/png',
    feature: 'png',
    library: 'libpng',
    devPackage: 'libpng-dev',
    isFile: (b: Uint8Array) => startsWith(b, [0x89, ...ascii('PNG\r\n\x1a\n')]),
  },
  webp: {
    mime: 'image/webp',
    feature: 'webp',
    library: 'libwebp',
    devPackage: 'libwebp-dev',
    isFile: (b: Uint8Array) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8),
  },
});

/** Every image mode, in preference order. */
export const IMAGE_MODE_NAMES: readonly ImageMode[] = Object.freeze(['jpeg', 'png', 'webp']);
/** Every image MIME type, in the same order. */
export const IMAGE_MIMES: readonly ImageMime[] = Object.freeze(IMAGE_MODE_NAMES.map((m) => MODE_SPECS[m].mime));

export function modeOfMime(mime: ImageMime): ImageMode {
  return IMAGE_MODE_NAMES.find((m) => MODE_SPECS[m].mime === mime) as ImageMode;
}

/** Why a mode is unavailable in an addon built without its library. */
export function builtWithout(mode: ImageMode): string {
  const { library, devPackage } = MODE_SPECS[mode];
  return `built without ${library}: install ${devPackage} and rebuild`;
}
