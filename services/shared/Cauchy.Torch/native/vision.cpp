// The data pipeline's native half that needs only libtorch: tensors that view caller-owned host memory and the
// uint8 HWC -> float CHW conversion. OpenCV's codecs, resize and colour conversion are in vision_opencv.cpp (or,
// in a build configured with -DCAUCHY_TORCH_WITH_OPENCV=OFF, vision_no_opencv.cpp, whose functions fail with a
// message saying so).
#include "vision.h"
#include "shim_internal.h"

#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

using namespace cauchy;

extern "C" {

cauchy_status cauchy_vision_to_chw_float(const cauchy_tensor* image, cauchy_tensor** out) {
  return guard([&] {
    const torch::Tensor& t = get(image, "image");
    if (t.scalar_type() != torch::kUInt8)
      throw argument_error("to_chw_float needs a uint8 image, got " + std::string(c10::toString(t.scalar_type())));
    if (t.dim() != 2 && t.dim() != 3)
      throw argument_error("to_chw_float needs [H, W] or [H, W, C], got shape " + c10::str(t.sizes()));
    torch::NoGradGuard no_grad;
    torch::Tensor hwc = t.dim() == 2 ? t.unsqueeze(2) : t;
    wrap(hwc.permute({2, 0, 1}).to(torch::kFloat32).div_(255).contiguous(), out);
  });
}

cauchy_status cauchy_vision_from_blob(void* data, int64_t nbytes, const int64_t* shape, int32_t ndim, int32_t dtype,
                                      cauchy_release_fn release, void* context, cauchy_tensor** out) {
  // Owns the caller's context from here on: whichever path ends last (a failed call or the storage's deleter)
  // runs release exactly once.
  struct releaser {
    releaser(cauchy_release_fn f, void* c) : fn(f), context(c) {}
    releaser(const releaser&) = delete;
    releaser& operator=(const releaser&) = delete;
    cauchy_release_fn fn;
    void* context;
    ~releaser() {
      if (fn != nullptr) fn(context);
    }
  };
  auto owner = std::make_shared<releaser>(release, context);
  return guard([&] {
    if (data == nullptr && nbytes != 0) throw argument_error("data pointer is null");
    const std::vector<int64_t> sizes = to_shape(shape, ndim);
    const auto type = to_scalar_type(dtype);
    int64_t numel = 1;
    for (int64_t s : sizes) {
      if (s < 0) throw argument_error("negative dimension in shape " + c10::str(c10::IntArrayRef(sizes)));
      numel *= s;
    }
    const int64_t expected = numel * static_cast<int64_t>(c10::elementSize(type));
    if (expected != nbytes)
      throw argument_error("memory holds " + std::to_string(nbytes) + " bytes but shape " +
                           c10::str(c10::IntArrayRef(sizes)) + " of " + std::string(c10::toString(type)) + " needs " +
                           std::to_string(expected));
    std::shared_ptr<releaser> keep = std::move(owner);
    wrap(torch::from_blob(data, sizes, [keep](void*) mutable { keep.reset(); },
                          torch::TensorOptions().dtype(type)),
         out);
  });
}

}  // extern "C"
