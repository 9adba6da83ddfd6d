// The shim's core translation unit: tensors, autograd, seeds and threads. Every exported function runs its body
// through guard(), which turns any exception into a status code plus a per-thread message, because an
// exception unwinding into the .NET runtime would abort the process.
#include "shim_internal.h"

#include <torch/cuda.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cstring>
#include <exception>
#include <string>
#include <vector>

using namespace cauchy;

extern "C" {

const char* cauchy_last_error(void) { return last_error.c_str(); }

cauchy_status cauchy_set_num_threads(int32_t n) {
  return guard([&] {
    if (n < 1) throw argument_error("thread count must be at least 1, got " + std::to_string(n));
    torch::set_num_threads(n);
  });
}

cauchy_status cauchy_get_num_threads(int32_t* out) {
  return guard([&] { *check_out(out) = torch::get_num_threads(); });
}

cauchy_status cauchy_manual_seed(uint64_t seed) {
  return guard([&] { torch::manual_seed(seed); });
}

cauchy_status cauchy_cuda_is_available(int32_t* out) {
  return guard([&] { *check_out(out) = torch::cuda::is_available() ? 1 : 0; });
}

cauchy_status cauchy_cuda_device_count(int32_t* out) {
  return guard([&] { *check_out(out) = static_cast<int32_t>(torch::cuda::device_count()); });
}

cauchy_status cauchy_set_grad_enabled(int32_t enabled) {
  return guard([&] { c10::GradMode::set_enabled(enabled != 0); });
}

cauchy_status cauchy_is_grad_enabled(int32_t* out) {
  return guard([&] { *check_out(out) = c10::GradMode::is_enabled() ? 1 : 0; });
}

void cauchy_tensor_free(cauchy_tensor* t) { delete t; }

cauchy_status cauchy_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int32_t ndim,
                                      int32_t dtype, cauchy_tensor** out) {
  return guard([&] {
    auto options = torch::TensorOptions().dtype(to_scalar_type(dtype));
    torch::Tensor t = torch::empty(to_shape(shape, ndim), options);
    const int64_t expected = static_cast<int64_t>(t.nbytes());
    if (nbytes != expected)
      throw argument_error("data holds " + std::to_string(nbytes) + " bytes but shape " +
                           c10::str(t.sizes()) + " of " + std::string(c10::toString(t.scalar_type())) +
                           " needs " + std::to_string(expected));
    if (expected > 0) {
      if (data == nullptr) throw argument_error("data pointer is null");
      std::memcpy(t.data_ptr(), data, static_cast<size_t>(expected));
    }
    wrap(std::move(t), out);
  });
}

cauchy_status cauchy_tensor_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, cauchy_tensor** out) {
  return guard([&] { wrap(torch::zeros(to_shape(shape, ndim), torch::dtype(to_scalar_type(dtype))), out); });
}

cauchy_status cauchy_tensor_ones(const int64_t* shape, int32_t ndim, int32_t dtype, cauchy_tensor** out) {
  return guard([&] { wrap(torch::ones(to_shape(shape, ndim), torch::dtype(to_scalar_type(dtype))), out); });
}

cauchy_status cauchy_tensor_randn(const int64_t* shape, int32_t ndim, int32_t dtype, cauchy_tensor** out) {
  return guard([&] { wrap(torch::randn(to_shape(shape, ndim), torch::dtype(to_scalar_type(dtype))), out); });
}

cauchy_status cauchy_tensor_arange(double start, double end, double step, int32_t dtype, cauchy_tensor** out) {
  return guard([&] { wrap(torch::arange(start, end, step, torch::dtype(to_scalar_type(dtype))), out); });
}

cauchy_status cauchy_tensor_ndim(const cauchy_tensor* t, int32_t* out) {
  return guard([&] { *check_out(out) = static_cast<int32_t>(get(t, "self").dim()); });
}

cauchy_status cauchy_tensor_shape(const cauchy_tensor* t, int64_t* out, int32_t capacity) {
  return guard([&] {
    const auto sizes = get(t, "self").sizes();
    if (capacity < static_cast<int32_t>(sizes.size()))
      throw argument_error("shape buffer holds " + std::to_string(capacity) + " dimensions, tensor has " +
                           std::to_string(sizes.size()));
    if (!sizes.empty()) std::memcpy(check_out(out), sizes.data(), sizes.size() * sizeof(int64_t));
  });
}

cauchy_status cauchy_tensor_numel(const cauchy_tensor* t, int64_t* out) {
  return guard([&] { *check_out(out) = get(t, "self").numel(); });
}

cauchy_status cauchy_tensor_dtype(const cauchy_tensor* t, int32_t* out) {
  return guard([&] { *check_out(out) = static_cast<int32_t>(get(t, "self").scalar_type()); });
}

cauchy_status cauchy_tensor_device(const cauchy_tensor* t, int32_t* type, int32_t* index) {
  return guard([&] {
    const auto device = get(t, "self").device();
    *check_out(type) = static_cast<int32_t>(device.type());
    *check_out(index) = device.index();
  });
}

cauchy_status cauchy_tensor_to_dtype(const cauchy_tensor* t, int32_t dtype, cauchy_tensor** out) {
  return guard([&] { wrap(get(t, "self").to(to_scalar_type(dtype)), out); });
}

cauchy_status cauchy_tensor_to_device(const cauchy_tensor* t, int32_t device_type, int32_t index, cauchy_tensor** out) {
  return guard([&] {
    if (device_type != static_cast<int32_t>(c10::DeviceType::CPU) &&
        device_type != static_cast<int32_t>(c10::DeviceType::CUDA))
      throw argument_error("unsupported device type code " + std::to_string(device_type));
    if (index < -1 || index > 127) throw argument_error("device index out of range: " + std::to_string(index));
    const c10::Device device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(index));
    wrap(get(t, "self").to(device), out);
  });
}

cauchy_status cauchy_tensor_detach(const cauchy_tensor* t, cauchy_tensor** out) {
  return guard([&] { wrap(get(t, "self").detach(), out); });
}

cauchy_status cauchy_tensor_copy_to_host(const cauchy_tensor* t, void* out, int64_t nbytes) {
  return guard([&] {
    // detach: reading values must not need grad bookkeeping; contiguous: the caller expects row-major order.
    const torch::Tensor host = get(t, "self").detach().to(torch::kCPU).contiguous();
    const int64_t size = static_cast<int64_t>(host.nbytes());
    if (nbytes != size)
      throw argument_error("host buffer holds " + std::to_string(nbytes) + " bytes, tensor has " +
                           std::to_string(size));
    if (size > 0) std::memcpy(check_out(out), host.data_ptr(), static_cast<size_t>(size));
  });
}

cauchy_status cauchy_tensor_add(const cauchy_tensor* a, const cauchy_tensor* b, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").add(get(b, "other")), out); });
}

cauchy_status cauchy_tensor_sub(const cauchy_tensor* a, const cauchy_tensor* b, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").sub(get(b, "other")), out); });
}

cauchy_status cauchy_tensor_mul(const cauchy_tensor* a, const cauchy_tensor* b, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").mul(get(b, "other")), out); });
}

cauchy_status cauchy_tensor_div(const cauchy_tensor* a, const cauchy_tensor* b, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").div(get(b, "other")), out); });
}

cauchy_status cauchy_tensor_add_scalar(const cauchy_tensor* a, double b, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").add(b), out); });
}

cauchy_status cauchy_tensor_mul_scalar(const cauchy_tensor* a, double b, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").mul(b), out); });
}

cauchy_status cauchy_tensor_matmul(const cauchy_tensor* a, const cauchy_tensor* b, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").matmul(get(b, "other")), out); });
}

cauchy_status cauchy_tensor_neg(const cauchy_tensor* a, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").neg(), out); });
}

cauchy_status cauchy_tensor_sum(const cauchy_tensor* a, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").sum(), out); });
}

cauchy_status cauchy_tensor_mean(const cauchy_tensor* a, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").mean(), out); });
}

cauchy_status cauchy_tensor_sum_dim(const cauchy_tensor* a, int64_t dim, int32_t keepdim, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").sum(dim, keepdim != 0), out); });
}

cauchy_status cauchy_tensor_mean_dim(const cauchy_tensor* a, int64_t dim, int32_t keepdim, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").mean(dim, keepdim != 0), out); });
}

cauchy_status cauchy_tensor_argmax(const cauchy_tensor* a, int64_t dim, int32_t keepdim, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").argmax(dim, keepdim != 0), out); });
}

cauchy_status cauchy_tensor_select(const cauchy_tensor* a, int64_t dim, int64_t index, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").select(dim, index), out); });
}

cauchy_status cauchy_tensor_narrow(const cauchy_tensor* a, int64_t dim, int64_t start, int64_t length,
                                   cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").narrow(dim, start, length), out); });
}

cauchy_status cauchy_tensor_relu(const cauchy_tensor* a, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").relu(), out); });
}

cauchy_status cauchy_tensor_reshape(const cauchy_tensor* a, const int64_t* shape, int32_t ndim, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").reshape(to_shape(shape, ndim)), out); });
}

cauchy_status cauchy_tensor_view(const cauchy_tensor* a, const int64_t* shape, int32_t ndim, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").view(to_shape(shape, ndim)), out); });
}

cauchy_status cauchy_tensor_set_requires_grad(cauchy_tensor* t, int32_t requires_grad) {
  return guard([&] {
    if (t == nullptr) throw argument_error("tensor 'self' is a null handle");
    t->tensor.set_requires_grad(requires_grad != 0);
  });
}

cauchy_status cauchy_tensor_requires_grad(const cauchy_tensor* t, int32_t* out) {
  return guard([&] { *check_out(out) = get(t, "self").requires_grad() ? 1 : 0; });
}

cauchy_status cauchy_tensor_backward(const cauchy_tensor* t) {
  return guard([&] { get(t, "self").backward(); });
}

cauchy_status cauchy_tensor_grad(const cauchy_tensor* t, cauchy_tensor** out) {
  return guard([&] {
    const torch::Tensor& g = get(t, "self").grad();
    if (g.defined())
      wrap(g, out);
    else
      *check_out(out) = nullptr;
  });
}

}  // extern "C"
