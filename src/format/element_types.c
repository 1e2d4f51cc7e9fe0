/* element_types.c - per-type split widths and the public type-name helpers. */
#include "format/element_types.h"

#include <ctype.h>
#include <string.h>

static const emz_type_desc type_table[EMZ_TYPE_COUNT] = {
    [EMZ_TYPE_BYTES] = {"bytes", 8, 0, 0, false, true},
    [EMZ_TYPE_BF16] = {"bf16", 16, 8, 8, true, false},
    [EMZ_TYPE_FP16] = {"fp16", 16, 5, 11, true, false},
    [EMZ_TYPE_FP32] = {"fp32", 32, 8, 24, true, false},
    [EMZ_TYPE_FP8_E4M3] = {"e4m3", 8, 4, 4, true, true},
    [EMZ_TYPE_FP8_E5M2] = {"e5m2", 8, 5, 3, true, true},
    [EMZ_TYPE_FP4_E2M1] = {"fp4", 4, 2, 2, true, true},
};

const emz_type_desc *emz_type_desc_get(emz_type type) {
    if ((unsigned)type >= EMZ_TYPE_COUNT) return NULL;
    return &type_table[type];
}

size_t emz_chunk_slots(const emz_type_desc *d, size_t len) {
    if (d->element_bits == 4) return 2 * len;
    return len / (d->element_bits / 8);
}

size_t emz_chunk_tail(const emz_type_desc *d, size_t len) {
    if (d->element_bits <= 8) return 0;
    return len % (d->element_bits / 8);
}

uint64_t emz_elements_in(emz_type type, uint64_t size) {
    const emz_type_desc *d = emz_type_desc_get(type);
    if (!d) return 0;
    return d->element_bits == 4 ? 2 * size : size / (d->element_bits / 8);
}

const char *emz_type_name(emz_type type) {
    const emz_type_desc *d = emz_type_desc_get(type);
    return d ? d->name : NULL;
}

unsigned emz_type_bits(emz_type type) {
    const emz_type_desc *d = emz_type_desc_get(type);
    return d ? d->element_bits : 0;
}

static bool equal_nocase(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return false;
    return *a == *b;
}

emz_status emz_type_from_name(const char *name, emz_type *type) {
    static const struct {
        const char *alias;
        emz_type type;
    } aliases[] = {
        {"f16", EMZ_TYPE_FP16},         {"f32", EMZ_TYPE_FP32}, {"f8_e4m3", EMZ_TYPE_FP8_E4M3},
        {"f8_e5m2", EMZ_TYPE_FP8_E5M2}, {"u8", EMZ_TYPE_BYTES}, {"e2m1", EMZ_TYPE_FP4_E2M1},
        {"f4", EMZ_TYPE_FP4_E2M1},
    };
    if (!name || !type) return EMZ_ERROR_INVALID_ARGUMENT;
    for (unsigned t = 0; t < EMZ_TYPE_COUNT; t++)
        if (equal_nocase(name, type_table[t].name)) return *type = (emz_type)t, EMZ_OK;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (equal_nocase(name, aliases[i].alias)) return *type = aliases[i].type, EMZ_OK;
    return EMZ_ERROR_INVALID_ARGUMENT;
}

unsigned emz_delta_width(emz_type type) {
    const emz_type_desc *d = emz_type_desc_get(type);
    return d && d->element_bits >= 16 ? d->element_bits / 8 : 1;
}
