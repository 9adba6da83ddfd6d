// The shim's neural-network translation unit: each layer's forward is libtorch's functional op with the same
// arguments PyTorch's Python layer passes, so results match PyTorch's bit for bit on the same libtorch.
#include "nn.h"
#include "shim_internal.h"

#include <ATen/ATen.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <string>
#include <vector>

using namespace cauchy;

namespace {

c10::optional<torch::Tensor> optional(const cauchy_tensor* t) {
  if (t == nullptr) return c10::nullopt;
  return t->tensor;
}

std::vector<int64_t> pair(const int64_t* values, const char* name) {
  if (values == nullptr) throw argument_error(std::string(name) + " pointer is null");
  return {values[0], values[1]};
}

int64_t reduction_code(int32_t reduction) {
  if (reduction < CAUCHY_REDUCTION_NONE || reduction > CAUCHY_REDUCTION_SUM)
    throw argument_error("unknown reduction code " + std::to_string(reduction));
  return reduction;
}

// F.mse_loss and F.smooth_l1_loss broadcast input and target (PyTorch warns); the kernels expect equal shapes.
std::vector<torch::Tensor> broadcast(const torch::Tensor& input, const torch::Tensor& target) {
  if (input.sizes() == target.sizes()) return {input, target};
  return torch::broadcast_tensors({input, target});
}

void check_4d(const torch::Tensor& input, const char* layer) {
  if (input.dim() != 4)
    throw argument_error(std::string(layer) + ": expected 4D input (got " + std::to_string(input.dim()) +
                         "D input of size " + c10::str(input.sizes()) + ")");
}

}  // namespace

extern "C" {

cauchy_status cauchy_nn_conv2d(const cauchy_tensor* input, const cauchy_tensor* weight, const cauchy_tensor* bias,
                               const int64_t* stride, const int64_t* padding, const int64_t* dilation, int64_t groups,
                               cauchy_tensor** out) {
  return guard([&] {
    wrap(at::conv2d(get(input, "input"), get(weight, "weight"), optional(bias), pair(stride, "stride"),
                    pair(padding, "padding"), pair(dilation, "dilation"), groups),
         out);
  });
}

cauchy_status cauchy_nn_linear(const cauchy_tensor* input, const cauchy_tensor* weight, const cauchy_tensor* bias,
                               cauchy_tensor** out) {
  return guard([&] { wrap(at::linear(get(input, "input"), get(weight, "weight"), optional(bias)), out); });
}

cauchy_status cauchy_nn_batch_norm(const cauchy_tensor* input, const cauchy_tensor* weight, const cauchy_tensor* bias,
                                   cauchy_tensor* running_mean, cauchy_tensor* running_var,
                                   cauchy_tensor* num_batches_tracked, int32_t training, int32_t has_momentum,
                                   double momentum, double eps, cauchy_tensor** out) {
  return guard([&] {
    const torch::Tensor& x = get(input, "input");
    check_4d(x, "BatchNorm2d");
    const bool tracking = running_mean != nullptr && running_var != nullptr;
    double factor = has_momentum ? momentum : 0.0;
    if (training && tracking && num_batches_tracked != nullptr) {
      torch::NoGradGuard no_grad;
      num_batches_tracked->tensor.add_(1);
      if (!has_momentum) factor = 1.0 / num_batches_tracked->tensor.item<double>();
    }
    if (training) {
      // F.batch_norm's _verify_batch_size: statistics over one value per channel are meaningless.
      int64_t size_prods = x.size(0);
      for (int64_t i = 2; i < x.dim(); ++i) size_prods *= x.size(i);
      if (size_prods == 1)
        throw argument_error("Expected more than 1 value per channel when training, got input size " +
                             c10::str(x.sizes()));
    }
    const bool use_batch_stats = training || !tracking;
    c10::optional<torch::Tensor> mean = tracking ? c10::optional<torch::Tensor>(running_mean->tensor) : c10::nullopt;
    c10::optional<torch::Tensor> var = tracking ? c10::optional<torch::Tensor>(running_var->tensor) : c10::nullopt;
    wrap(at::batch_norm(x, optional(weight), optional(bias), mean, var, use_batch_stats, factor, eps,
                        at::globalContext().userEnabledCuDNN()),
         out);
  });
}

cauchy_status cauchy_nn_activation(const cauchy_tensor* input, int32_t kind, double param, cauchy_tensor** out) {
  return guard([&] {
    const torch::Tensor& x = get(input, "input");
    switch (kind) {
      case CAUCHY_ACT_RELU: wrap(at::relu(x), out); break;
      case CAUCHY_ACT_LEAKY_RELU: wrap(at::leaky_relu(x, param), out); break;
      case CAUCHY_ACT_SILU: wrap(at::silu(x), out); break;
      case CAUCHY_ACT_SIGMOID: wrap(at::sigmoid(x), out); break;
      case CAUCHY_ACT_RELU6: wrap(at::hardtanh(x, 0.0, 6.0), out); break;
      case CAUCHY_ACT_TANH: wrap(at::tanh(x), out); break;
      default: throw argument_error("unknown activation code " + std::to_string(kind));
    }
  });
}

cauchy_status cauchy_nn_activation_(cauchy_tensor* input, int32_t kind, double param) {
  return guard([&] {
    torch::Tensor& x = input != nullptr ? input->tensor : throw argument_error("tensor 'input' is a null handle");
    switch (kind) {
      case CAUCHY_ACT_RELU: at::relu_(x); break;
      case CAUCHY_ACT_LEAKY_RELU: at::leaky_relu_(x, param); break;
      case CAUCHY_ACT_SILU: at::silu_(x); break;
      case CAUCHY_ACT_SIGMOID: at::sigmoid_(x); break;
      case CAUCHY_ACT_RELU6: at::hardtanh_(x, 0.0, 6.0); break;
      case CAUCHY_ACT_TANH: at::tanh_(x); break;
      default: throw argument_error("unknown activation code " + std::to_string(kind));
    }
  });
}

cauchy_status cauchy_nn_max_pool2d(const cauchy_tensor* input, const int64_t* kernel, const int64_t* stride,
                                   const int64_t* padding, const int64_t* dilation, int32_t ceil_mode,
                                   cauchy_tensor** out) {
  return guard([&] {
    wrap(at::max_pool2d(get(input, "input"), pair(kernel, "kernel_size"), pair(stride, "stride"),
                        pair(padding, "padding"), pair(dilation, "dilation"), ceil_mode != 0),
         out);
  });
}

cauchy_status cauchy_nn_avg_pool2d(const cauchy_tensor* input, const int64_t* kernel, const int64_t* stride,
                                   const int64_t* padding, int32_t ceil_mode, int32_t count_include_pad,
                                   int64_t divisor_override, cauchy_tensor** out) {
  return guard([&] {
    c10::optional<int64_t> divisor = divisor_override > 0 ? c10::optional<int64_t>(divisor_override) : c10::nullopt;
    wrap(at::avg_pool2d(get(input, "input"), pair(kernel, "kernel_size"), pair(stride, "stride"),
                        pair(padding, "padding"), ceil_mode != 0, count_include_pad != 0, divisor),
         out);
  });
}

cauchy_status cauchy_nn_adaptive_avg_pool2d(const cauchy_tensor* input, const int64_t* output_size,
                                            cauchy_tensor** out) {
  return guard([&] { wrap(at::adaptive_avg_pool2d(get(input, "input"), pair(output_size, "output_size")), out); });
}

cauchy_status cauchy_nn_dropout(const cauchy_tensor* input, double p, int32_t training, cauchy_tensor** out) {
  return guard([&] {
    if (p < 0.0 || p > 1.0)
      throw argument_error("dropout probability has to be between 0 and 1, but got " + std::to_string(p));
    wrap(at::dropout(get(input, "input"), p, training != 0), out);
  });
}

cauchy_status cauchy_nn_interpolate(const cauchy_tensor* input, int32_t mode, const int64_t* size, const double* scale,
                                    int32_t align_corners, cauchy_tensor** out) {
  return guard([&] {
    const torch::Tensor& x = get(input, "input");
    if ((size == nullptr) == (scale == nullptr)) throw argument_error("either size or scale_factor should be defined");
    if (x.dim() != 4)
      throw argument_error("interpolate: expected 4D input (batch, channels, height, width), got " +
                           std::to_string(x.dim()) + "D input of size " + c10::str(x.sizes()));
    std::vector<int64_t> sizes;
    std::vector<double> scales;
    at::OptionalIntArrayRef output_size = c10::nullopt;
    c10::optional<at::ArrayRef<double>> scale_factors = c10::nullopt;
    if (size != nullptr) {
      sizes = {size[0], size[1]};
      output_size = at::IntArrayRef(sizes);
    } else {
      scales = {scale[0], scale[1]};
      scale_factors = at::ArrayRef<double>(scales);
    }
    switch (mode) {
      case CAUCHY_INTERP_NEAREST:
        if (align_corners >= 0)
          throw argument_error(
              "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | "
              "trilinear");
        wrap(at::upsample_nearest2d(x, output_size, scale_factors), out);
        break;
      case CAUCHY_INTERP_BILINEAR:
        wrap(at::upsample_bilinear2d(x, output_size, align_corners == 1, scale_factors), out);
        break;
      default: throw argument_error("unknown interpolation mode code " + std::to_string(mode));
    }
  });
}

cauchy_status cauchy_nn_cross_entropy(const cauchy_tensor* input, const cauchy_tensor* target,
                                      const cauchy_tensor* weight, int32_t reduction, int64_t ignore_index,
                                      double label_smoothing, cauchy_tensor** out) {
  return guard([&] {
    wrap(at::cross_entropy_loss(get(input, "input"), get(target, "target"), optional(weight),
                                reduction_code(reduction), ignore_index, label_smoothing),
         out);
  });
}

cauchy_status cauchy_nn_binary_cross_entropy_with_logits(const cauchy_tensor* input, const cauchy_tensor* target,
                                                         const cauchy_tensor* weight, const cauchy_tensor* pos_weight,
                                                         int32_t reduction, cauchy_tensor** out) {
  return guard([&] {
    const torch::Tensor& x = get(input, "input");
    const torch::Tensor& y = get(target, "target");
    if (x.sizes() != y.sizes())
      throw argument_error("Target size (" + c10::str(y.sizes()) + ") must be the same as input size (" +
                           c10::str(x.sizes()) + ")");
    wrap(at::binary_cross_entropy_with_logits(x, y, optional(weight), optional(pos_weight), reduction_code(reduction)),
         out);
  });
}

cauchy_status cauchy_nn_smooth_l1_loss(const cauchy_tensor* input, const cauchy_tensor* target, int32_t reduction,
                                       double beta, cauchy_tensor** out) {
  return guard([&] {
    if (beta < 0.0) throw argument_error("smooth_l1_loss does not support negative values for beta");
    auto both = broadcast(get(input, "input"), get(target, "target"));
    // As F.smooth_l1_loss: beta 0 is the L1 loss.
    if (beta == 0.0)
      wrap(at::l1_loss(both[0], both[1], reduction_code(reduction)), out);
    else
      wrap(at::smooth_l1_loss(both[0], both[1], reduction_code(reduction), beta), out);
  });
}

cauchy_status cauchy_nn_mse_loss(const cauchy_tensor* input, const cauchy_tensor* target, int32_t reduction,
                                 cauchy_tensor** out) {
  return guard([&] {
    auto both = broadcast(get(input, "input"), get(target, "target"));
    wrap(at::mse_loss(both[0], both[1], reduction_code(reduction)), out);
  });
}

cauchy_status cauchy_nn_init_uniform_(cauchy_tensor* t, double low, double high) {
  return guard([&] {
    if (t == nullptr) throw argument_error("tensor 'tensor' is a null handle");
    torch::NoGradGuard no_grad;
    t->tensor.uniform_(low, high);
  });
}

cauchy_status cauchy_nn_init_normal_(cauchy_tensor* t, double mean, double std) {
  return guard([&] {
    if (t == nullptr) throw argument_error("tensor 'tensor' is a null handle");
    torch::NoGradGuard no_grad;
    t->tensor.normal_(mean, std);
  });
}

}  // extern "C"
