/*
 * A workflow step: greets `name` (default "World") `times` times (default 1,
 * at most 100) in the output parameter `greeting`. Replace greet() with your
 * own step.
 *
 * The host preopens the step's work directory as /work: the invocation is in
 * /work/input.json, the result goes to /work/result.json. Every problem
 * becomes a `Failed` result that says what is wrong, and main returns 0:
 * the Argo WASM plugin fails a module that calls exit(), even exit(0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cjson/cJSON.h"

#define INPUT "/work/input.json"
#define RESULT "/work/result.json"

/* The value of the last parameter called `name`, or NULL: a null value counts as absent. */
static const cJSON *parameter(const cJSON *invocation, const char *name) {
    const cJSON *item, *found = NULL;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(invocation, "parameters")) {
        const cJSON *item_name = cJSON_GetObjectItemCaseSensitive(item, "name");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(item, "value");
        if (cJSON_IsString(item_name) && strcmp(item_name->valuestring, name) == 0 && value && !cJSON_IsNull(value)) {
            found = value;
        }
    }
    return found;
}

/* `times` from Argo's string ("3") or a JSON number (3): 1 to 100, or 0. */
static int times_from(const cJSON *value) {
    if (cJSON_IsNumber(value)) {
        double n = value->valuedouble;
        return n >= 1 && n <= 100 && n == (int)n ? (int)n : 0;
    }
    if (cJSON_IsString(value)) {
        const char *s = value->valuestring;
        size_t length = strlen(s);
        if (length == 0 || length > 3 || strspn(s, "0123456789") != length) return 0;
        int n = atoi(s);
        return n >= 1 && n <= 100 ? n : 0;
    }
    return 0;
}

/* A message about a parameter's value, the value shown as JSON. */
static char *problem(const char *what, const cJSON *value) {
    char *shown = cJSON_PrintUnformatted(value);
    size_t size = strlen(what) + strlen(shown) + 8;
    char *message = malloc(size);
    snprintf(message, size, "%s, got %s", what, shown);
    free(shown);
    return message;
}

/*
 * The step: sets *greeting to "Hello, <name>!" `times` times, separated by
 * one space, and returns NULL; or returns why the parameters make none.
 */
static char *greet(const cJSON *invocation, char **greeting) {
    const cJSON *name = parameter(invocation, "name");
    if (name && !cJSON_IsString(name)) return problem("parameter \"name\" must be a string", name);
    const char *who = name ? name->valuestring : "World";

    const cJSON *times_value = parameter(invocation, "times");
    int times = times_value ? times_from(times_value) : 1;
    if (times == 0) return problem("parameter \"times\" must be an integer from 1 to 100", times_value);

    size_t one = strlen("Hello, !") + strlen(who);
    char *text = malloc((one + 1) * (size_t)times);
    char *end = text;
    for (int i = 0; i < times; i++) {
        end += sprintf(end, "%sHello, %s!", i > 0 ? " " : "", who);
    }
    *greeting = text;
    return NULL;
}

/* The whole of /work/input.json, or NULL with *error set. */
static char *read_input(size_t *length, char **error) {
    FILE *file = fopen(INPUT, "rb");
    char *text = NULL;
    size_t size = 0, capacity = 0;
    if (file) {
        for (;;) {
            if (size == capacity) text = realloc(text, capacity = capacity * 2 + 4096);
            size_t read = fread(text + size, 1, capacity - size, file);
            size += read;
            if (read == 0) break;
        }
        if (ferror(file)) text = (free(text), NULL);
        fclose(file);
    }
    if (!text) {
        const char *reason = strerror(errno);
        *error = malloc(strlen(INPUT) + strlen(reason) + 16);
        sprintf(*error, "cannot read %s: %s", INPUT, reason);
    }
    *length = size;
    return text;
}

/* Reads the invocation and runs the step: the result to write. */
static cJSON *run(void) {
    char *message = NULL, *greeting = NULL;
    size_t length;
    char *input = read_input(&length, &message);
    cJSON *invocation = input ? cJSON_ParseWithLength(input, length) : NULL;
    if (input && !invocation) {
        message = malloc(strlen(INPUT) + 64);
        sprintf(message, "%s is not valid JSON (at byte %ld)", INPUT, (long)(cJSON_GetErrorPtr() - input));
    } else if (input && !cJSON_IsObject(invocation)) {
        message = strdup(INPUT " is not a JSON object");
    } else if (input) {
        message = greet(invocation, &greeting);
    }

    cJSON *result = cJSON_CreateObject();
    cJSON_AddStringToObject(result, "phase", greeting ? "Succeeded" : "Failed");
    cJSON_AddStringToObject(result, "message", greeting ? "greeted" : message);
    cJSON *outputs = cJSON_AddObjectToObject(result, "outputs");
    cJSON_AddArrayToObject(outputs, "artifacts");
    cJSON *parameters = cJSON_AddArrayToObject(outputs, "parameters");
    if (greeting) {
        cJSON *output = cJSON_CreateObject();
        cJSON_AddStringToObject(output, "name", "greeting");
        cJSON_AddStringToObject(output, "value", greeting);
        cJSON_AddItemToArray(parameters, output);
    }
    free(message);
    free(greeting);
    cJSON_Delete(invocation);
    free(input);
    return result;
}

int main(void) {
    cJSON *result = run();
    char *json = cJSON_PrintUnformatted(result);
    FILE *file = fopen(RESULT, "wb");
    if (!json || !file || fputs(json, file) == EOF || fclose(file) != 0) {
        fprintf(stderr, "cannot write %s: %s\n", RESULT, strerror(errno));
        return 1;
    }
    free(json);
    cJSON_Delete(result);
    return 0;
}
