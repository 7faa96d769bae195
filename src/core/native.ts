/**
 * Loads the native addon (build/Release/rfbcast.node via node-gyp-build) once
 * per process. Backends never load it themselves: they receive it, or their
 * own slice of it, through the container, so tests can inject fakes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { NativeAddonError } from './errors';

/** Which libraries the addon was built with (`rfbcast doctor` prints them). */
export interface NativeFeatures {
  x264: boolean;
  turbojpeg: boolean;
  webp: boolean;
  png: boolean;
  yuv: boolean;
  vtenc: boolean;
  metal: boolean;
}

/** The arguments of a conversion: source, its geometry, destination format and buffer, optional row range. */
export type ConvertArgs = [
  src: Uint8Array,
  format: string,
  width: number,
  height: number,
  stride: number,
  dstFormat: string,
  dst: Uint8Array,
  rowStart?: number,
  rowCount?: number,
];

/** The colour-conversion part of the addon; encoder modules declare their own parts. */
export interface NativeConvertBinding {
  /** Converts on the calling thread (small frames only). */
  convert(...args: ConvertArgs): void;
  /** Converts on a libuv pool thread. */
  convertAsync(...args: ConvertArgs): Promise<void>;
}

/** The native addon as loaded: conversion, features, and each encoder's own slice. */
export interface NativeAddon extends NativeConvertBinding {
  /** Which libraries it was built with. */
  features(): NativeFeatures;
  /** Native encoders currently alive (created and not yet closed), all kinds. */
  liveEncoders(): number;
  readonly [module: string]: unknown;
}

/** The folder holding rfbcast's package.json, from src/ (ts-jest) or dist/src/ alike. */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'binding.gyp'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new NativeAddonError(`cannot find the rfbcast package root above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** rfbcast's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

let loaded: { addon?: NativeAddon; error?: NativeAddonError } | undefined;

/** The addon, or a NativeAddonError saying why it cannot be loaded. */
export function loadNativeAddon(): NativeAddon {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const build = require('node-gyp-build') as (dir: string) => NativeAddon;
      loaded = { addon: build(packageRoot()) };
    } catch (cause) {
      const message = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
      loaded = {
        error: new NativeAddonError(
          `the rfbcast native addon is not built or cannot load (${message}): run 'npm run build'`,
          { cause },
        ),
      };
    }
  }
  if (loaded.error) throw loaded.error;
  return loaded.addon as NativeAddon;
}

/** The addon's build features, or all false when it cannot load. */
export function nativeFeatures(): NativeFeatures {
  try {
    return loadNativeAddon().features();
  } catch {
    return { x264: false, turbojpeg: false, webp: false, png: false, yuv: false, vtenc: false, metal: false };
  }
}
