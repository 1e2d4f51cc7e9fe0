/* kv_train.h - training a table file from sample caches (emz_tables_train). */
#ifndef EMZ_KV_TRAIN_H
#define EMZ_KV_TRAIN_H

#include "emzip.h"
#include "kernels/kernels.h"

#define EMZ_KV_BLOCK_SIZE_DEFAULT (32u << 10)

/* The serialized table file (malloc'd, *size bytes) trained from the samples with kernels k. */
emz_status emz_kv_train(const emz_kernels *k, const emz_tables_options *o,
                        const emz_tables_sample *samples, size_t count, uint8_t **file,
                        size_t *size, char *detail, size_t detail_size);

#endif
