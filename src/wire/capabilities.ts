/** Capability ids a client advertises in `hello.supported` (PROTOCOL.md §7.1). */
export const CAP_H264 = 'webcodecs/h264-annexb';
export const CAP_JPEG = 'image/jpeg';
export const CAP_PNG = 'image/png';
export const CAP_WEBP = 'image/webp';

export type ImageMime = typeof CAP_JPEG | typeof CAP_PNG | typeof CAP_WEBP;
export type ImageMode = 'jpeg' | 'png' | 'webp';

export const IMAGE_MODES: readonly ImageMode[] = ['jpeg', 'png', 'webp'];

export const mimeOf = (mode: ImageMode): ImageMime => `image/${mode}` as ImageMime;

/** `config.codec` is this constant; each chunk's own header carries the real string (§5, §11.2). */
export const CONFIG_CODEC = 'avc1.42E01F';
