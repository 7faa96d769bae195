// Bit-level reading and writing of H.264 RBSP data (ITU-T H.264 §7.2), and
// the emulation-prevention escaping that turns an RBSP into NAL unit bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rfb {
namespace h264 {

// NAL payload bytes (emulation prevention bytes present) -> RBSP bytes.
std::vector<uint8_t> unescapeRbsp(const uint8_t* data, size_t length);
// RBSP bytes -> NAL payload bytes, inserting 0x03 after any two zero bytes
// that precede a byte <= 3.
std::vector<uint8_t> escapeRbsp(const std::vector<uint8_t>& rbsp);

// Reads an RBSP MSB first. Reading past the end throws std::invalid_argument,
// so a truncated or corrupt SPS fails cleanly instead of reading out of bounds.
class BitReader {
 public:
  explicit BitReader(const std::vector<uint8_t>& bytes) : bytes_(bytes) {}
  uint32_t bits(int n);
  bool flag() { return bits(1) != 0; }
  uint32_t ue();
  int32_t se();
  size_t position() const { return pos_; }
  size_t size() const { return bytes_.size() * 8; }

 private:
  const std::vector<uint8_t>& bytes_;
  size_t pos_ = 0;
};

class BitWriter {
 public:
  void bits(uint32_t value, int n);
  void flag(bool on) { bits(on ? 1 : 0, 1); }
  void ue(uint32_t value);
  // Copies bits [from, to) of `src` verbatim.
  void copy(const std::vector<uint8_t>& src, size_t from, size_t to);
  // rbsp_trailing_bits(): a stop bit, then zeros to the byte boundary.
  void trailingBits();
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  size_t pos_ = 0;
};

}  // namespace h264
}  // namespace rfb
