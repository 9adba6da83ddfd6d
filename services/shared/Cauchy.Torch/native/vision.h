/* C ABI of the shim's data-pipeline half (vision.cpp): OpenCV image decode/encode, resize and colour
 * conversion on HWC tensors, conversion to CHW float, and tensors over caller-owned host memory. Same
 * conventions as cauchy_torch.h; an OpenCV exception becomes a status and message, never a crash. */
#ifndef CAUCHY_VISION_H
#define CAUCHY_VISION_H

#include "cauchy_torch.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
  CAUCHY_DECODE_COLOR = 0,     /* 3 channels, BGR (OpenCV's order) */
  CAUCHY_DECODE_GRAYSCALE = 1, /* 1 channel */
  CAUCHY_DECODE_UNCHANGED = 2  /* as stored, alpha included */
};

enum {
  CAUCHY_INTER_NEAREST = 0,
  CAUCHY_INTER_LINEAR = 1,
  CAUCHY_INTER_AREA = 3
};

enum {
  CAUCHY_COLOR_BGR2RGB = 0, /* also RGB2BGR: the same channel swap */
  CAUCHY_COLOR_BGR2GRAY = 1,
  CAUCHY_COLOR_RGB2GRAY = 2,
  CAUCHY_COLOR_GRAY2BGR = 3 /* also GRAY2RGB */
};

/* Decodes PNG/JPEG/BMP/... bytes to a uint8 tensor of shape [H, W, C]. */
CAUCHY_API cauchy_status cauchy_vision_decode(const void* data, int64_t nbytes, int32_t mode, cauchy_tensor** out);
/* Encodes a uint8 [H, W] or [H, W, C] (C = 1, 3 or 4, BGR order) tensor; ext is ".png", ".jpg", ...; the result
 * is a 1-D uint8 tensor of the encoded bytes. */
CAUCHY_API cauchy_status cauchy_vision_encode(const cauchy_tensor* image, const char* ext, cauchy_tensor** out);
/* Resizes a uint8 or float32 [H, W] / [H, W, C] tensor to height x width. */
CAUCHY_API cauchy_status cauchy_vision_resize(const cauchy_tensor* image, int32_t height, int32_t width,
                                              int32_t interpolation, cauchy_tensor** out);
CAUCHY_API cauchy_status cauchy_vision_cvt_color(const cauchy_tensor* image, int32_t code, cauchy_tensor** out);
/* [H, W] or [H, W, C] uint8 -> [C, H, W] float32 in [0, 1] (torchvision's ToTensor). */
CAUCHY_API cauchy_status cauchy_vision_to_chw_float(const cauchy_tensor* image, cauchy_tensor** out);

/* A CPU tensor over caller-owned memory, without a copy. The shim owns `context` from the moment this is called,
 * whatever the status: release(context) runs exactly once, when libtorch frees the tensor's storage (after every
 * view of it is gone) or right away when the call fails. */
typedef void (*cauchy_release_fn)(void* context);
CAUCHY_API cauchy_status cauchy_vision_from_blob(void* data, int64_t nbytes, const int64_t* shape, int32_t ndim,
                                                 int32_t dtype, cauchy_release_fn release, void* context,
                                                 cauchy_tensor** out);

#ifdef __cplusplus
}
#endif

#endif
