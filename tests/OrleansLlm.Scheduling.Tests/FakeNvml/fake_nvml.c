/*
 * A stand-in for the NVIDIA driver's libnvidia-ml.so.1 with the exports the inventory binds,
 * so that the NVML binding is tested on machines without a GPU. Tests configure it through
 * fake_nvml_configure("name|uuid|total|free;..."), since a managed process cannot change the
 * native environment after it starts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_DRIVER_NOT_LOADED 9
#define NVML_ERROR_ARGUMENT_VERSION_MISMATCH 25
#define MAX_GPUS 16

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
typedef struct { char name[96]; char uuid[96]; unsigned long long total, free; } fake_gpu;

static fake_gpu gpus[MAX_GPUS];
static unsigned int gpu_count;
static int initialised;
static int fail_init;
static int v2_calls;

int fake_nvml_configure(const char *spec, int fail)
{
    gpu_count = 0;
    fail_init = fail;
    v2_calls = 0;
    if (spec == NULL)
        return 0;
    char *copy = strdup(spec);
    for (char *entry = strtok(copy, ";"); entry != NULL && gpu_count < MAX_GPUS; entry = strtok(NULL, ";")) {
        fake_gpu *g = &gpus[gpu_count];
        if (sscanf(entry, "%95[^|]|%95[^|]|%llu|%llu", g->name, g->uuid, &g->total, &g->free) == 4)
            gpu_count++;
    }
    free(copy);
    return (int)gpu_count;
}

int fake_nvml_v2_calls(void) { return v2_calls; }

int nvmlInit_v2(void)
{
    if (fail_init)
        return NVML_ERROR_DRIVER_NOT_LOADED;
    initialised = 1;
    return NVML_SUCCESS;
}

int nvmlShutdown(void) { initialised = 0; return NVML_SUCCESS; }

const char *nvmlErrorString(int result)
{
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument version mismatch";
    default: return "Unknown Error";
    }
}

int nvmlDeviceGetCount_v2(unsigned int *count)
{
    if (!initialised) return NVML_ERROR_UNINITIALIZED;
    if (count == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    *count = gpu_count;
    return NVML_SUCCESS;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void **device)
{
    if (!initialised) return NVML_ERROR_UNINITIALIZED;
    if (index >= gpu_count || device == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    *device = &gpus[index];
    return NVML_SUCCESS;
}

int nvmlDeviceGetMemoryInfo(void *device, nvmlMemory_t *memory)
{
    fake_gpu *g = device;
    if (g == NULL || memory == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    memory->total = g->total;
    memory->free = g->free;
    memory->used = g->total - g->free;
    return NVML_SUCCESS;
}

int nvmlDeviceGetMemoryInfo_v2(void *device, nvmlMemory_v2_t *memory)
{
    fake_gpu *g = device;
    if (g == NULL || memory == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    /* The caller must announce the struct it passes: nvmlMemory_v2 = sizeof | 2 << 24. */
    if (memory->version != (unsigned int)(sizeof(nvmlMemory_v2_t) | (2u << 24)))
        return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    v2_calls++;
    memory->total = g->total;
    memory->reserved = 0;
    memory->free = g->free;
    memory->used = g->total - g->free;
    return NVML_SUCCESS;
}

static int copy_string(const char *text, char *buffer, unsigned int length)
{
    if (buffer == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(text) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(buffer, text);
    return NVML_SUCCESS;
}

int nvmlDeviceGetName(void *device, char *name, unsigned int length) { return copy_string(((fake_gpu *)device)->name, name, length); }
int nvmlDeviceGetUUID(void *device, char *uuid, unsigned int length) { return copy_string(((fake_gpu *)device)->uuid, uuid, length); }
int nvmlSystemGetDriverVersion(char *version, unsigned int length) { return copy_string("555.42.06", version, length); }
