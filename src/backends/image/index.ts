export { ImageBackend, type ImageBackendOptions } from './backend';
export { ImageEncoder } from './encoder';
export { IMAGE_MIMES, IMAGE_MODE_NAMES, type ImageMime, type ImageMode } from './modes';
export { IMAGE_DEFAULTS, type ChromaSubsampling, type ImageEncoderOptions, type PngFilter } from './settings';
