#include "sps_vui.h"

#include <stdexcept>

#include "bit_io.h"

namespace rfb {
namespace h264 {
namespace {

constexpr int kNalSps = 7;
constexpr int kMatrixBt601 = 6;
constexpr int kVideoFormatUnspecified = 5;

// A bit range [begin, end) of the source RBSP, copied verbatim when rewriting.
struct Span {
  size_t begin = 0, end = 0;
};

struct Vui {
  bool present = false;
  Span aspectAndOverscan;  // aspect_ratio_info .. overscan_info
  bool signalType = false;
  uint32_t videoFormat = kVideoFormatUnspecified;
  bool fullRange = false;
  bool colourDescription = false;
  uint32_t primaries = 2, transfer = 2, matrix = 2;  // 2 = unspecified
  Span chromaTimingHrd;  // chroma_loc_info .. pic_struct_present_flag
  bool restriction = false;
  bool mvOverPicBoundaries = true;
  uint32_t maxBytesPerPicDenom = 2, maxBitsPerMbDenom = 1;
  uint32_t log2MaxMvLengthH = 16, log2MaxMvLengthV = 16;  // the inferred defaults (H.264 §E.2.1)
  uint32_t maxNumReorderFrames = 0, maxDecFrameBuffering = 0;
};

void skipScalingList(BitReader& r, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size; ++j) {
    if (next != 0) {
      next = (last + r.se() + 256) % 256;
    }
    last = next == 0 ? last : next;
  }
}

bool hasChromaInfo(uint32_t profile) {
  switch (profile) {
    case 100: case 110: case 122: case 244: case 44: case 83: case 86: case 118: case 128: case 138: case 139:
    case 134: case 135:
      return true;
    default:
      return false;
  }
}

void skipHrd(BitReader& r) {
  const uint32_t count = r.ue() + 1;
  if (count > 32) throw std::invalid_argument("SPS HRD has more than 32 CPB specifications");
  r.bits(8);  // bit_rate_scale, cpb_size_scale
  for (uint32_t i = 0; i < count; ++i) {
    r.ue();
    r.ue();
    r.flag();
  }
  r.bits(20);  // four 5-bit delay/offset lengths
}

// Reads seq_parameter_set_data() up to vui_parameters_present_flag; returns max_num_ref_frames.
uint32_t readToVuiFlag(BitReader& r) {
  const uint32_t profile = r.bits(8);
  r.bits(16);  // constraint flags, level_idc
  r.ue();      // seq_parameter_set_id
  if (hasChromaInfo(profile)) {
    const uint32_t chromaFormat = r.ue();
    if (chromaFormat == 3) r.flag();
    r.ue();
    r.ue();
    r.flag();
    if (r.flag()) {
      for (int i = 0; i < (chromaFormat != 3 ? 8 : 12); ++i) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  r.ue();  // log2_max_frame_num_minus4
  const uint32_t pocType = r.ue();
  if (pocType == 0) {
    r.ue();
  } else if (pocType == 1) {
    r.flag();
    r.se();
    r.se();
    const uint32_t cycle = r.ue();
    if (cycle > 255) throw std::invalid_argument("SPS has more than 255 reference frames in its POC cycle");
    for (uint32_t i = 0; i < cycle; ++i) r.se();
  }
  const uint32_t refFrames = r.ue();
  r.flag();  // gaps_in_frame_num_value_allowed_flag
  r.ue();
  r.ue();
  if (!r.flag()) r.flag();  // frame_mbs_only_flag, mb_adaptive_frame_field_flag
  r.flag();                 // direct_8x8_inference_flag
  if (r.flag()) {
    for (int i = 0; i < 4; ++i) r.ue();
  }
  return refFrames;
}

Vui readVui(BitReader& r) {
  Vui v;
  v.present = true;
  v.aspectAndOverscan.begin = r.position();
  if (r.flag() && r.bits(8) == 255) r.bits(32);  // aspect_ratio_idc == Extended_SAR: sar_width, sar_height
  if (r.flag()) r.flag();                         // overscan
  v.aspectAndOverscan.end = r.position();
  v.signalType = r.flag();
  if (v.signalType) {
    v.videoFormat = r.bits(3);
    v.fullRange = r.flag();
    v.colourDescription = r.flag();
    if (v.colourDescription) {
      v.primaries = r.bits(8);
      v.transfer = r.bits(8);
      v.matrix = r.bits(8);
    }
  }
  v.chromaTimingHrd.begin = r.position();
  if (r.flag()) {
    r.ue();
    r.ue();
  }
  if (r.flag()) {  // timing info
    r.bits(32);
    r.bits(32);
    r.flag();
  }
  const bool nalHrd = r.flag();
  if (nalHrd) skipHrd(r);
  const bool vclHrd = r.flag();
  if (vclHrd) skipHrd(r);
  if (nalHrd || vclHrd) r.flag();  // low_delay_hrd_flag
  r.flag();                        // pic_struct_present_flag
  v.chromaTimingHrd.end = r.position();
  v.restriction = r.flag();
  if (v.restriction) {
    v.mvOverPicBoundaries = r.flag();
    v.maxBytesPerPicDenom = r.ue();
    v.maxBitsPerMbDenom = r.ue();
    v.log2MaxMvLengthH = r.ue();
    v.log2MaxMvLengthV = r.ue();
    v.maxNumReorderFrames = r.ue();
    v.maxDecFrameBuffering = r.ue();
  }
  return v;
}

// Applies the rules; returns whether anything changed.
bool conform(Vui& v, uint32_t refFrames, const VuiColour* colour) {
  const Vui before = v;
  if (colour) {
    if (!v.signalType) v.videoFormat = kVideoFormatUnspecified;
    v.signalType = v.colourDescription = true;
    v.primaries = static_cast<uint32_t>(colour->primaries);
    v.transfer = static_cast<uint32_t>(colour->transfer);
  }
  if (v.colourDescription) v.matrix = kMatrixBt601;
  v.fullRange = false;
  if (!v.restriction) {
    v.restriction = true;
    v.maxDecFrameBuffering = refFrames;
  }
  v.maxNumReorderFrames = 0;
  return v.signalType != before.signalType || v.videoFormat != before.videoFormat ||
         v.fullRange != before.fullRange || v.colourDescription != before.colourDescription ||
         v.primaries != before.primaries || v.transfer != before.transfer || v.matrix != before.matrix ||
         v.restriction != before.restriction || v.maxNumReorderFrames != before.maxNumReorderFrames;
}

void writeVui(BitWriter& w, const std::vector<uint8_t>& rbsp, const Vui& v) {
  w.copy(rbsp, v.aspectAndOverscan.begin, v.aspectAndOverscan.end);
  if (!v.present) w.bits(0, 2);  // no aspect ratio, no overscan info
  w.flag(v.signalType);
  if (v.signalType) {
    w.bits(v.videoFormat, 3);
    w.flag(v.fullRange);
    w.flag(v.colourDescription);
    if (v.colourDescription) {
      w.bits(v.primaries, 8);
      w.bits(v.transfer, 8);
      w.bits(v.matrix, 8);
    }
  }
  w.copy(rbsp, v.chromaTimingHrd.begin, v.chromaTimingHrd.end);
  if (!v.present) w.bits(0, 5);  // no chroma location, timing, NAL or VCL HRD, pic_struct
  w.flag(true);
  w.flag(v.mvOverPicBoundaries);
  w.ue(v.maxBytesPerPicDenom);
  w.ue(v.maxBitsPerMbDenom);
  w.ue(v.log2MaxMvLengthH);
  w.ue(v.log2MaxMvLengthV);
  w.ue(v.maxNumReorderFrames);
  w.ue(v.maxDecFrameBuffering);
}

}  // namespace

std::vector<uint8_t> patchSps(const uint8_t* sps, size_t length, const VuiColour* colour) {
  if (length < 4 || (sps[0] & 0x1f) != kNalSps) throw std::invalid_argument("not an SPS NAL unit");
  const std::vector<uint8_t> rbsp = unescapeRbsp(sps + 1, length - 1);
  BitReader r(rbsp);
  const uint32_t refFrames = readToVuiFlag(r);
  const size_t vuiFlagAt = r.position();
  // An SPS without VUI behaves as one whose fields all take their inferred values.
  Vui vui = r.flag() ? readVui(r) : Vui{};
  if (!conform(vui, refFrames, colour)) return std::vector<uint8_t>(sps, sps + length);
  BitWriter w;
  w.copy(rbsp, 0, vuiFlagAt);
  w.flag(true);
  writeVui(w, rbsp, vui);
  w.trailingBits();
  std::vector<uint8_t> out{sps[0]};
  const std::vector<uint8_t> escaped = escapeRbsp(w.bytes());
  out.insert(out.end(), escaped.begin(), escaped.end());
  return out;
}

}  // namespace h264
}  // namespace rfb
