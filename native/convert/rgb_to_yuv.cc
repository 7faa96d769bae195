#include "rgb_to_yuv.h"

#include <cstddef>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace rfb {
namespace {

// 8-bit fixed-point BT.601 coefficients (x256), the same ones the Metal kernel
// uses. Every intermediate fits an unsigned 16-bit lane: the biases keep the
// true sums in [0, 65535], so wrap-around multiply/adds are exact. That lets the
// compiler vectorise the loops in 16-bit lanes.
constexpr uint16_t kYR = 66, kYG = 129, kYB = 25, kYBias = 16 * 256 + 128;
constexpr uint16_t kUR = 38, kUG = 74, kUB = 112;
constexpr uint16_t kVR = 112, kVG = 94, kVB = 18, kUVBias = 128 * 256 + 128;

template <int R, int G, int B, int BPP>
inline void lumaRow(const uint8_t* __restrict s, uint8_t* __restrict y, int width) {
  for (int x = 0; x < width; ++x) {
    const uint16_t r = s[x * BPP + R], g = s[x * BPP + G], b = s[x * BPP + B];
    y[x] = static_cast<uint8_t>(static_cast<uint16_t>(kYR * r + kYG * g + kYB * b + kYBias) >> 8);
  }
}

#if defined(__x86_64__)
// Luma of 32 four-byte pixels per iteration, as libyuv does it: bias the
// pixels to signed bytes so pmaddubsw can take the full 8-bit unsigned
// coefficients (66, 129, 25) and the result stays exact.
template <int R, int G, int B>
__attribute__((target("avx2"))) void lumaRowAvx2(const uint8_t* __restrict s, uint8_t* __restrict y, int width) {
  alignas(4) uint8_t coef[4] = {0, 0, 0, 0};
  coef[R] = kYR;
  coef[G] = kYG;
  coef[B] = kYB;
  int32_t packed;
  __builtin_memcpy(&packed, coef, 4);
  const __m256i kCoef = _mm256_set1_epi32(packed);
  const __m256i kSign = _mm256_set1_epi8(static_cast<char>(0x80));
  // Undo the -128 bias of the three weighted channels, plus the +16.5 offset.
  const __m256i kBias = _mm256_set1_epi16(static_cast<short>(kYBias + 128 * (kYR + kYG + kYB)));
  const __m256i kOrder = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  int x = 0;
  for (; x + 32 <= width; x += 32) {
    const __m256i* p = reinterpret_cast<const __m256i*>(s + x * 4);
    const __m256i a = _mm256_maddubs_epi16(kCoef, _mm256_sub_epi8(_mm256_loadu_si256(p + 0), kSign));
    const __m256i b = _mm256_maddubs_epi16(kCoef, _mm256_sub_epi8(_mm256_loadu_si256(p + 1), kSign));
    const __m256i c = _mm256_maddubs_epi16(kCoef, _mm256_sub_epi8(_mm256_loadu_si256(p + 2), kSign));
    const __m256i d = _mm256_maddubs_epi16(kCoef, _mm256_sub_epi8(_mm256_loadu_si256(p + 3), kSign));
    const __m256i ab = _mm256_srli_epi16(_mm256_add_epi16(_mm256_hadd_epi16(a, b), kBias), 8);
    const __m256i cd = _mm256_srli_epi16(_mm256_add_epi16(_mm256_hadd_epi16(c, d), kBias), 8);
    const __m256i out = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(ab, cd), kOrder);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + x), out);
  }
  lumaRow<R, G, B, 4>(s + x * 4, y + x, width - x);
}
#endif

template <int R, int G, int B, int BPP>
inline void chromaRow(const uint8_t* __restrict s, uint8_t* __restrict u, uint8_t* __restrict v, int pairs,
                      int step) {
  for (int x = 0; x < pairs; ++x) {
    const uint8_t* p = s + x * 2 * BPP;
    const uint16_t r = p[R], g = p[G], b = p[B];
    u[x * step] = static_cast<uint8_t>(static_cast<uint16_t>(kUB * b + kUVBias - kUR * r - kUG * g) >> 8);
    v[x * step] = static_cast<uint8_t>(static_cast<uint16_t>(kVR * r + kUVBias - kVG * g - kVB * b) >> 8);
  }
}

#if defined(__x86_64__)
template <int R, int G, int B>
__attribute__((target("avx2"))) __m256i chromaCoefficients(int r, int g, int b) {
  alignas(4) int8_t coef[4] = {0, 0, 0, 0};
  coef[R] = static_cast<int8_t>(r);
  coef[G] = static_cast<int8_t>(g);
  coef[B] = static_cast<int8_t>(b);
  int32_t packed;
  __builtin_memcpy(&packed, coef, 4);
  return _mm256_set1_epi32(packed);
}

// Chroma of the even pixels of a row, 16 per iteration. The chroma weights fit
// signed bytes, so pmaddubsw takes the pixels unsigned; each pixel's sum fits
// a signed 16-bit lane, and adding the bias as unsigned wraps to the exact value.
template <int R, int G, int B>
__attribute__((target("avx2"))) void chromaRowAvx2(const uint8_t* __restrict s, uint8_t* __restrict u,
                                                   uint8_t* __restrict v, int pairs, bool interleaved) {
  const __m256i kU = chromaCoefficients<R, G, B>(-kUR, -kUG, kUB);
  const __m256i kV = chromaCoefficients<R, G, B>(kVR, -kVG, -kVB);
  const __m256i kBias = _mm256_set1_epi16(static_cast<short>(kUVBias));
  const __m256i kEven = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
  const __m256i kOrder = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  int x = 0;
  for (; x + 16 <= pairs; x += 16) {
    const __m256i* p = reinterpret_cast<const __m256i*>(s + x * 8);
    const __m256i e0 = _mm256_blend_epi32(_mm256_permutevar8x32_epi32(_mm256_loadu_si256(p + 0), kEven),
                                          _mm256_permutevar8x32_epi32(_mm256_loadu_si256(p + 1), kEven), 0xF0);
    const __m256i e1 = _mm256_blend_epi32(_mm256_permutevar8x32_epi32(_mm256_loadu_si256(p + 2), kEven),
                                          _mm256_permutevar8x32_epi32(_mm256_loadu_si256(p + 3), kEven), 0xF0);
    const __m256i hu = _mm256_srli_epi16(
        _mm256_add_epi16(_mm256_hadd_epi16(_mm256_maddubs_epi16(e0, kU), _mm256_maddubs_epi16(e1, kU)), kBias), 8);
    const __m256i hv = _mm256_srli_epi16(
        _mm256_add_epi16(_mm256_hadd_epi16(_mm256_maddubs_epi16(e0, kV), _mm256_maddubs_epi16(e1, kV)), kBias), 8);
    if (interleaved) {
      const __m256i uv = _mm256_or_si256(hu, _mm256_slli_epi16(hv, 8));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(u + x * 2), _mm256_permute4x64_epi64(uv, 0xD8));
    } else {
      const __m256i both = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(hu, hv), kOrder);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(u + x), _mm256_castsi256_si128(both));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(v + x), _mm256_extracti128_si256(both, 1));
    }
  }
  if (interleaved) {
    chromaRow<R, G, B, 4>(s + x * 8, u + x * 2, u + x * 2 + 1, pairs - x, 2);
  } else {
    chromaRow<R, G, B, 4>(s + x * 8, u + x, v + x, pairs - x, 1);
  }
}
#endif


using LumaRowFn = void (*)(const uint8_t*, uint8_t*, int);
using ChromaRowFn = void (*)(const uint8_t*, uint8_t*, uint8_t*, int, bool);

template <int R, int G, int B, int BPP>
void chromaRowPortable(const uint8_t* s, uint8_t* u, uint8_t* v, int pairs, bool interleaved) {
  if (interleaved) {
    chromaRow<R, G, B, BPP>(s, u, u + 1, pairs, 2);
  } else {
    chromaRow<R, G, B, BPP>(s, u, v, pairs, 1);
  }
}

template <int R, int G, int B, int BPP>
ChromaRowFn pickChromaRow() {
#if defined(__x86_64__)
  if (BPP == 4 && __builtin_cpu_supports("avx2")) return chromaRowAvx2<R, G, B>;
#endif
  return chromaRowPortable<R, G, B, BPP>;
}

template <int R, int G, int B, int BPP>
LumaRowFn pickLumaRow() {
#if defined(__x86_64__)
  if (BPP == 4 && __builtin_cpu_supports("avx2")) return lumaRowAvx2<R, G, B>;
#endif
  return lumaRow<R, G, B, BPP>;
}

template <int R, int G, int B, int BPP>
void convert(const uint8_t* src, int srcStride, int width, int height, const Yuv420Planes& d) {
  static const LumaRowFn luma = pickLumaRow<R, G, B, BPP>();
  static const ChromaRowFn chroma = pickChromaRow<R, G, B, BPP>();
  const int pairs = width / 2;
  for (int row = 0; row < height; row += 2) {
    const uint8_t* s0 = src + static_cast<ptrdiff_t>(row) * srcStride;
    const uint8_t* s1 = s0 + srcStride;
    luma(s0, d.y + static_cast<ptrdiff_t>(row) * d.yStride, width);
    luma(s1, d.y + static_cast<ptrdiff_t>(row + 1) * d.yStride, width);
    const ptrdiff_t c = row / 2;
    chroma(s0, d.u + c * d.uStride, d.interleaved ? nullptr : d.v + c * d.vStride, pairs, d.interleaved);
  }
}

}  // namespace

void rgbToYuv420(const HostImage& src, const Yuv420Planes& dst) {
  switch (src.format) {
    case PixelFormat::RGBA: convert<0, 1, 2, 4>(src.data, src.stride, src.width, src.height, dst); break;
    case PixelFormat::BGRA: convert<2, 1, 0, 4>(src.data, src.stride, src.width, src.height, dst); break;
    case PixelFormat::RGB24: convert<0, 1, 2, 3>(src.data, src.stride, src.width, src.height, dst); break;
    default: break;
  }
}

}  // namespace rfb
