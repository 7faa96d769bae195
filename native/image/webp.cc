#include "webp.h"

#include <new>
#include <stdexcept>
#include <string>

#ifdef RFB_HAVE_WEBP
#include <webp/encode.h>
#endif

namespace rfb {

#ifdef RFB_HAVE_WEBP

namespace {

// The fastest lossless preset: stills favour latency over a few bytes.
constexpr int kLosslessLevel = 0;

int appendBytes(const uint8_t* data, size_t size, const WebPPicture* picture) {
  auto* out = static_cast<std::vector<uint8_t>*>(picture->custom_ptr);
  try {
    out->insert(out->end(), data, data + size);
    return 1;
  } catch (const std::bad_alloc&) {
    return 0;
  }
}

// Frees the picture's planes on every path.
struct Picture {
  WebPPicture p;
  Picture() {
    if (!WebPPictureInit(&p)) throw std::runtime_error("libwebp version mismatch");
  }
  ~Picture() { WebPPictureFree(&p); }
  Picture(const Picture&) = delete;
  Picture& operator=(const Picture&) = delete;
};

WebPConfig configFor(const WebpSettings& s) {
  WebPConfig config;
  if (!WebPConfigInit(&config)) throw std::runtime_error("libwebp version mismatch");
  if (s.lossless) {
    WebPConfigLosslessPreset(&config, kLosslessLevel);
  } else {
    config.quality = static_cast<float>(s.quality);
    config.method = s.method;
  }
  if (!WebPValidateConfig(&config)) throw std::invalid_argument("invalid WebP settings");
  return config;
}

// The X importers skip the fourth byte, dropping alpha as JPEG does.
int import(WebPPicture* p, const HostImage& img) {
  switch (img.format) {
    case PixelFormat::RGBA: return WebPPictureImportRGBX(p, img.data, img.stride);
    case PixelFormat::BGRA: return WebPPictureImportBGRX(p, img.data, img.stride);
    case PixelFormat::RGB24: return WebPPictureImportRGB(p, img.data, img.stride);
    default:
      throw std::invalid_argument(std::string("WebP input must be packed RGB, got ") + pixelFormatName(img.format));
  }
}

}  // namespace

void encodeWebp(const HostImage& img, const WebpSettings& s, std::vector<uint8_t>& out) {
  if (img.width > WEBP_MAX_DIMENSION || img.height > WEBP_MAX_DIMENSION) {
    throw std::invalid_argument("WebP images are at most " + std::to_string(WEBP_MAX_DIMENSION) +
                                " pixels wide and high");
  }
  const WebPConfig config = configFor(s);
  Picture picture;
  picture.p.width = img.width;
  picture.p.height = img.height;
  picture.p.use_argb = config.lossless;
  if (!import(&picture.p, img)) throw std::bad_alloc();
  picture.p.writer = appendBytes;
  picture.p.custom_ptr = &out;
  if (!WebPEncode(&config, &picture.p)) {
    throw std::runtime_error("WebP encode failed (libwebp error " + std::to_string(picture.p.error_code) + ")");
  }
}

#else

void encodeWebp(const HostImage&, const WebpSettings&, std::vector<uint8_t>&) {
  throw std::runtime_error("built without libwebp: install libwebp-dev and rebuild");
}

#endif

}  // namespace rfb
