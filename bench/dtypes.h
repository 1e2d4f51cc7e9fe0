/* dtypes.h - how the benchmark sees element types: safetensors dtype -> emzip type, and each
 * type's exponent / sign+mantissa fields (bench only). The bench keeps its own description
 * rather than the library's internal table, so that its entropy bounds are an independent
 * reading of docs/FORMAT.md. */
#ifndef EMZIP_BENCH_DTYPES_H
#define EMZIP_BENCH_DTYPES_H

#include "emzip.h"
#include "safetensors_scan.h"

#include <stddef.h>
#include <stdint.h>

typedef struct type_desc {
    unsigned elem_bytes; /* 0 for FP4 (two per byte) and bytes */
    unsigned E, M;       /* exponent bits, sign+mantissa bits */
    int whole_ok;        /* the WHOLE layout is allowed */
} type_desc;

type_desc describe(emz_type t);

/* Element slots in size bytes of type t (FP4: two per byte), and bytes of n slots. */
size_t type_slots(emz_type t, size_t size);
size_t type_slot_bytes(emz_type t, size_t slots);

/* emz type of a safetensors tensor, and the label it is grouped under ("BF16", "F32",
 * "FP4_E2M1" for MXFP4 .blocks, the dtype itself for everything stored as bytes). */
emz_type map_dtype(const st_tensor *t, const char **label);

/* Element j of a buffer of type t (little-endian). */
static inline uint32_t load_elem(const uint8_t *p, emz_type t, size_t j)
{
    switch (t) {
    case EMZ_TYPE_BF16:
    case EMZ_TYPE_FP16: return (uint32_t)p[2 * j] | (uint32_t)p[2 * j + 1] << 8;
    case EMZ_TYPE_FP32:
        return (uint32_t)p[4 * j] | (uint32_t)p[4 * j + 1] << 8 | (uint32_t)p[4 * j + 2] << 16 |
               (uint32_t)p[4 * j + 3] << 24;
    case EMZ_TYPE_FP4_E2M1: return (p[j / 2] >> (4 * (j & 1))) & 0xF;
    default: return p[j];
    }
}

/* An element split into exponent and sign+mantissa (sign above the mantissa bits). */
static inline void split_elem(uint32_t u, type_desc d, uint32_t *e, uint32_t *s)
{
    unsigned mp = d.M - 1; /* mantissa bits without the sign */
    *e = (u >> mp) & ((1u << d.E) - 1);
    *s = ((u >> (d.E + mp)) & 1u) << mp | (u & ((1u << mp) - 1));
}

#endif
