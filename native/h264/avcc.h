// AVCC (length-prefixed NAL units, what VideoToolbox emits) to Annex B (start
// codes, what rfbcast sends: PROTOCOL.md §11.1).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rfb {
namespace h264 {

struct AnnexBUnit {
  std::vector<uint8_t> bytes;
  bool keyframe = false;
};

// Rewrites one AVCC sample whose NAL units carry big-endian lengths of
// `nalLengthSize` (1..4) bytes. Every NAL unit gets a 4-byte start code. SPS
// and PPS inside the sample are dropped, so deltas never carry them; on a
// keyframe (`forced`, or the sample holds an IDR slice) `parameterSets` (NAL
// units without start codes, SPS first) are written before the slices.
// Throws std::invalid_argument when a length runs past the sample.
AnnexBUnit avccToAnnexB(const uint8_t* sample, size_t length, int nalLengthSize,
                        const std::vector<std::vector<uint8_t>>& parameterSets, bool forced);

}  // namespace h264
}  // namespace rfb
