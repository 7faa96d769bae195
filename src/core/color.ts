/**
 * Colour descriptors (PROTOCOL.md §13.1). rfbcast tags frames and never
 * converts between colour spaces; the descriptor travels to the viewer and,
 * for H.264, into the VUI colour description.
 */
export type ColorPrimaries = 'bt709' | 'display-p3' | 'bt2020';
/** Transfer function (§13.1). */
export type ColorTransfer = 'srgb' | 'bt709' | 'pq' | 'hlg' | 'linear';
/** The YUV matrix, or `rgb` for RGB pixels (§13.1). */
export type ColorMatrix = 'rgb' | 'bt709' | 'bt2020-ncl';

/** All keys are sent when set; a partial descriptor is passed through as given. */
export interface ColorDescriptor {
  /** Colour primaries. */
  primaries?: ColorPrimaries;
  /** Transfer function. */
  transfer?: ColorTransfer;
  /** YUV matrix, or `rgb`. */
  matrix?: ColorMatrix;
  /** Whether the values use the full 0..255 range. */
  full_range?: boolean;
  /** Bits per component. */
  bit_depth?: number;
}

/** sRGB, 8-bit full-range RGB: what a frame without a descriptor is taken to be. */
export const SRGB: Readonly<ColorDescriptor> = Object.freeze({
  primaries: 'bt709',
  transfer: 'srgb',
  matrix: 'rgb',
  full_range: true,
  bit_depth: 8,
});

/** Display P3 with the sRGB transfer, as macOS renders by default. */
export const DISPLAY_P3: Readonly<ColorDescriptor> = Object.freeze({
  primaries: 'display-p3',
  transfer: 'srgb',
  matrix: 'bt709',
  full_range: true,
  bit_depth: 8,
});

const KEY_ORDER = ['primaries', 'transfer', 'matrix', 'full_range', 'bit_depth'] as const;

/** VUI codes (§13.3) of each primaries and transfer value: also the lists of valid values. */
const PRIMARIES_CODE: Record<ColorPrimaries, number> = { bt709: 1, 'display-p3': 12, bt2020: 9 };
const TRANSFER_CODE: Record<ColorTransfer, number> = { srgb: 13, bt709: 1, linear: 8, pq: 16, hlg: 18 };
const MATRIX: Record<ColorMatrix, true> = { rgb: true, bt709: true, 'bt2020-ncl': true };
const ALLOWED: Record<'primaries' | 'transfer' | 'matrix', readonly string[]> = {
  primaries: Object.keys(PRIMARIES_CODE),
  transfer: Object.keys(TRANSFER_CODE),
  matrix: Object.keys(MATRIX),
};

/** What is wrong with `color` as a colour descriptor, or undefined when nothing is. */
export function colorProblem(color: unknown): string | undefined {
  if (color === null || typeof color !== 'object' || Array.isArray(color)) return 'must be a colour descriptor object';
  const c = color as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!(KEY_ORDER as readonly string[]).includes(key)) return `has an unknown key '${key}' (expected ${KEY_ORDER.join(', ')})`;
  }
  for (const [key, allowed] of Object.entries(ALLOWED)) {
    if (c[key] !== undefined && !allowed.includes(c[key] as string)) return `${key} must be one of ${allowed.join(', ')}, got ${String(c[key])}`;
  }
  if (c.full_range !== undefined && typeof c.full_range !== 'boolean') return `full_range must be a boolean, got ${String(c.full_range)}`;
  if (c.bit_depth !== undefined && !(Number.isInteger(c.bit_depth) && (c.bit_depth as number) >= 1 && (c.bit_depth as number) <= 16)) {
    return `bit_depth must be an integer from 1 to 16, got ${String(c.bit_depth)}`;
  }
  return undefined;
}

/** The descriptor with its keys in wire order (§13.1); unknown keys are dropped. */
export function orderedColor(color: ColorDescriptor): ColorDescriptor {
  const out: Record<string, unknown> = {};
  for (const key of KEY_ORDER) if (color[key] !== undefined) out[key] = color[key];
  return out as ColorDescriptor;
}

/** A string equal for equal descriptors whatever their key order ('' for none). */
export function colorKey(color: ColorDescriptor | undefined): string {
  return color ? JSON.stringify(orderedColor(color)) : '';
}

/** VUI codes written by H.264 backends (§13.3); the matrix is always 6 (BT.601). */
export interface VuiColor {
  primaries: number;
  transfer: number;
  matrix: 6;
  fullRange: false;
}


/** VUI colour description for a descriptor, or undefined when there is none to write. */
export function vuiColor(color: ColorDescriptor | undefined): VuiColor | undefined {
  if (!color) return undefined;
  return {
    primaries: PRIMARIES_CODE[color.primaries ?? 'bt709'] ?? 1,
    transfer: TRANSFER_CODE[color.transfer ?? 'srgb'] ?? 13,
    matrix: 6,
    fullRange: false,
  };
}
