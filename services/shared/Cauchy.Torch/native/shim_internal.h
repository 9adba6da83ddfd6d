// Internals shared by the shim's translation units (not part of the C ABI): the handle type, the exception
// guard every exported function runs its body through, and argument helpers. Each .cpp that includes torch
// headers costs tens of seconds to compile, so split only along large, independent areas (tensors, nn, optim,
// vision).
#pragma once

#include "cauchy_torch.h"

#include <torch/types.h>

#include <exception>
#include <string>
#include <vector>

struct cauchy_tensor {
  torch::Tensor tensor;
};

namespace cauchy {

inline thread_local std::string last_error;

// Thrown for caller mistakes the shim detects itself, so they get their own status code.
struct argument_error : std::exception {
  explicit argument_error(std::string m) : message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
  std::string message;
};

template <typename F>
inline cauchy_status guard(F&& body) noexcept {
  try {
    body();
    return CAUCHY_OK;
  } catch (const argument_error& e) {
    last_error = e.what();
    return CAUCHY_ERR_ARGUMENT;
  } catch (const c10::Error& e) {
    // what_without_backtrace keeps the message a user can act on ("The size of tensor a (3) must match ...").
    last_error = e.what_without_backtrace();
    return CAUCHY_ERR_TORCH;
  } catch (const std::exception& e) {
    last_error = e.what();
    return CAUCHY_ERR_STD;
  } catch (...) {
    last_error = "unknown native exception";
    return CAUCHY_ERR_UNKNOWN;
  }
}

inline const torch::Tensor& get(const cauchy_tensor* t, const char* name) {
  if (t == nullptr) throw argument_error(std::string("tensor '") + name + "' is a null handle");
  return t->tensor;
}

template <typename T>
inline T* check_out(T* out) {
  if (out == nullptr) throw argument_error("output pointer is null");
  return out;
}

inline c10::ScalarType to_scalar_type(int32_t code) {
  switch (code) {
    case CAUCHY_UINT8: return torch::kUInt8;
    case CAUCHY_INT64: return torch::kInt64;
    case CAUCHY_FLOAT32: return torch::kFloat32;
    case CAUCHY_FLOAT64: return torch::kFloat64;
    case CAUCHY_BOOL: return torch::kBool;
    default: throw argument_error("unsupported dtype code " + std::to_string(code));
  }
}

inline std::vector<int64_t> to_shape(const int64_t* shape, int32_t ndim) {
  if (ndim < 0) throw argument_error("negative number of dimensions " + std::to_string(ndim));
  if (ndim > 0 && shape == nullptr) throw argument_error("shape pointer is null");
  return std::vector<int64_t>(shape, shape + ndim);
}

inline void wrap(torch::Tensor value, cauchy_tensor** out) {
  *check_out(out) = new cauchy_tensor{std::move(value)};
}

}  // namespace cauchy
