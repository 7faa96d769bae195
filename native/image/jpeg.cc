#include "jpeg.h"

#include <climits>
#include <new>
#include <stdexcept>
#include <string>

#ifdef RFB_HAVE_TURBOJPEG
#include <turbojpeg.h>
#endif

namespace rfb {

#ifdef RFB_HAVE_TURBOJPEG

namespace {

// The X formats make TurboJPEG skip the fourth byte, so RGBA and BGRA frames
// are read in place, alpha dropped, without an intermediate copy.
int tjPixelFormat(PixelFormat f) {
  switch (f) {
    case PixelFormat::RGBA: return TJPF_RGBX;
    case PixelFormat::BGRA: return TJPF_BGRX;
    case PixelFormat::RGB24: return TJPF_RGB;
    default: throw std::invalid_argument(std::string("JPEG input must be packed RGB, got ") + pixelFormatName(f));
  }
}

int tjSubsampling(int s) {
  switch (s) {
    case 420: return TJSAMP_420;
    case 422: return TJSAMP_422;
    case 444: return TJSAMP_444;
    default: throw std::invalid_argument("JPEG chroma subsampling must be 420, 422 or 444, got " + std::to_string(s));
  }
}

}  // namespace

JpegCompressor::JpegCompressor() : handle_(tjInitCompress()) {
  if (!handle_) throw std::runtime_error(std::string("tjInitCompress failed: ") + tjGetErrorStr2(nullptr));
}

JpegCompressor::~JpegCompressor() {
  tjFree(buffer_);
  tjDestroy(handle_);
}

void JpegCompressor::compress(const HostImage& img, const JpegSettings& s, std::vector<uint8_t>& out) {
  const int samp = tjSubsampling(s.subsampling);
  const int pixelFormat = tjPixelFormat(img.format);
  // Sized for the worst case and grown only for larger frames, so TurboJPEG
  // never reallocates while compressing and no frame pays for a fresh buffer.
  const unsigned long need = tjBufSize(img.width, img.height, samp);
  if (need == static_cast<unsigned long>(-1)) throw std::invalid_argument(tjGetErrorStr2(handle_));
  // tjAlloc takes an int: a larger size would allocate less than TurboJPEG then writes.
  if (need > static_cast<unsigned long>(INT_MAX)) throw std::invalid_argument("JPEG output would exceed 2 GiB");
  if (need > capacity_) {
    tjFree(buffer_);
    capacity_ = 0;
    buffer_ = tjAlloc(static_cast<int>(need));
    if (!buffer_) throw std::bad_alloc();
    capacity_ = need;
  }
  unsigned long size = capacity_;
  // Both DCT flags are explicit: without either, TurboJPEG picks its own default.
  const int flags = TJFLAG_NOREALLOC | (s.fastDct ? TJFLAG_FASTDCT : TJFLAG_ACCURATEDCT);
  if (tjCompress2(handle_, img.data, img.width, img.stride, img.height, pixelFormat, &buffer_, &size, samp, s.quality,
                  flags) != 0) {
    throw std::runtime_error(std::string("JPEG encode failed: ") + tjGetErrorStr2(handle_));
  }
  out.insert(out.end(), buffer_, buffer_ + size);
}

#else

JpegCompressor::JpegCompressor() {
  throw std::runtime_error("built without libjpeg-turbo: install libturbojpeg0-dev and rebuild");
}
JpegCompressor::~JpegCompressor() {}
void JpegCompressor::compress(const HostImage&, const JpegSettings&, std::vector<uint8_t>&) {}

#endif

}  // namespace rfb
