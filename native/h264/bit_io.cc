#include "bit_io.h"

#include <stdexcept>

namespace rfb {
namespace h264 {

std::vector<uint8_t> unescapeRbsp(const uint8_t* data, size_t length) {
  std::vector<uint8_t> out;
  out.reserve(length);
  int zeros = 0;
  for (size_t i = 0; i < length; ++i) {
    if (zeros >= 2 && data[i] == 0x03) {
      zeros = 0;
      continue;
    }
    zeros = data[i] == 0 ? zeros + 1 : 0;
    out.push_back(data[i]);
  }
  return out;
}

std::vector<uint8_t> escapeRbsp(const std::vector<uint8_t>& rbsp) {
  std::vector<uint8_t> out;
  out.reserve(rbsp.size() + rbsp.size() / 64 + 4);
  int zeros = 0;
  for (uint8_t b : rbsp) {
    if (zeros >= 2 && b <= 0x03) {
      out.push_back(0x03);
      zeros = 0;
    }
    zeros = b == 0 ? zeros + 1 : 0;
    out.push_back(b);
  }
  return out;
}

uint32_t BitReader::bits(int n) {
  if (pos_ + static_cast<size_t>(n) > size()) throw std::invalid_argument("SPS is truncated");
  uint32_t v = 0;
  for (int i = 0; i < n; ++i, ++pos_) v = (v << 1) | ((bytes_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1);
  return v;
}

uint32_t BitReader::ue() {
  int zeros = 0;
  while (!flag()) {
    if (++zeros > 31) throw std::invalid_argument("SPS has an Exp-Golomb code longer than 32 bits");
  }
  // 2^zeros - 1 + the next `zeros` bits, computed in 64 bits so 31 zeros cannot overflow.
  const uint64_t value = (uint64_t{1} << zeros) - 1 + bits(zeros);
  if (value > UINT32_MAX) throw std::invalid_argument("SPS has an Exp-Golomb value out of range");
  return static_cast<uint32_t>(value);
}

int32_t BitReader::se() {
  const uint32_t k = ue();
  return (k & 1) ? static_cast<int32_t>((k + 1) / 2) : -static_cast<int32_t>(k / 2);
}

void BitWriter::bits(uint32_t value, int n) {
  for (int i = n - 1; i >= 0; --i, ++pos_) {
    if ((pos_ & 7) == 0) bytes_.push_back(0);
    if ((value >> i) & 1) bytes_.back() |= static_cast<uint8_t>(0x80 >> (pos_ & 7));
  }
}

void BitWriter::ue(uint32_t value) {
  const uint64_t v = uint64_t{value} + 1;
  int length = 0;
  while ((v >> length) > 1) ++length;
  bits(0, length);
  // v has length + 1 significant bits; write them in two steps to stay within 32.
  bits(1, 1);
  bits(static_cast<uint32_t>(v & ((uint64_t{1} << length) - 1)), length);
}

void BitWriter::copy(const std::vector<uint8_t>& src, size_t from, size_t to) {
  for (size_t p = from; p < to; ++p) bits((src[p >> 3] >> (7 - (p & 7))) & 1, 1);
}

void BitWriter::trailingBits() {
  bits(1, 1);
  while (pos_ & 7) bits(0, 1);
}

}  // namespace h264
}  // namespace rfb
