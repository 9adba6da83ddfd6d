// The shim's core translation unit: tensors, autograd, seeds and threads. Every exported function runs its body
// through guard(), which turns any exception into a status code plus a per-thread message, because an
// exception unwinding into the .NET runtime would abort the process.
#include "shim_internal.h"

#include <torch/cuda.h>
#include <torch/types.h>
#include <torch/utils.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

using namespace cauchy;

namespace {

// glibc gives freed blocks above M_MMAP_THRESHOLD back to the kernel at once and trims the heap's free top above
// M_TRIM_THRESHOLD. Its dynamic threshold only follows the largest block freed so far (and stops at 32 MiB), so a
// training step, which frees and reallocates the same few-MiB activations and gradients every step, keeps
// returning memory and page-faulting fresh zeroed pages back in. Keeping freed memory in the process (what
// PyTorch users do with MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_) removes that cost; resident memory then
// stays at the step's high-water mark instead of falling between steps. CAUCHY_TORCH_MALLOC_DEFAULTS=1 keeps
// glibc's defaults, and a threshold set through glibc's own variable is left as it is.
constexpr int kMmapThreshold = 32 << 20;   // glibc's maximum on 64-bit (HEAP_MAX_SIZE / 2); larger is refused
constexpr int kTrimThreshold = 512 << 20;  // trim only when this much is free at the heap's top

bool tune_malloc() {
#ifdef __GLIBC__
  const char* defaults = std::getenv("CAUCHY_TORCH_MALLOC_DEFAULTS");
  if (defaults != nullptr && std::strcmp(defaults, "1") == 0) return false;
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
  return true;
#else
  return false;
#endif
}

// Runs when the shim is loaded (the first P/Invoke), before any tensor is allocated through it.
const bool malloc_tuned = tune_malloc();

// The CUDA driver API, opened with dlopen so the shim needs no CUDA headers or libraries at build time and loads
// on machines without a driver. libtorch has no device-properties call outside its CUDA headers; the driver's
// entry points used here are stable across CUDA versions (the _v2 names are the current ABI).
struct cuda_driver {
  using result = int;
  result (*init)(unsigned) = nullptr;
  result (*device_get_count)(int*) = nullptr;
  result (*device_get)(int*, int) = nullptr;
  result (*device_get_name)(char*, int, int) = nullptr;
  result (*device_total_mem)(size_t*, int) = nullptr;
  result (*device_get_attribute)(int*, int, int) = nullptr;
  result (*primary_ctx_retain)(void**, int) = nullptr;
  result (*primary_ctx_release)(int) = nullptr;
  result (*ctx_push_current)(void*) = nullptr;
  result (*ctx_pop_current)(void**) = nullptr;
  result (*mem_get_info)(size_t*, size_t*) = nullptr;
  result (*get_error_string)(result, const char**) = nullptr;
  std::string unavailable;  // why the driver cannot be used; empty when it can
};

const cuda_driver& driver() {
  static const cuda_driver loaded = [] {
    cuda_driver d;
    void* library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char* why = dlerror();
      d.unavailable = std::string("the CUDA driver library libcuda.so.1 could not be loaded (") +
                      (why != nullptr ? why : "no reason given") + "): this machine has no NVIDIA driver";
      return d;
    }
    auto bind = [&](auto& fn, std::initializer_list<const char*> names) {
      for (const char* name : names) {
        if (void* symbol = dlsym(library, name)) {
          fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(symbol);
          return;
        }
      }
      if (d.unavailable.empty()) d.unavailable = std::string("libcuda.so.1 has no ") + *names.begin();
    };
    bind(d.init, {"cuInit"});
    bind(d.device_get_count, {"cuDeviceGetCount"});
    bind(d.device_get, {"cuDeviceGet"});
    bind(d.device_get_name, {"cuDeviceGetName"});
    bind(d.device_total_mem, {"cuDeviceTotalMem_v2"});
    bind(d.device_get_attribute, {"cuDeviceGetAttribute"});
    bind(d.primary_ctx_retain, {"cuDevicePrimaryCtxRetain"});
    bind(d.primary_ctx_release, {"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"});
    bind(d.ctx_push_current, {"cuCtxPushCurrent_v2"});
    bind(d.ctx_pop_current, {"cuCtxPopCurrent_v2"});
    bind(d.mem_get_info, {"cuMemGetInfo_v2"});
    bind(d.get_error_string, {"cuGetErrorString"});
    return d;
  }();
  return loaded;
}

void check_cu(int code, const char* call) {
  if (code == 0) return;
  const char* text = nullptr;
  if (driver().get_error_string == nullptr || driver().get_error_string(code, &text) != 0) text = nullptr;
  throw std::runtime_error(std::string(call) + " failed: " +
                           (text != nullptr ? std::string(text) : "CUDA driver error " + std::to_string(code)));
}

// The driver's handle for device `index`, after checking the index against the devices the driver sees.
int cu_device(int32_t index) {
  const cuda_driver& d = driver();
  if (!d.unavailable.empty()) throw std::runtime_error(d.unavailable);
  check_cu(d.init(0), "cuInit");
  int count = 0;
  check_cu(d.device_get_count(&count), "cuDeviceGetCount");
  if (index < 0 || index >= count)
    throw argument_error("CUDA device index " + std::to_string(index) + " is out of range: the driver sees " +
                         std::to_string(count) + " device(s)");
  int device = 0;
  check_cu(d.device_get(&device, index), "cuDeviceGet");
  return device;
}

constexpr int kAttributeMultiprocessorCount = 16;    // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
constexpr int kAttributeComputeCapabilityMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kAttributeComputeCapabilityMinor = 76;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR

}  // namespace

extern "C" {

int32_t cauchy_malloc_tuned(void) { return malloc_tuned ? 1 : 0; }

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

cauchy_status cauchy_cuda_synchronize(int32_t device) {
  return guard([&] {
    if (device < -1) throw argument_error("CUDA device index must be -1 (the current device) or more, got " + std::to_string(device));
    torch::cuda::synchronize(device);
  });
}

cauchy_status cauchy_cuda_get_device_properties(int32_t device, char* name, int32_t name_capacity,
                                                int64_t* total_memory, int32_t* major, int32_t* minor,
                                                int32_t* multi_processor_count) {
  return guard([&] {
    if (name_capacity < 1) throw argument_error("name buffer capacity must be at least 1, got " + std::to_string(name_capacity));
    check_out(name);
    const int handle = cu_device(device);
    const cuda_driver& d = driver();
    check_cu(d.device_get_name(name, name_capacity, handle), "cuDeviceGetName");
    name[name_capacity - 1] = '\0';
    size_t bytes = 0;
    check_cu(d.device_total_mem(&bytes, handle), "cuDeviceTotalMem");
    *check_out(total_memory) = static_cast<int64_t>(bytes);
    check_cu(d.device_get_attribute(check_out(major), kAttributeComputeCapabilityMajor, handle), "cuDeviceGetAttribute");
    check_cu(d.device_get_attribute(check_out(minor), kAttributeComputeCapabilityMinor, handle), "cuDeviceGetAttribute");
    check_cu(d.device_get_attribute(check_out(multi_processor_count), kAttributeMultiprocessorCount, handle),
             "cuDeviceGetAttribute");
  });
}

cauchy_status cauchy_cuda_mem_get_info(int32_t device, int64_t* free_bytes, int64_t* total_bytes) {
  return guard([&] {
    check_out(free_bytes);
    check_out(total_bytes);
    const int handle = cu_device(device);
    const cuda_driver& d = driver();
    // cuMemGetInfo needs a current context: the device's primary context, the one libtorch's runtime calls use,
    // retained (created if nothing made it yet) and pushed on this thread only for the query.
    void* context = nullptr;
    check_cu(d.primary_ctx_retain(&context, handle), "cuDevicePrimaryCtxRetain");
    size_t free_memory = 0, total_memory = 0;
    int code = d.ctx_push_current(context);
    if (code == 0) {
      code = d.mem_get_info(&free_memory, &total_memory);
      void* popped = nullptr;
      d.ctx_pop_current(&popped);
    }
    d.primary_ctx_release(handle);
    check_cu(code, "cuMemGetInfo");
    *free_bytes = static_cast<int64_t>(free_memory);
    *total_bytes = static_cast<int64_t>(total_memory);
  });
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

cauchy_status cauchy_tensor_item(const cauchy_tensor* t, int32_t dtype, void* out) {
  return guard([&] {
    const torch::Tensor& value = get(t, "self");
    const auto type = to_scalar_type(dtype);
    if (value.scalar_type() != type)
      throw argument_error("item() as " + std::string(c10::toString(type)) + " needs a tensor of that dtype, this one is " +
                           std::string(c10::toString(value.scalar_type())));
    if (value.numel() != 1)
      throw argument_error("item() needs a tensor with one element, this one has " + std::to_string(value.numel()));
    const torch::Tensor host = value.detach().to(torch::kCPU);
    std::memcpy(check_out(out), host.data_ptr(), host.element_size());
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

namespace {

std::vector<torch::Tensor> tensor_list(const cauchy_tensor* const* tensors, int32_t count) {
  if (count < 1) throw argument_error("expected at least one tensor, got " + std::to_string(count));
  if (tensors == nullptr) throw argument_error("tensor list pointer is null");
  std::vector<torch::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    const std::string name = "tensors[" + std::to_string(i) + "]";
    list.push_back(get(tensors[i], name.c_str()));
  }
  return list;
}

torch::Tensor& get_mutable(cauchy_tensor* t, const char* name) {
  if (t == nullptr) throw argument_error(std::string("tensor '") + name + "' is a null handle");
  return t->tensor;
}

torch::Tensor compare(const torch::Tensor& a, const torch::Tensor& b, int32_t op) {
  switch (op) {
    case CAUCHY_CMP_EQ: return a.eq(b);
    case CAUCHY_CMP_NE: return a.ne(b);
    case CAUCHY_CMP_LT: return a.lt(b);
    case CAUCHY_CMP_LE: return a.le(b);
    case CAUCHY_CMP_GT: return a.gt(b);
    case CAUCHY_CMP_GE: return a.ge(b);
    default: throw argument_error("unknown comparison code " + std::to_string(op));
  }
}

torch::Tensor compare_scalar(const torch::Tensor& a, double b, int32_t op) {
  switch (op) {
    case CAUCHY_CMP_EQ: return a.eq(b);
    case CAUCHY_CMP_NE: return a.ne(b);
    case CAUCHY_CMP_LT: return a.lt(b);
    case CAUCHY_CMP_LE: return a.le(b);
    case CAUCHY_CMP_GT: return a.gt(b);
    case CAUCHY_CMP_GE: return a.ge(b);
    default: throw argument_error("unknown comparison code " + std::to_string(op));
  }
}

}  // namespace

cauchy_status cauchy_tensor_cat(const cauchy_tensor* const* tensors, int32_t count, int64_t dim, cauchy_tensor** out) {
  return guard([&] { wrap(torch::cat(tensor_list(tensors, count), dim), out); });
}

cauchy_status cauchy_tensor_stack(const cauchy_tensor* const* tensors, int32_t count, int64_t dim, cauchy_tensor** out) {
  return guard([&] { wrap(torch::stack(tensor_list(tensors, count), dim), out); });
}

cauchy_status cauchy_tensor_flatten(const cauchy_tensor* a, int64_t start_dim, int64_t end_dim, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").flatten(start_dim, end_dim), out); });
}

cauchy_status cauchy_tensor_permute(const cauchy_tensor* a, const int64_t* dims, int32_t ndim, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").permute(to_shape(dims, ndim)), out); });
}

cauchy_status cauchy_tensor_transpose(const cauchy_tensor* a, int64_t dim0, int64_t dim1, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").transpose(dim0, dim1), out); });
}

cauchy_status cauchy_tensor_unsqueeze(const cauchy_tensor* a, int64_t dim, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").unsqueeze(dim), out); });
}

cauchy_status cauchy_tensor_squeeze(const cauchy_tensor* a, int64_t dim, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").squeeze(dim), out); });
}

cauchy_status cauchy_tensor_contiguous(const cauchy_tensor* a, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").contiguous(), out); });
}

cauchy_status cauchy_tensor_alias(const cauchy_tensor* a, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self"), out); });
}

cauchy_status cauchy_tensor_clone(const cauchy_tensor* a, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").clone(), out); });
}

cauchy_status cauchy_tensor_unary(const cauchy_tensor* a, int32_t op, cauchy_tensor** out) {
  return guard([&] {
    const torch::Tensor& x = get(a, "self");
    switch (op) {
      case CAUCHY_UNARY_EXP: wrap(x.exp(), out); break;
      case CAUCHY_UNARY_LOG: wrap(x.log(), out); break;
      case CAUCHY_UNARY_SQRT: wrap(x.sqrt(), out); break;
      case CAUCHY_UNARY_ABS: wrap(x.abs(), out); break;
      case CAUCHY_UNARY_SIGMOID: wrap(x.sigmoid(), out); break;
      case CAUCHY_UNARY_TANH: wrap(x.tanh(), out); break;
      default: throw argument_error("unknown unary op code " + std::to_string(op));
    }
  });
}

cauchy_status cauchy_tensor_div_scalar(const cauchy_tensor* a, double b, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").div(b), out); });
}

cauchy_status cauchy_tensor_pow_scalar(const cauchy_tensor* a, double exponent, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").pow(exponent), out); });
}

cauchy_status cauchy_tensor_clamp(const cauchy_tensor* a, int32_t has_min, double min, int32_t has_max, double max,
                                  cauchy_tensor** out) {
  return guard([&] {
    if (!has_min && !has_max) throw argument_error("clamp needs at least one of min and max");
    c10::optional<c10::Scalar> lo = has_min ? c10::optional<c10::Scalar>(min) : c10::nullopt;
    c10::optional<c10::Scalar> hi = has_max ? c10::optional<c10::Scalar>(max) : c10::nullopt;
    wrap(get(a, "self").clamp(lo, hi), out);
  });
}

cauchy_status cauchy_tensor_softmax(const cauchy_tensor* a, int64_t dim, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").softmax(dim), out); });
}

cauchy_status cauchy_tensor_log_softmax(const cauchy_tensor* a, int64_t dim, cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").log_softmax(dim), out); });
}

cauchy_status cauchy_tensor_sum_dims(const cauchy_tensor* a, const int64_t* dims, int32_t ndims, int32_t keepdim,
                                     cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").sum(to_shape(dims, ndims), keepdim != 0), out); });
}

cauchy_status cauchy_tensor_mean_dims(const cauchy_tensor* a, const int64_t* dims, int32_t ndims, int32_t keepdim,
                                      cauchy_tensor** out) {
  return guard([&] { wrap(get(a, "self").mean(to_shape(dims, ndims), keepdim != 0), out); });
}

cauchy_status cauchy_tensor_topk(const cauchy_tensor* a, int64_t k, int64_t dim, int32_t largest, int32_t sorted,
                                 cauchy_tensor** values, cauchy_tensor** indices) {
  return guard([&] {
    check_out(values);
    check_out(indices);
    auto result = get(a, "self").topk(k, dim, largest != 0, sorted != 0);
    auto* v = new cauchy_tensor{std::get<0>(result)};
    *indices = new cauchy_tensor{std::get<1>(result)};
    *values = v;
  });
}

cauchy_status cauchy_tensor_classification_hits(const cauchy_tensor* logits, const cauchy_tensor* labels, int64_t k,
                                                int64_t* count, int64_t* top1, int64_t* topk) {
  return guard([&] {
    check_out(count);
    check_out(top1);
    check_out(topk);
    const torch::Tensor& scores = get(logits, "logits");
    const torch::Tensor& targets = get(labels, "labels");
    if (scores.dim() != 2) throw argument_error("logits must be [N, C], got shape " + c10::str(scores.sizes()));
    if (targets.dim() != 1 || targets.size(0) != scores.size(0))
      throw argument_error("labels must be [N] for logits " + c10::str(scores.sizes()) + ", got shape " +
                           c10::str(targets.sizes()));
    if (k < 1) throw argument_error("k must be at least 1, got " + std::to_string(k));
    torch::NoGradGuard no_grad;
    const torch::Tensor indices = std::get<1>(scores.topk(std::min(k, scores.size(1)), 1));
    const torch::Tensor hits = indices.eq(targets.unsqueeze(1));
    *count = scores.size(0);
    *top1 = hits.narrow(1, 0, 1).sum().item<int64_t>();
    *topk = hits.sum().item<int64_t>();
  });
}

cauchy_status cauchy_tensor_compare(const cauchy_tensor* a, const cauchy_tensor* b, int32_t op, cauchy_tensor** out) {
  return guard([&] { wrap(compare(get(a, "self"), get(b, "other"), op), out); });
}

cauchy_status cauchy_tensor_compare_scalar(const cauchy_tensor* a, double b, int32_t op, cauchy_tensor** out) {
  return guard([&] { wrap(compare_scalar(get(a, "self"), b, op), out); });
}

cauchy_status cauchy_tensor_equal(const cauchy_tensor* a, const cauchy_tensor* b, int32_t* out) {
  return guard([&] { *check_out(out) = get(a, "self").equal(get(b, "other")) ? 1 : 0; });
}

cauchy_status cauchy_tensor_allclose(const cauchy_tensor* a, const cauchy_tensor* b, double rtol, double atol,
                                     int32_t* out) {
  return guard([&] { *check_out(out) = get(a, "self").allclose(get(b, "other"), rtol, atol) ? 1 : 0; });
}

cauchy_status cauchy_tensor_copy_(cauchy_tensor* self, const cauchy_tensor* src) {
  return guard([&] {
    torch::NoGradGuard no_grad;
    get_mutable(self, "self").copy_(get(src, "src"));
  });
}

cauchy_status cauchy_tensor_add_(cauchy_tensor* self, const cauchy_tensor* other) {
  return guard([&] { get_mutable(self, "self").add_(get(other, "other")); });
}

cauchy_status cauchy_tensor_zero_(cauchy_tensor* self) {
  return guard([&] {
    torch::NoGradGuard no_grad;
    get_mutable(self, "self").zero_();
  });
}

cauchy_status cauchy_tensor_fill_(cauchy_tensor* self, double value) {
  return guard([&] {
    torch::NoGradGuard no_grad;
    get_mutable(self, "self").fill_(value);
  });
}

cauchy_status cauchy_tensor_set_data(cauchy_tensor* self, const cauchy_tensor* src) {
  return guard([&] { get_mutable(self, "self").set_data(get(src, "src")); });
}

cauchy_status cauchy_tensor_zero_grad(cauchy_tensor* self, int32_t set_to_none) {
  return guard([&] {
    torch::Tensor& grad = get_mutable(self, "self").mutable_grad();
    if (!grad.defined()) return;
    if (set_to_none) {
      grad.reset();
      return;
    }
    // As PyTorch's Module.zero_grad: a gradient that is part of a graph is cut off from it first.
    if (grad.grad_fn())
      grad = grad.detach();
    else
      grad.set_requires_grad(false);
    grad.zero_();
  });
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
