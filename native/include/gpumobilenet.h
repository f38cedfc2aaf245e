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
/* gmn_session_create with more outputs: the values named in `extra_outputs` (op outputs of the model, such as the pooled
 * features before a classifier's first dense layer) become outputs too, readable by name with gmn_session_run_named. */
gmn_session* gmn_session_create_with_outputs(gmn_device* device, gmn_model* model, int batch,
                                             const char* const* extra_outputs, int extra_output_count);
/* The length in floats of one run's input or output `name` (batch x its shape); -1 when the session has no such name. */
int gmn_session_value_length(gmn_session* session, const char* name);
/* Runs with named inputs and outputs: every input of the model, by name (input_count names, float pointers and lengths,
 * NCHW, samples back to back), and any of its outputs by name (output_count), each copied to its pointer; outputs not
 * named stay on the device. A NULL name is the main input or output. Lengths must equal gmn_session_value_length. Runs with the same output names replay what
 * the first recorded. Returns 0. */
int gmn_session_run_named(gmn_session* session,
                          int input_count, const char* const* input_names, const float* const* inputs, const int* input_lengths,
                          int output_count, const char* const* output_names, float* const* outputs, const int* output_lengths);
void gmn_session_destroy(gmn_session* session);

/* Decodes a photo (PNG, JPEG, BMP, ...), stretches it to width x height and scales it to [0, 1], planar RGB:
 * 3 x height x width floats into `out`. Returns 0. */
int gmn_image_to_tensor(const char* path, int width, int height, float* out, int out_length);

#ifdef __cplusplus
}
#endif
#endif
