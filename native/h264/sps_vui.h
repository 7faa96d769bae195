// Rewrites the VUI of an H.264 SPS so it says what rfbcast promises viewers
// (PROTOCOL.md §11.1 and §13.3): bitstream_restriction_flag = 1 with
// max_num_reorder_frames = 0, and a BT.601 (matrix 6), limited-range colour
// description. Hardware encoders do not always write these themselves.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rfb {
namespace h264 {

struct VuiColour {
  int primaries;  // VUI colour_primaries code, e.g. 1 (BT.709), 12 (P3-D65)
  int transfer;   // VUI transfer_characteristics code, e.g. 13 (sRGB)
};

// `sps` is one SPS NAL unit, header byte first, without a start code.
// With `colour`, the VUI gets (primaries, transfer, 6, limited range).
// Without it, an existing colour description keeps its primaries and
// transfer but is forced to matrix 6 and limited range; none is added.
// Returns the input unchanged when it already conforms. Throws
// std::invalid_argument when the bytes are not a parseable SPS.
std::vector<uint8_t> patchSps(const uint8_t* sps, size_t length, const VuiColour* colour);

}  // namespace h264
}  // namespace rfb
