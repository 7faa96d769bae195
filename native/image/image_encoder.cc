#include "image_encoder.h"

#include "../convert/convert.h"

namespace rfb {

std::vector<uint8_t> ImageLane::encode(const HostImage& src, const ImageSettings& s) {
  std::lock_guard<std::mutex> lock(mutex_);
  const HostImage img = isPackedRgb(src.format) ? src : toRgb24(src);
  std::vector<uint8_t> out;
  switch (s.codec) {
    case ImageCodec::Jpeg:
      if (!jpeg_) jpeg_ = std::make_unique<JpegCompressor>();
      jpeg_->compress(img, s.jpeg, out);
      break;
    case ImageCodec::Png:
      encodePng(img, s.png, out);
      break;
    case ImageCodec::Webp:
      encodeWebp(img, s.webp, out);
      break;
  }
  return out;
}

HostImage ImageLane::toRgb24(const HostImage& yuv) {
  HostImage rgb;
  rgb.format = PixelFormat::RGB24;
  rgb.width = yuv.width;
  rgb.height = yuv.height;
  rgb.stride = yuv.width * 3;
  rgb_.resize(static_cast<size_t>(rgb.stride) * rgb.height);
  convertImage(yuv, PixelFormat::RGB24, rgb_.data(), rgb_.size());
  rgb.data = rgb_.data();
  rgb.length = rgb_.size();
  return rgb;
}

}  // namespace rfb
