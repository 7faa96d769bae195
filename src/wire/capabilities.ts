/** Capability ids a client advertises in `hello.supported` (PROTOCOL.md §7.1). */
export const CAP_H264 = 'webcodecs/h264-annexb';
/** JPEG images (§7.1). */
export const CAP_JPEG = 'image/jpeg';
/** PNG images (§7.1). */
export const CAP_PNG = 'image/png';
/** WebP images (§7.1). */
export const CAP_WEBP = 'image/webp';

/** The MIME type of an image frame. */
export type ImageMime = typeof CAP_JPEG | typeof CAP_PNG | typeof CAP_WEBP;
/** A stream's image mode (§7.2). */
export type ImageMode = 'jpeg' | 'png' | 'webp';

/** Every image mode. */
export const IMAGE_MODES: readonly ImageMode[] = ['jpeg', 'png', 'webp'];

/** The MIME type of a mode's images. */
export const mimeOf = (mode: ImageMode): ImageMime => `image/${mode}` as ImageMime;

/** `config.codec` is this constant; each chunk's own header carries the real string (§5, §11.2). */
export const CONFIG_CODEC = 'avc1.42E01F';
