/* kv_train.h - training a table file from sample caches (emz_tables_train). */
#ifndef EMZ_KV_TRAIN_H
#define EMZ_KV_TRAIN_H

#include "emzip.h"
#include "kernels/kernels.h"

#define EMZ_KV_BLOCK_SIZE_DEFAULT (32u << 10)
/* Channel shifts are learnt when heads x head_dim x 2^E (the exponent counts by channel) is at
 * most this: 64 MiB of 64-bit counters, e.g. 32,768 channels of BF16. */
#define EMZ_KV_SHIFT_COUNTS_MAX (UINT64_C(1) << 23)
/* Refining the median offsets: rounds, and how far a round may move one. On bench/kv's caches
 * (cross-entropy with tables trained on other prompts) refined offsets save 0.03-0.04 bits a
 * value more than medians alone. */
#define EMZ_KV_SHIFT_ROUNDS 3
#define EMZ_KV_SHIFT_REACH 3

/* The serialized table file (malloc'd, *size bytes) trained from the samples with kernels k. */
emz_status emz_kv_train(const emz_kernels *k, const emz_tables_options *o,
                        const emz_tables_sample *samples, size_t count, uint8_t **file,
                        size_t *size, char *detail, size_t detail_size);

#endif
