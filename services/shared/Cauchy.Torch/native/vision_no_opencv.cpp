// Built instead of vision_opencv.cpp when the shim is configured with -DCAUCHY_TORCH_WITH_OPENCV=OFF (a machine
// with libtorch but no OpenCV development files, such as a GPU machine measuring training speed on decoded data).
// Each image-codec entry point fails with a message that says why; nothing else in the shim needs OpenCV.
#include "vision.h"
#include "shim_internal.h"

#include <stdexcept>
#include <string>

using namespace cauchy;

namespace {

[[noreturn]] void no_opencv(const char* what) {
  throw std::runtime_error(std::string(what) +
                           " needs OpenCV, and this build of the Cauchy.Torch shim was configured without it "
                           "(-DCAUCHY_TORCH_WITH_OPENCV=OFF); rebuild it with OpenCV's development files installed");
}

}  // namespace

extern "C" {

cauchy_status cauchy_vision_decode(const void*, int64_t, int32_t, cauchy_tensor**) {
  return guard([] { no_opencv("image decoding"); });
}

cauchy_status cauchy_vision_encode(const cauchy_tensor*, const char*, cauchy_tensor**) {
  return guard([] { no_opencv("image encoding"); });
}

cauchy_status cauchy_vision_resize(const cauchy_tensor*, int32_t, int32_t, int32_t, cauchy_tensor**) {
  return guard([] { no_opencv("image resizing"); });
}

cauchy_status cauchy_vision_cvt_color(const cauchy_tensor*, int32_t, cauchy_tensor**) {
  return guard([] { no_opencv("colour conversion"); });
}

}  // extern "C"
