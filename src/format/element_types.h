/* element_types.h - the table that describes how each element type splits (docs/FORMAT.md). */
#ifndef EMZ_ELEMENT_TYPES_H
#define EMZ_ELEMENT_TYPES_H

#include "emzip.h"
#include <stdbool.h>

typedef struct emz_type_desc {
    const char *name;       /* CLI name */
    unsigned element_bits;  /* 4, 8, 16 or 32 */
    unsigned exp_bits;      /* E: exponent symbol width; 0 for bytes */
    unsigned signmant_bits; /* M: sign + mantissa symbol width; 0 for bytes */
    bool can_split;         /* SPLIT layout allowed */
    bool can_whole;         /* WHOLE layout allowed in version 1 (version 2: every type) */
} emz_type_desc;

/* NULL for a type outside the enum. */
const emz_type_desc *emz_type_desc_get(emz_type type);

/* Whole elements in size bytes of data of a type (FP4: two per byte; 0 for an unknown type). */
uint64_t emz_elements_in(emz_type type, uint64_t size);

/* The width a delta works on (FORMAT.md, "Delta segments"): 2 for BF16 and FP16, 4 for FP32,
 * 1 for every other type (bytes, FP8, and FP4's bytes of two elements). */
unsigned emz_delta_width(emz_type type);

/* Element slots of a chunk of len bytes, and its tail bytes (FORMAT.md, "Chunks"). */
size_t emz_chunk_slots(const emz_type_desc *d, size_t len);
size_t emz_chunk_tail(const emz_type_desc *d, size_t len);

#endif
