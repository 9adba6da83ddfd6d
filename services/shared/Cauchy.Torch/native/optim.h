/* C ABI of the shim's optimizer and random-state half (optim.cpp). Same conventions as cauchy_torch.h: every
 * function returns a cauchy_status and leaves its message in cauchy_last_error(). Names carry the cauchy_optim_
 * prefix so they never collide with the tensor half's. */
#ifndef CAUCHY_OPTIM_H
#define CAUCHY_OPTIM_H

#include "cauchy_torch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The per-parameter state of one optimizer (momentum buffers, Adam moments, step counts), indexed by "slot":
 * the parameter's position in the optimizer's flattened parameter list, which is also its index in PyTorch's
 * optimizer state_dict. */
typedef struct cauchy_optimizer cauchy_optimizer;

enum {
  CAUCHY_OPTIM_SGD = 0,
  CAUCHY_OPTIM_ADAM = 1,
  CAUCHY_OPTIM_ADAMW = 2
};

/* One parameter group's hyperparameters; `count` consecutive entries of the params array belong to it. */
typedef struct cauchy_optim_group {
  double lr;
  double momentum;
  double dampening;
  double weight_decay;
  double beta1;
  double beta2;
  double eps;
  int32_t nesterov;
  int32_t amsgrad;
  int32_t maximize;
  int32_t count;
} cauchy_optim_group;

CAUCHY_API cauchy_status cauchy_optim_new(int32_t algorithm, int32_t slots, cauchy_optimizer** out);
CAUCHY_API void cauchy_optim_free(cauchy_optimizer* optimizer);
/* Grows the state table (add_param_group). */
CAUCHY_API cauchy_status cauchy_optim_set_slots(cauchy_optimizer* optimizer, int32_t slots);
/* One optimizer step over every parameter of every group, in place and without autograd recording: PyTorch
 * 1.13's single-tensor algorithms, operation for operation. Parameters without a gradient are skipped. */
CAUCHY_API cauchy_status cauchy_optim_step(cauchy_optimizer* optimizer, cauchy_tensor* const* params, int32_t nparams,
                                           const cauchy_optim_group* groups, int32_t ngroups);
/* Optimizer.zero_grad: set_to_none drops the gradients, otherwise they are detached and zeroed in place. */
CAUCHY_API cauchy_status cauchy_optim_zero_grad(cauchy_tensor* const* params, int32_t nparams, int32_t set_to_none);
/* State entries by name: "momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step" (a float32
 * scalar, as PyTorch keeps it). get sets *out to NULL when the entry does not exist (yet). set copies the value
 * (cast to `like`'s dtype and device when `like` is given, except "step"); a NULL value removes the entry. */
CAUCHY_API cauchy_status cauchy_optim_state_get(const cauchy_optimizer* optimizer, int32_t slot, const char* name,
                                                cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_optim_state_set(cauchy_optimizer* optimizer, int32_t slot, const char* name,
                                                const cauchy_tensor* value, const cauchy_tensor* like);
/* Copies src into dst in place without autograd recording (loading weights into parameters). */
CAUCHY_API cauchy_status cauchy_optim_copy_(cauchy_tensor* dst, const cauchy_tensor* src);

/* The default generator's state for a device type (0 CPU, 1 CUDA) and index (-1: current), as a uint8 tensor:
 * torch.get_rng_state / torch.cuda.get_rng_state. */
CAUCHY_API cauchy_status cauchy_optim_get_rng_state(int32_t device_type, int32_t index, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_optim_set_rng_state(int32_t device_type, int32_t index, const cauchy_tensor* state);

#ifdef __cplusplus
}
#endif

#endif
