/* safetensors_dtypes.c - the dtypes of safetensors headers: each one's element size, and the
 * emzip type a tensor of it is stored as. */
#include "format/safetensors_header.h"

#include <string.h>

static const struct {
    char name[8];
    unsigned char bits;
} dtype_table[] = {
    /* the types of weights first: each tensor's dtype is looked up here */
    {"BF16", 16}, {"F16", 16},    {"F32", 32},    {"F8_E4M3", 8}, {"F8_E5M2", 8},
    {"U8", 8},    {"I64", 64},    {"F8_E8M0", 8}, {"F4", 4},      {"BOOL", 8},
    {"I8", 8},    {"F6_E2M3", 6}, {"F6_E3M2", 6}, {"I16", 16},    {"U16", 16},
    {"I32", 32},  {"U32", 32},    {"U64", 64},    {"F64", 64},    {"C64", 64},
};

emz_status emz_st_dtype_bits(const char *dtype, unsigned *bits) {
    if (!dtype || !bits) return EMZ_ERROR_INVALID_ARGUMENT;
    for (size_t i = 0; i < sizeof dtype_table / sizeof dtype_table[0]; i++)
        if (strcmp(dtype, dtype_table[i].name) == 0) return *bits = dtype_table[i].bits, EMZ_OK;
    return EMZ_ERROR_BAD_SAFETENSORS;
}

emz_type emz_st_storage_type(const char *name, const char *dtype) {
    static const struct {
        char dtype[8];
        emz_type type;
    } map[] = {
        {"BF16", EMZ_TYPE_BF16},        {"F16", EMZ_TYPE_FP16},         {"F32", EMZ_TYPE_FP32},
        {"F8_E4M3", EMZ_TYPE_FP8_E4M3}, {"F8_E5M2", EMZ_TYPE_FP8_E5M2}, {"F4", EMZ_TYPE_FP4_E2M1},
    };
    if (!dtype) return EMZ_TYPE_BYTES;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(dtype, map[i].dtype) == 0) return map[i].type;
    /* MXFP4 checkpoints (gpt-oss) store E2M1 pairs as U8 "*.blocks"; their "*.scales" are E8M0
     * exponents, which have no mantissa to split off and stay plain bytes, like F8_E8M0. */
    size_t n = name ? strlen(name) : 0;
    if (strcmp(dtype, "U8") == 0 && n >= 7 && memcmp(name + n - 7, ".blocks", 7) == 0)
        return EMZ_TYPE_FP4_E2M1;
    return EMZ_TYPE_BYTES;
}
