/* Classifies a photo through libgpumobilenet.so and prints the top 5 as "label<TAB>probability", one per line.
 *   gcc classify.c -I../include -L<dir of libgpumobilenet.so> -lgpumobilenet -o classify
 *   ./classify model.json labels.txt photo.jpg [features]      (or model.onnx, model.tflite)
 * With a fourth argument (a value of the model, e.g. the pooled features), one gmn_session_run_named gives the scores
 * and that value, and its length and sum are printed to stderr as "features<TAB>length<TAB>sum".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gpumobilenet.h"

#define MAX_LABELS 4096

static int fail(const char* what) {
    fprintf(stderr, "classify: %s: %s\n", what, gmn_last_error() ? gmn_last_error() : "unknown error");
    return 1;
}

int main(int argc, char** argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s model.json labels.txt photo [features]\n", argv[0]);
        return 2;
    }
    static char labels[MAX_LABELS][128];
    int label_count = 0;
    FILE* f = fopen(argv[2], "r");
    if (!f) { perror(argv[2]); return 1; }
    while (label_count < MAX_LABELS && fgets(labels[label_count], sizeof labels[0], f)) {
        labels[label_count][strcspn(labels[label_count], "\r\n")] = 0;
        label_count++;
    }
    fclose(f);

    gmn_device* device = gmn_device_open(NULL);
    if (!device) return fail("device");
    gmn_model* model = gmn_model_load(argv[1]);
    if (!model) return fail("model");
    const char* features = argc == 5 ? argv[4] : NULL;
    gmn_session* session = features ? gmn_session_create_with_outputs(device, model, 1, &features, 1) : gmn_session_create(device, model, 1);
    if (!session) return fail("session");

    int c, h, w;
    int input_length = gmn_session_input_shape(session, &c, &h, &w);
    int output_length = gmn_session_output_length(session);
    float* input = malloc(sizeof(float) * input_length);
    float* output = malloc(sizeof(float) * output_length);
    if (gmn_image_to_tensor(argv[3], w, h, input, input_length) != 0) return fail("image");
    if (!features) {
        if (gmn_session_run(session, input, input_length, output, output_length) != 0) return fail("run");
    } else {
        /* Scores and features in one run, by name. */
        const char* input_name = NULL; /* the main input */
        int feature_length = gmn_session_value_length(session, features);
        if (feature_length < 0) return fail("features");
        float* feature_values = malloc(sizeof(float) * feature_length);
        const char* output_names[2] = { NULL, features }; /* the main output, then the features */
        float* outputs[2] = { output, feature_values };
        int output_lengths[2] = { output_length, feature_length };
        const float* inputs[1] = { input };
        if (gmn_session_run_named(session, 1, &input_name, inputs, &input_length, 2, output_names, outputs, output_lengths) != 0)
            return fail("run_named");
        double sum = 0;
        for (int i = 0; i < feature_length; i++) sum += feature_values[i];
        fprintf(stderr, "features\t%d\t%.6f\n", feature_length, sum);
        free(feature_values);
    }

    fprintf(stderr, "%s on %s\n", argv[1], gmn_device_name(device));
    for (int k = 0; k < 5 && k < output_length; k++) {
        int best = -1;
        for (int i = 0; i < output_length; i++)
            if (output[i] >= 0 && (best < 0 || output[i] > output[best])) best = i;
        if (best < 0) break;
        printf("%s\t%.6f\n", best < label_count ? labels[best] : "?", output[best]);
        output[best] = -1; /* taken */
    }
    free(input);
    free(output);
    gmn_session_destroy(session);
    gmn_model_destroy(model);
    gmn_device_destroy(device);
    return 0;
}
