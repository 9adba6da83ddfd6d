/* C ABI of the Cauchy.Torch shim. Every function that can fail returns a cauchy_status (0 = success);
 * on failure the message is fetched with cauchy_last_error() on the same thread. Tensors are opaque
 * handles owned by the caller and released with cauchy_tensor_free. */
#ifndef CAUCHY_TORCH_H
#define CAUCHY_TORCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CAUCHY_API __attribute__((visibility("default")))

typedef int32_t cauchy_status;
enum {
  CAUCHY_OK = 0,
  CAUCHY_ERR_TORCH = 1,         /* a c10::Error from libtorch (shape mismatch, bad dtype, ...) */
  CAUCHY_ERR_STD = 2,           /* any other std::exception */
  CAUCHY_ERR_ARGUMENT = 3,      /* a null handle, a negative size, an unsupported dtype code */
  CAUCHY_ERR_UNKNOWN = 4        /* a non-standard exception */
};

typedef struct cauchy_tensor cauchy_tensor;

/* dtype codes are libtorch's c10::ScalarType values, the same numbers TorchSharp and PyTorch use. */
enum {
  CAUCHY_UINT8 = 0,
  CAUCHY_INT64 = 4,
  CAUCHY_FLOAT32 = 6,
  CAUCHY_FLOAT64 = 7,
  CAUCHY_BOOL = 11
};

CAUCHY_API const char* cauchy_last_error(void);
/* 1 when the shim raised glibc's mmap and trim thresholds at load so freed tensor memory stays in the process
 * (see cauchy_torch.cpp); 0 with CAUCHY_TORCH_MALLOC_DEFAULTS=1 or without glibc. */
CAUCHY_API int32_t cauchy_malloc_tuned(void);

CAUCHY_API cauchy_status cauchy_set_num_threads(int32_t n);
CAUCHY_API cauchy_status cauchy_get_num_threads(int32_t* out);
CAUCHY_API cauchy_status cauchy_manual_seed(uint64_t seed);
CAUCHY_API cauchy_status cauchy_cuda_is_available(int32_t* out);
CAUCHY_API cauchy_status cauchy_cuda_device_count(int32_t* out);
/* Waits for every kernel queued on the device (-1: the current one); fails when libtorch sees no CUDA device. */
CAUCHY_API cauchy_status cauchy_cuda_synchronize(int32_t device);
/* A device's properties from the CUDA driver (libcuda.so.1, opened on first use, so a CPU-only machine loads the
 * shim and gets an error naming the missing driver here). name: a buffer of name_capacity bytes, filled with a
 * NUL-terminated name. */
CAUCHY_API cauchy_status cauchy_cuda_get_device_properties(int32_t device, char* name, int32_t name_capacity,
                                                           int64_t* total_memory, int32_t* major, int32_t* minor,
                                                           int32_t* multi_processor_count);
/* Free and total device memory as the driver sees it (every process on the device, not only this one). */
CAUCHY_API cauchy_status cauchy_cuda_mem_get_info(int32_t device, int64_t* free_bytes, int64_t* total_bytes);
/* Autograd recording for the calling thread (PyTorch's no_grad is per thread too). */
CAUCHY_API cauchy_status cauchy_set_grad_enabled(int32_t enabled);
CAUCHY_API cauchy_status cauchy_is_grad_enabled(int32_t* out);

CAUCHY_API void cauchy_tensor_free(cauchy_tensor* t);
CAUCHY_API cauchy_status cauchy_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int32_t ndim,
                                                 int32_t dtype, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_ones(const int64_t* shape, int32_t ndim, int32_t dtype, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_randn(const int64_t* shape, int32_t ndim, int32_t dtype, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_arange(double start, double end, double step, int32_t dtype,
                                              cauchy_tensor** out);

CAUCHY_API cauchy_status cauchy_tensor_ndim(const cauchy_tensor* t, int32_t* out);
CAUCHY_API cauchy_status cauchy_tensor_shape(const cauchy_tensor* t, int64_t* out, int32_t capacity);
CAUCHY_API cauchy_status cauchy_tensor_numel(const cauchy_tensor* t, int64_t* out);
CAUCHY_API cauchy_status cauchy_tensor_dtype(const cauchy_tensor* t, int32_t* out);
CAUCHY_API cauchy_status cauchy_tensor_device(const cauchy_tensor* t, int32_t* type, int32_t* index);
CAUCHY_API cauchy_status cauchy_tensor_to_dtype(const cauchy_tensor* t, int32_t dtype, cauchy_tensor** out);
/* device_type is a c10::DeviceType code (0 CPU, 1 CUDA); index -1 means the current device of that type. */
CAUCHY_API cauchy_status cauchy_tensor_to_device(const cauchy_tensor* t, int32_t device_type, int32_t index,
                                                 cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_detach(const cauchy_tensor* t, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_copy_to_host(const cauchy_tensor* t, void* out, int64_t nbytes);
/* The value of a one-element tensor (any device) as `dtype`, which must be the tensor's own dtype (a CAUCHY_* code);
 * `out` holds one element of that type. Tensor.item reads a step's loss with this one call. */
CAUCHY_API cauchy_status cauchy_tensor_item(const cauchy_tensor* t, int32_t dtype, void* out);

CAUCHY_API cauchy_status cauchy_tensor_add(const cauchy_tensor* a, const cauchy_tensor* b, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_sub(const cauchy_tensor* a, const cauchy_tensor* b, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_mul(const cauchy_tensor* a, const cauchy_tensor* b, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_div(const cauchy_tensor* a, const cauchy_tensor* b, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_add_scalar(const cauchy_tensor* a, double b, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_mul_scalar(const cauchy_tensor* a, double b, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_matmul(const cauchy_tensor* a, const cauchy_tensor* b, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_neg(const cauchy_tensor* a, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_sum(const cauchy_tensor* a, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_mean(const cauchy_tensor* a, cauchy_tensor** out);
/* Reductions over one dimension (negative dims count from the end, as in PyTorch). */
CAUCHY_API cauchy_status cauchy_tensor_sum_dim(const cauchy_tensor* a, int64_t dim, int32_t keepdim, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_mean_dim(const cauchy_tensor* a, int64_t dim, int32_t keepdim, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_argmax(const cauchy_tensor* a, int64_t dim, int32_t keepdim, cauchy_tensor** out);
/* Views: select drops dimension dim at index; narrow keeps length elements from start. */
CAUCHY_API cauchy_status cauchy_tensor_select(const cauchy_tensor* a, int64_t dim, int64_t index, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_narrow(const cauchy_tensor* a, int64_t dim, int64_t start, int64_t length,
                                              cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_relu(const cauchy_tensor* a, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_reshape(const cauchy_tensor* a, const int64_t* shape, int32_t ndim,
                                               cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_view(const cauchy_tensor* a, const int64_t* shape, int32_t ndim,
                                            cauchy_tensor** out);

/* Joining and reshaping. cat/stack take an array of count tensor handles. */
CAUCHY_API cauchy_status cauchy_tensor_cat(const cauchy_tensor* const* tensors, int32_t count, int64_t dim,
                                           cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_stack(const cauchy_tensor* const* tensors, int32_t count, int64_t dim,
                                             cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_flatten(const cauchy_tensor* a, int64_t start_dim, int64_t end_dim,
                                               cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_permute(const cauchy_tensor* a, const int64_t* dims, int32_t ndim,
                                               cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_transpose(const cauchy_tensor* a, int64_t dim0, int64_t dim1, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_unsqueeze(const cauchy_tensor* a, int64_t dim, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_squeeze(const cauchy_tensor* a, int64_t dim, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_contiguous(const cauchy_tensor* a, cauchy_tensor** out);
/* A second handle to the same tensor (same storage and autograd identity), owned separately. */
CAUCHY_API cauchy_status cauchy_tensor_alias(const cauchy_tensor* a, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_clone(const cauchy_tensor* a, cauchy_tensor** out);

/* Element-wise functions: op is one of CAUCHY_UNARY_*. */
enum {
  CAUCHY_UNARY_EXP = 0,
  CAUCHY_UNARY_LOG = 1,
  CAUCHY_UNARY_SQRT = 2,
  CAUCHY_UNARY_ABS = 3,
  CAUCHY_UNARY_SIGMOID = 4,
  CAUCHY_UNARY_TANH = 5
};
CAUCHY_API cauchy_status cauchy_tensor_unary(const cauchy_tensor* a, int32_t op, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_div_scalar(const cauchy_tensor* a, double b, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_pow_scalar(const cauchy_tensor* a, double exponent, cauchy_tensor** out);
/* has_min/has_max = 0 leaves that side open. */
CAUCHY_API cauchy_status cauchy_tensor_clamp(const cauchy_tensor* a, int32_t has_min, double min, int32_t has_max,
                                             double max, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_softmax(const cauchy_tensor* a, int64_t dim, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_log_softmax(const cauchy_tensor* a, int64_t dim, cauchy_tensor** out);
/* Reductions over several dimensions (PyTorch's x.mean([2, 3])). */
CAUCHY_API cauchy_status cauchy_tensor_sum_dims(const cauchy_tensor* a, const int64_t* dims, int32_t ndims,
                                                int32_t keepdim, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_mean_dims(const cauchy_tensor* a, const int64_t* dims, int32_t ndims,
                                                 int32_t keepdim, cauchy_tensor** out);
/* Largest (or smallest) k entries along dim: values and their int64 indices. */
CAUCHY_API cauchy_status cauchy_tensor_topk(const cauchy_tensor* a, int64_t k, int64_t dim, int32_t largest,
                                            int32_t sorted, cauchy_tensor** values, cauchy_tensor** indices);

/* Classification hits of a batch without autograd: logits [N, C], labels [N] (int64 class indices). Writes N, the
 * number of rows whose largest logit is the label (top-1), and of rows whose label is among the min(k, C) largest
 * (top-k). One call for what a training step otherwise reads back with topk, eq, two sums and two items. */
CAUCHY_API cauchy_status cauchy_tensor_classification_hits(const cauchy_tensor* logits, const cauchy_tensor* labels,
                                                           int64_t k, int64_t* count, int64_t* top1, int64_t* topk);

/* Comparisons give bool tensors; op is one of CAUCHY_CMP_*. */
enum { CAUCHY_CMP_EQ = 0, CAUCHY_CMP_NE = 1, CAUCHY_CMP_LT = 2, CAUCHY_CMP_LE = 3, CAUCHY_CMP_GT = 4, CAUCHY_CMP_GE = 5 };
CAUCHY_API cauchy_status cauchy_tensor_compare(const cauchy_tensor* a, const cauchy_tensor* b, int32_t op,
                                               cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_tensor_compare_scalar(const cauchy_tensor* a, double b, int32_t op, cauchy_tensor** out);
/* Same shape and values (torch.equal). */
CAUCHY_API cauchy_status cauchy_tensor_equal(const cauchy_tensor* a, const cauchy_tensor* b, int32_t* out);
CAUCHY_API cauchy_status cauchy_tensor_allclose(const cauchy_tensor* a, const cauchy_tensor* b, double rtol, double atol,
                                                int32_t* out);

/* self += other (broadcasting other) in place, recorded by autograd like PyTorch's `out += identity` in a residual
 * block; libtorch refuses it when autograd saved self for backward. */
CAUCHY_API cauchy_status cauchy_tensor_add_(cauchy_tensor* self, const cauchy_tensor* other);

/* In-place writes; they run without recording autograd history, as PyTorch's under torch.no_grad(). */
CAUCHY_API cauchy_status cauchy_tensor_copy_(cauchy_tensor* self, const cauchy_tensor* src);
CAUCHY_API cauchy_status cauchy_tensor_zero_(cauchy_tensor* self);
CAUCHY_API cauchy_status cauchy_tensor_fill_(cauchy_tensor* self, double value);
/* Replaces the tensor's data (PyTorch's `param.data = other`): the handle, and anything holding it, sees the
 * new storage, device and dtype. Module.to(device) moves parameters this way so optimizers keep them. */
CAUCHY_API cauchy_status cauchy_tensor_set_data(cauchy_tensor* self, const cauchy_tensor* src);
/* Clears the gradient: set_to_none drops it, otherwise it is zeroed in place (PyTorch 1.13's zero_grad). */
CAUCHY_API cauchy_status cauchy_tensor_zero_grad(cauchy_tensor* self, int32_t set_to_none);

CAUCHY_API cauchy_status cauchy_tensor_set_requires_grad(cauchy_tensor* t, int32_t requires_grad);
CAUCHY_API cauchy_status cauchy_tensor_requires_grad(const cauchy_tensor* t, int32_t* out);
CAUCHY_API cauchy_status cauchy_tensor_backward(const cauchy_tensor* t);
/* *out is NULL when the tensor has no gradient (yet). */
CAUCHY_API cauchy_status cauchy_tensor_grad(const cauchy_tensor* t, cauchy_tensor** out);

#ifdef __cplusplus
}
#endif

#endif
