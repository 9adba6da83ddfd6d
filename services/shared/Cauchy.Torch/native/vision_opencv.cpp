// The data pipeline's OpenCV half: codecs, resize and colour conversion over HWC tensors. OpenCV throws
// cv::Exception (a std::exception) for bad input; guard() turns it into a status and message like every libtorch
// error.
#include "vision.h"
#include "shim_internal.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/types.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace cauchy;

namespace {

// A cv::Mat header over a tensor's memory (no copy); the tensor must stay alive while the Mat is used.
cv::Mat as_mat(const torch::Tensor& image, const char* name) {
  if (!image.device().is_cpu())
    throw argument_error(std::string("image '") + name + "' must be on the CPU, it is on " + image.device().str());
  if (image.dim() != 2 && image.dim() != 3)
    throw argument_error(std::string("image '") + name + "' must be [H, W] or [H, W, C], got shape " +
                         c10::str(image.sizes()));
  const int64_t channels = image.dim() == 3 ? image.size(2) : 1;
  if (channels < 1 || channels > 4)
    throw argument_error(std::string("image '") + name + "' has " + std::to_string(channels) +
                         " channels; 1 to 4 are supported");
  int depth;
  if (image.scalar_type() == torch::kUInt8)
    depth = CV_8U;
  else if (image.scalar_type() == torch::kFloat32)
    depth = CV_32F;
  else
    throw argument_error(std::string("image '") + name + "' must be uint8 or float32, got " +
                         std::string(c10::toString(image.scalar_type())));
  if (!image.is_contiguous())
    throw argument_error(std::string("image '") + name + "' must be contiguous");
  return cv::Mat(static_cast<int>(image.size(0)), static_cast<int>(image.size(1)),
                 CV_MAKETYPE(depth, static_cast<int>(channels)), image.data_ptr());
}

// Copies a Mat into a new [H, W, C] tensor (always three dimensions, C = 1 for grey).
torch::Tensor to_tensor(const cv::Mat& mat) {
  torch::ScalarType type;
  switch (mat.depth()) {
    case CV_8U: type = torch::kUInt8; break;
    case CV_32F: type = torch::kFloat32; break;
    default: throw argument_error("unsupported OpenCV depth " + std::to_string(mat.depth()));
  }
  cv::Mat continuous = mat.isContinuous() ? mat : mat.clone();
  torch::Tensor result = torch::empty({continuous.rows, continuous.cols, continuous.channels()}, type);
  std::memcpy(result.data_ptr(), continuous.data, result.nbytes());
  return result;
}

}  // namespace

extern "C" {

cauchy_status cauchy_vision_decode(const void* data, int64_t nbytes, int32_t mode, cauchy_tensor** out) {
  return guard([&] {
    if (nbytes <= 0) throw argument_error("cannot decode an empty image (0 bytes)");
    if (data == nullptr) throw argument_error("image data pointer is null");
    int flags;
    switch (mode) {
      case CAUCHY_DECODE_COLOR: flags = cv::IMREAD_COLOR; break;
      case CAUCHY_DECODE_GRAYSCALE: flags = cv::IMREAD_GRAYSCALE; break;
      case CAUCHY_DECODE_UNCHANGED: flags = cv::IMREAD_UNCHANGED; break;
      default: throw argument_error("unknown decode mode " + std::to_string(mode));
    }
    const cv::Mat buffer(1, static_cast<int>(nbytes), CV_8U, const_cast<void*>(data));
    const cv::Mat image = cv::imdecode(buffer, flags);
    if (image.empty())
      throw argument_error("could not decode the image (" + std::to_string(nbytes) +
                           " bytes): not a supported format, or the data is corrupt or truncated");
    if (image.depth() != CV_8U)
      throw argument_error("decoded image has bit depth " + std::to_string(image.elemSize1() * 8) +
                           "; only 8-bit images are supported");
    wrap(to_tensor(image), out);
  });
}

cauchy_status cauchy_vision_encode(const cauchy_tensor* image, const char* ext, cauchy_tensor** out) {
  return guard([&] {
    if (ext == nullptr) throw argument_error("image format extension is null");
    const torch::Tensor& t = get(image, "image");
    if (t.scalar_type() != torch::kUInt8)
      throw argument_error("only uint8 images can be encoded, got " + std::string(c10::toString(t.scalar_type())));
    std::vector<uchar> bytes;
    if (!cv::imencode(ext, as_mat(t, "image"), bytes))
      throw argument_error(std::string("OpenCV could not encode the image as ") + ext);
    torch::Tensor result = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
    std::memcpy(result.data_ptr(), bytes.data(), bytes.size());
    wrap(result, out);
  });
}

cauchy_status cauchy_vision_resize(const cauchy_tensor* image, int32_t height, int32_t width, int32_t interpolation,
                                   cauchy_tensor** out) {
  return guard([&] {
    if (height < 1 || width < 1)
      throw argument_error("resize target must be at least 1x1, got " + std::to_string(height) + "x" +
                           std::to_string(width));
    if (interpolation != CAUCHY_INTER_NEAREST && interpolation != CAUCHY_INTER_LINEAR &&
        interpolation != CAUCHY_INTER_AREA)
      throw argument_error("unknown interpolation " + std::to_string(interpolation));
    const torch::Tensor& t = get(image, "image");
    cv::Mat resized;
    cv::resize(as_mat(t, "image"), resized, cv::Size(width, height), 0, 0, interpolation);
    torch::Tensor result = to_tensor(resized);
    wrap(t.dim() == 2 ? result.squeeze(2) : result, out);
  });
}

cauchy_status cauchy_vision_cvt_color(const cauchy_tensor* image, int32_t code, cauchy_tensor** out) {
  return guard([&] {
    int cv_code;
    switch (code) {
      case CAUCHY_COLOR_BGR2RGB: cv_code = cv::COLOR_BGR2RGB; break;
      case CAUCHY_COLOR_BGR2GRAY: cv_code = cv::COLOR_BGR2GRAY; break;
      case CAUCHY_COLOR_RGB2GRAY: cv_code = cv::COLOR_RGB2GRAY; break;
      case CAUCHY_COLOR_GRAY2BGR: cv_code = cv::COLOR_GRAY2BGR; break;
      default: throw argument_error("unknown colour conversion " + std::to_string(code));
    }
    cv::Mat converted;
    cv::cvtColor(as_mat(get(image, "image"), "image"), converted, cv_code);
    wrap(to_tensor(converted), out);
  });
}

}  // extern "C"
