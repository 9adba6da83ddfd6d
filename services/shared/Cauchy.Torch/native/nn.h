/* C ABI of the shim's neural-network functions (nn.cpp): layers as libtorch's functional ops, losses and the
 * initialisers modules draw their default weights with. Same conventions as cauchy_torch.h: a status per call,
 * the message from cauchy_last_error(). Optional tensors (a layer without bias, a loss without class weights)
 * are passed as NULL. Two-element int64 arrays hold (height, width). */
#ifndef CAUCHY_TORCH_NN_H
#define CAUCHY_TORCH_NN_H

#include "cauchy_torch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loss reductions: libtorch's at::Reduction codes. */
enum { CAUCHY_REDUCTION_NONE = 0, CAUCHY_REDUCTION_MEAN = 1, CAUCHY_REDUCTION_SUM = 2 };

enum {
  CAUCHY_ACT_RELU = 0,
  CAUCHY_ACT_LEAKY_RELU = 1, /* param: negative slope */
  CAUCHY_ACT_SILU = 2,
  CAUCHY_ACT_SIGMOID = 3,
  CAUCHY_ACT_RELU6 = 4,
  CAUCHY_ACT_TANH = 5
};

enum { CAUCHY_INTERP_NEAREST = 0, CAUCHY_INTERP_BILINEAR = 1 };

CAUCHY_API cauchy_status cauchy_nn_conv2d(const cauchy_tensor* input, const cauchy_tensor* weight,
                                          const cauchy_tensor* bias, const int64_t* stride, const int64_t* padding,
                                          const int64_t* dilation, int64_t groups, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_nn_linear(const cauchy_tensor* input, const cauchy_tensor* weight,
                                          const cauchy_tensor* bias, cauchy_tensor** out);
/* PyTorch's BatchNorm2d.forward: in training with running stats, num_batches_tracked is incremented and the
 * running statistics are updated with momentum (has_momentum = 0: the cumulative average 1/num_batches_tracked).
 * In eval the running statistics normalise. Running tensors may be NULL (track_running_stats=False). */
CAUCHY_API cauchy_status cauchy_nn_batch_norm(const cauchy_tensor* input, const cauchy_tensor* weight,
                                              const cauchy_tensor* bias, cauchy_tensor* running_mean,
                                              cauchy_tensor* running_var, cauchy_tensor* num_batches_tracked,
                                              int32_t training, int32_t has_momentum, double momentum, double eps,
                                              cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_nn_activation(const cauchy_tensor* input, int32_t kind, double param,
                                              cauchy_tensor** out);
/* The same activations in place (ReLU(inplace=True) in torchvision's ResNet): no new tensor, no new handle. */
CAUCHY_API cauchy_status cauchy_nn_activation_(cauchy_tensor* input, int32_t kind, double param);
CAUCHY_API cauchy_status cauchy_nn_max_pool2d(const cauchy_tensor* input, const int64_t* kernel, const int64_t* stride,
                                              const int64_t* padding, const int64_t* dilation, int32_t ceil_mode,
                                              cauchy_tensor** out);
/* divisor_override <= 0: none. */
CAUCHY_API cauchy_status cauchy_nn_avg_pool2d(const cauchy_tensor* input, const int64_t* kernel, const int64_t* stride,
                                              const int64_t* padding, int32_t ceil_mode, int32_t count_include_pad,
                                              int64_t divisor_override, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_nn_adaptive_avg_pool2d(const cauchy_tensor* input, const int64_t* output_size,
                                                       cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_nn_dropout(const cauchy_tensor* input, double p, int32_t training, cauchy_tensor** out);
/* Exactly one of size (2 values) and scale (2 values) is non-NULL. align_corners: -1 unset, 0 false, 1 true;
 * it must be unset for nearest. */
CAUCHY_API cauchy_status cauchy_nn_interpolate(const cauchy_tensor* input, int32_t mode, const int64_t* size,
                                               const double* scale, int32_t align_corners, cauchy_tensor** out);

CAUCHY_API cauchy_status cauchy_nn_cross_entropy(const cauchy_tensor* input, const cauchy_tensor* target,
                                                 const cauchy_tensor* weight, int32_t reduction, int64_t ignore_index,
                                                 double label_smoothing, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_nn_binary_cross_entropy_with_logits(const cauchy_tensor* input,
                                                                    const cauchy_tensor* target,
                                                                    const cauchy_tensor* weight,
                                                                    const cauchy_tensor* pos_weight, int32_t reduction,
                                                                    cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_nn_smooth_l1_loss(const cauchy_tensor* input, const cauchy_tensor* target,
                                                  int32_t reduction, double beta, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_nn_mse_loss(const cauchy_tensor* input, const cauchy_tensor* target, int32_t reduction,
                                            cauchy_tensor** out);

/* In-place initialisers (torch.nn.init), without autograd recording, drawing from the global generator. */
CAUCHY_API cauchy_status cauchy_nn_init_uniform_(cauchy_tensor* t, double low, double high);
CAUCHY_API cauchy_status cauchy_nn_init_normal_(cauchy_tensor* t, double mean, double std);

#ifdef __cplusplus
}
#endif

#endif
