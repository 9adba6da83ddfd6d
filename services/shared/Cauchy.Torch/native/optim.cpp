// Optimizer steps and random-generator state. The update rules follow PyTorch 1.13's _single_tensor_sgd,
// _single_tensor_adam and _single_tensor_adamw operation for operation (same libtorch kernels, same scalar
// arithmetic in double), so a C# training run matches a Python one bit for bit. One call updates every
// parameter: a step costs one P/Invoke, not one per tensor operation.
#include "optim.h"
#include "shim_internal.h"

#include <ATen/Context.h>
#include <torch/types.h>

#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

using namespace cauchy;

namespace {

struct slot_state {
  torch::Tensor momentum_buffer;
  torch::Tensor exp_avg;
  torch::Tensor exp_avg_sq;
  torch::Tensor max_exp_avg_sq;
  bool has_step = false;
  // PyTorch keeps the step as a float32 tensor and reads it back with item(): counts stay exact below 2^24.
  double step = 0;
};

void sgd(const torch::Tensor& param, slot_state& state, const cauchy_optim_group& g) {
  torch::Tensor d_p = g.maximize ? -param.grad() : param.grad();
  if (g.weight_decay != 0) d_p = d_p.add(param, g.weight_decay);
  if (g.momentum != 0) {
    if (!state.momentum_buffer.defined()) {
      state.momentum_buffer = torch::clone(d_p).detach();
    } else {
      state.momentum_buffer.mul_(g.momentum).add_(d_p, 1 - g.dampening);
    }
    if (g.nesterov)
      d_p = d_p.add(state.momentum_buffer, g.momentum);
    else
      d_p = state.momentum_buffer;
  }
  param.add_(d_p, -g.lr);
}

void adam(const torch::Tensor& param, slot_state& state, const cauchy_optim_group& g, bool decoupled) {
  if (!state.has_step) {
    state.has_step = true;
    state.step = 0;
    state.exp_avg = torch::zeros_like(param, torch::MemoryFormat::Preserve);
    state.exp_avg_sq = torch::zeros_like(param, torch::MemoryFormat::Preserve);
  }
  if (g.amsgrad && !state.max_exp_avg_sq.defined())
    state.max_exp_avg_sq = torch::zeros_like(param, torch::MemoryFormat::Preserve);

  torch::Tensor grad = g.maximize ? -param.grad() : param.grad();
  state.step += 1;
  if (decoupled) {
    param.mul_(1 - g.lr * g.weight_decay);
  } else if (g.weight_decay != 0) {
    grad = grad.add(param, g.weight_decay);
  }
  state.exp_avg.mul_(g.beta1).add_(grad, 1 - g.beta1);
  state.exp_avg_sq.mul_(g.beta2).addcmul_(grad, grad, 1 - g.beta2);

  const double bias_correction1 = 1 - std::pow(g.beta1, state.step);
  const double bias_correction2 = 1 - std::pow(g.beta2, state.step);
  const double step_size = g.lr / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);
  torch::Tensor denom;
  if (g.amsgrad) {
    torch::maximum_out(state.max_exp_avg_sq, state.max_exp_avg_sq, state.exp_avg_sq);
    denom = (state.max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(g.eps);
  } else {
    denom = (state.exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(g.eps);
  }
  param.addcdiv_(state.exp_avg, denom, -step_size);
}

torch::Tensor* entry(slot_state& state, const std::string& name) {
  if (name == "momentum_buffer") return &state.momentum_buffer;
  if (name == "exp_avg") return &state.exp_avg;
  if (name == "exp_avg_sq") return &state.exp_avg_sq;
  if (name == "max_exp_avg_sq") return &state.max_exp_avg_sq;
  throw argument_error("unknown optimizer state entry '" + name +
                       "' (expected momentum_buffer, exp_avg, exp_avg_sq, max_exp_avg_sq or step)");
}

at::Generator default_generator(int32_t device_type, int32_t index) {
  if (device_type == 0) return at::detail::getDefaultCPUGenerator();
  if (device_type == 1) return at::globalContext().defaultGenerator(c10::Device(c10::DeviceType::CUDA, index));
  throw argument_error("unsupported device type " + std::to_string(device_type) + " for a random generator");
}

}  // namespace

struct cauchy_optimizer {
  int32_t algorithm;
  std::vector<slot_state> slots;

  slot_state& at(int32_t slot) {
    if (slot < 0 || slot >= static_cast<int32_t>(slots.size()))
      throw argument_error("optimizer state slot " + std::to_string(slot) + " is out of range (the optimizer has " +
                           std::to_string(slots.size()) + " parameters)");
    return slots[static_cast<size_t>(slot)];
  }
};

extern "C" {

cauchy_status cauchy_optim_new(int32_t algorithm, int32_t slots, cauchy_optimizer** out) {
  return guard([&] {
    if (algorithm < CAUCHY_OPTIM_SGD || algorithm > CAUCHY_OPTIM_ADAMW)
      throw argument_error("unknown optimizer algorithm " + std::to_string(algorithm));
    if (slots < 0) throw argument_error("negative parameter count " + std::to_string(slots));
    auto* optimizer = new cauchy_optimizer{algorithm, std::vector<slot_state>(static_cast<size_t>(slots))};
    *check_out(out) = optimizer;
  });
}

void cauchy_optim_free(cauchy_optimizer* optimizer) { delete optimizer; }

cauchy_status cauchy_optim_set_slots(cauchy_optimizer* optimizer, int32_t slots) {
  return guard([&] {
    if (optimizer == nullptr) throw argument_error("optimizer is a null handle");
    if (slots < static_cast<int32_t>(optimizer->slots.size()))
      throw argument_error("an optimizer's parameter list cannot shrink");
    optimizer->slots.resize(static_cast<size_t>(slots));
  });
}

cauchy_status cauchy_optim_step(cauchy_optimizer* optimizer, cauchy_tensor* const* params, int32_t nparams,
                                const cauchy_optim_group* groups, int32_t ngroups) {
  return guard([&] {
    if (optimizer == nullptr) throw argument_error("optimizer is a null handle");
    if (nparams != static_cast<int32_t>(optimizer->slots.size()))
      throw argument_error("step got " + std::to_string(nparams) + " parameters, the optimizer has " +
                           std::to_string(optimizer->slots.size()));
    if (nparams > 0 && params == nullptr) throw argument_error("params pointer is null");
    if (ngroups > 0 && groups == nullptr) throw argument_error("groups pointer is null");
    int64_t total = 0;
    for (int32_t g = 0; g < ngroups; ++g) total += groups[g].count;
    if (total != nparams)
      throw argument_error("group sizes add up to " + std::to_string(total) + ", not " + std::to_string(nparams));

    torch::NoGradGuard no_grad;
    int32_t slot = 0;
    for (int32_t g = 0; g < ngroups; ++g) {
      const cauchy_optim_group& group = groups[g];
      for (int32_t i = 0; i < group.count; ++i, ++slot) {
        const std::string name = "param " + std::to_string(slot);
        const torch::Tensor& param = get(params[slot], name.c_str());
        if (!param.grad().defined()) continue;
        slot_state& state = optimizer->slots[static_cast<size_t>(slot)];
        switch (optimizer->algorithm) {
          case CAUCHY_OPTIM_SGD: sgd(param, state, group); break;
          case CAUCHY_OPTIM_ADAM: adam(param, state, group, false); break;
          default: adam(param, state, group, true); break;
        }
      }
    }
  });
}

cauchy_status cauchy_optim_zero_grad(cauchy_tensor* const* params, int32_t nparams, int32_t set_to_none) {
  return guard([&] {
    if (nparams > 0 && params == nullptr) throw argument_error("params pointer is null");
    for (int32_t i = 0; i < nparams; ++i) {
      if (params[i] == nullptr) throw argument_error("param " + std::to_string(i) + " is a null handle");
      torch::Tensor& grad = params[i]->tensor.mutable_grad();
      if (!grad.defined()) continue;
      if (set_to_none) {
        grad.reset();
        continue;
      }
      if (grad.grad_fn())
        grad = grad.detach();
      else
        grad.requires_grad_(false);
      grad.zero_();
    }
  });
}

cauchy_status cauchy_optim_state_get(const cauchy_optimizer* optimizer, int32_t slot, const char* name,
                                     cauchy_tensor** out) {
  return guard([&] {
    if (optimizer == nullptr) throw argument_error("optimizer is a null handle");
    if (name == nullptr) throw argument_error("state entry name is null");
    slot_state& state = const_cast<cauchy_optimizer*>(optimizer)->at(slot);
    if (std::strcmp(name, "step") == 0) {
      if (state.has_step)
        wrap(torch::tensor(static_cast<float>(state.step), torch::kFloat32), out);
      else
        *check_out(out) = nullptr;
      return;
    }
    const torch::Tensor& value = *entry(state, name);
    if (value.defined())
      wrap(value, out);
    else
      *check_out(out) = nullptr;
  });
}

cauchy_status cauchy_optim_state_set(cauchy_optimizer* optimizer, int32_t slot, const char* name,
                                     const cauchy_tensor* value, const cauchy_tensor* like) {
  return guard([&] {
    if (optimizer == nullptr) throw argument_error("optimizer is a null handle");
    if (name == nullptr) throw argument_error("state entry name is null");
    slot_state& state = optimizer->at(slot);
    if (std::strcmp(name, "step") == 0) {
      if (value == nullptr) {
        state.has_step = false;
        state.step = 0;
        return;
      }
      if (value->tensor.numel() != 1)
        throw argument_error("state entry 'step' must hold one value, it has " + std::to_string(value->tensor.numel()));
      state.step = value->tensor.item<double>();
      state.has_step = true;
      return;
    }
    torch::Tensor* target = entry(state, name);
    if (value == nullptr) {
      target->reset();
      return;
    }
    torch::NoGradGuard no_grad;
    torch::Tensor copy = value->tensor.detach();
    if (like != nullptr) {
      const torch::Tensor& reference = like->tensor;
      if (!copy.sizes().equals(reference.sizes()))
        throw argument_error("state entry '" + std::string(name) + "' of parameter " + std::to_string(slot) +
                             " has shape " + c10::str(copy.sizes()) + ", the parameter has " +
                             c10::str(reference.sizes()));
      copy = copy.to(reference.options().requires_grad(false));
    }
    *target = copy.clone();
  });
}

cauchy_status cauchy_optim_copy_(cauchy_tensor* dst, const cauchy_tensor* src) {
  return guard([&] {
    if (dst == nullptr) throw argument_error("tensor 'dst' is a null handle");
    const torch::Tensor& source = get(src, "src");
    torch::NoGradGuard no_grad;
    dst->tensor.copy_(source);
  });
}

cauchy_status cauchy_optim_get_rng_state(int32_t device_type, int32_t index, cauchy_tensor** out) {
  return guard([&] {
    at::Generator generator = default_generator(device_type, index);
    std::lock_guard<std::mutex> lock(generator.mutex());
    wrap(generator.get_state(), out);
  });
}

cauchy_status cauchy_optim_set_rng_state(int32_t device_type, int32_t index, const cauchy_tensor* state) {
  return guard([&] {
    const torch::Tensor& value = get(state, "state");
    if (value.scalar_type() != torch::kUInt8 || value.dim() != 1)
      throw argument_error("a generator state is a 1-D uint8 tensor, got " + c10::str(value.sizes()) + " of " +
                           std::string(c10::toString(value.scalar_type())));
    at::Generator generator = default_generator(device_type, index);
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(value.cpu().contiguous());
  });
}

}  // extern "C"
