#include "avcc.h"

#include <stdexcept>
#include <string>

namespace rfb {
namespace h264 {
namespace {

constexpr int kNalIdr = 5, kNalSps = 7, kNalPps = 8;
constexpr uint8_t kStartCode[4] = {0, 0, 0, 1};

struct Nal {
  const uint8_t* data;
  size_t size;
};

std::vector<Nal> splitAvcc(const uint8_t* sample, size_t length, int nalLengthSize) {
  if (nalLengthSize < 1 || nalLengthSize > 4) {
    throw std::invalid_argument("AVCC NAL length size must be 1 to 4 bytes, got " + std::to_string(nalLengthSize));
  }
  std::vector<Nal> nals;
  size_t at = 0;
  while (at < length) {
    if (length - at < static_cast<size_t>(nalLengthSize)) throw std::invalid_argument("AVCC sample ends inside a NAL length");
    size_t size = 0;
    for (int i = 0; i < nalLengthSize; ++i) size = (size << 8) | sample[at++];
    if (size == 0 || size > length - at) {
      throw std::invalid_argument("AVCC NAL length " + std::to_string(size) + " does not fit the " +
                                  std::to_string(length - at) + " bytes left in the sample");
    }
    nals.push_back({sample + at, size});
    at += size;
  }
  return nals;
}

void append(std::vector<uint8_t>& out, const uint8_t* data, size_t size) {
  out.insert(out.end(), kStartCode, kStartCode + 4);
  out.insert(out.end(), data, data + size);
}

}  // namespace

AnnexBUnit avccToAnnexB(const uint8_t* sample, size_t length, int nalLengthSize,
                        const std::vector<std::vector<uint8_t>>& parameterSets, bool forced) {
  const std::vector<Nal> nals = splitAvcc(sample, length, nalLengthSize);
  AnnexBUnit unit;
  unit.keyframe = forced;
  for (const Nal& n : nals) unit.keyframe = unit.keyframe || (n.data[0] & 0x1f) == kNalIdr;
  unit.bytes.reserve(length + 4 * nals.size() + (unit.keyframe ? 64 : 0));
  if (unit.keyframe) {
    for (const auto& ps : parameterSets) append(unit.bytes, ps.data(), ps.size());
  }
  for (const Nal& n : nals) {
    const int type = n.data[0] & 0x1f;
    if (type != kNalSps && type != kNalPps) append(unit.bytes, n.data, n.size);
  }
  return unit;
}

}  // namespace h264
}  // namespace rfb
