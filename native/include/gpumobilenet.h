/* GpuMobileNet C ABI: MobileNet inference on Vulkan compute, from libgpumobilenet.so (NativeAOT).
 *
 * Handles are opaque. Functions returning a pointer return NULL on failure; functions returning int return -1 on
 * failure; gmn_last_error() then gives a one-line UTF-8 message for this thread (valid until the next failure on it).
 * Destroy functions accept NULL. Destroy sessions before their device. Every function may be called from any thread.
 */
#ifndef GPUMOBILENET_H
#define GPUMOBILENET_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gmn_device gmn_device;
typedef struct gmn_model gmn_model;
typedef struct gmn_session gmn_session;

/* The last error of this thread, or NULL if none happened yet. */
const char* gmn_last_error(void);

/* Opens the best Vulkan device (discrete GPU, integrated, CPU), or the one whose index or name part is `selector`
 * (NULL: GMN_DEVICE or the best). */
gmn_device* gmn_device_open(const char* selector);

/* Adopts a device the host created (VkInstance, VkPhysicalDevice, VkDevice, a compute queue family and a VkQueue of it)
 * without owning it: gmn_device_destroy leaves the host's objects alive. The host must not submit to `queue` while a
 * gmn_session_run on it is submitting. */
gmn_device* gmn_device_from_host(void* instance, void* physical_device, void* device, uint32_t queue_family, void* queue);

/* The device's name (owned by the device). */
const char* gmn_device_name(gmn_device* device);
void gmn_device_destroy(gmn_device* device);

/* A model file: ONNX, TFLite or a TF.js layers model.json (weights beside it), told by its content, not its name. */
gmn_model* gmn_model_load(const char* path);
/* A built-in architecture ("mobilenet_v1", "mobilenet_v2") with seeded random weights. */
gmn_model* gmn_model_builtin(const char* name, double alpha, int resolution, int classes, int seed);
void gmn_model_destroy(gmn_model* model);

/* Prepares `model` on `device` for `batch` samples per run (passes, memory plan, pipelines, command buffer). */
gmn_session* gmn_session_create(gmn_device* device, gmn_model* model, int batch);
/* Writes the per-sample input shape (NCHW; any pointer may be NULL); returns the input length of one run in floats. */
int gmn_session_input_shape(gmn_session* session, int* channels, int* height, int* width);
/* The output length of one run in floats (batch x outputs). */
int gmn_session_output_length(gmn_session* session);
/* Runs: input_length floats in (NCHW, samples back to back), output_length floats out. Returns 0. */
int gmn_session_run(gmn_session* session, const float* input, int input_length, float* output, int output_length);
void gmn_session_destroy(gmn_session* session);

/* Decodes a photo (PNG, JPEG, BMP, ...), stretches it to width x height and scales it to [0, 1], planar RGB:
 * 3 x height x width floats into `out`. Returns 0. */
int gmn_image_to_tensor(const char* path, int width, int height, float* out, int out_length);

#ifdef __cplusplus
}
#endif
#endif
