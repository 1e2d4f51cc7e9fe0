/* table_plan.h - the table set of a checkpoint: a first pass over its small segments decides
 * whether a table set pays, and which tables it holds (table_plan.c). */
#ifndef EMZ_TABLE_PLAN_H
#define EMZ_TABLE_PLAN_H

#include "emzip.h"
#include "engine/writer.h"
#include "format/chunk_codec.h"
#include "format/table_set.h"

#include <stdbool.h>

/* What the first pass reads: the segments (in file order) and each one's chunk size
 * 2^log2[s], read from src or, when base is not NULL, from memory; chunks are encoded with k
 * and scratch (large enough for any segment's chunk). */
typedef struct emz_table_plan_input {
    const emz_kernels *k;
    emz_chunk_scratch *scratch;
    const emz_source *src;
    const uint8_t *base;
    const emz_segment *seg;
    const uint8_t *log2;
    size_t n;
} emz_table_plan_input;

/* Fills set with the tables that make the small segments' payloads plus the set itself
 * smallest; *use is false (and set empty) when no set makes the container smaller. Decisions
 * depend on payload sizes only, which every implementation makes the same. */
emz_status emz_table_plan(const emz_table_plan_input *in, emz_table_set *set, bool *use);

#endif
