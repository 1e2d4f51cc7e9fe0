/* dtypes.c - safetensors dtypes and emzip element types as the benchmark sees them. */
#include "dtypes.h"

#include <string.h>

type_desc describe(emz_type t)
{
    switch (t) {
    case EMZ_TYPE_BF16: return (type_desc){2, 8, 8, 0};
    case EMZ_TYPE_FP16: return (type_desc){2, 5, 11, 0};
    case EMZ_TYPE_FP32: return (type_desc){4, 8, 24, 0};
    case EMZ_TYPE_FP8_E4M3: return (type_desc){1, 4, 4, 1};
    case EMZ_TYPE_FP8_E5M2: return (type_desc){1, 5, 3, 1};
    case EMZ_TYPE_FP4_E2M1: return (type_desc){0, 2, 2, 1};
    default: return (type_desc){0, 0, 0, 1};
    }
}

size_t type_slots(emz_type t, size_t size)
{
    if (t == EMZ_TYPE_FP4_E2M1) return 2 * size;
    type_desc d = describe(t);
    return d.elem_bytes ? size / d.elem_bytes : size;
}

size_t type_slot_bytes(emz_type t, size_t slots)
{
    if (t == EMZ_TYPE_FP4_E2M1) return (slots + 1) / 2;
    type_desc d = describe(t);
    return d.elem_bytes ? slots * d.elem_bytes : slots;
}

emz_type map_dtype(const st_tensor *t, const char **label)
{
    static const struct { const char *st; emz_type t; } m[] = {
        {"BF16", EMZ_TYPE_BF16}, {"F16", EMZ_TYPE_FP16}, {"F32", EMZ_TYPE_FP32},
        {"F8_E4M3", EMZ_TYPE_FP8_E4M3}, {"F8_E5M2", EMZ_TYPE_FP8_E5M2},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(t->dtype, m[i].st) == 0) { *label = m[i].st; return m[i].t; }
    size_t n = strlen(t->name);
    /* MXFP4 checkpoints store E2M1 nibbles as U8 "<tensor>.blocks" (gpt-oss layout) */
    if (strcmp(t->dtype, "U8") == 0 && n >= 7 && strcmp(t->name + n - 7, ".blocks") == 0) {
        *label = "FP4_E2M1";
        return EMZ_TYPE_FP4_E2M1;
    }
    *label = t->dtype; /* U8 scales, integers, ...: plain bytes */
    return EMZ_TYPE_BYTES;
}
