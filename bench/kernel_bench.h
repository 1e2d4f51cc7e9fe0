/* kernel_bench.h - the split / merge / checksum32 kernels alone, per implementation, beside
 * memcpy of the same bytes (bench only). The kernels are the library's internal table
 * (src/kernels.h, emz_kernels_resolve): end-to-end speed mixes them with Huffman coding, and
 * this section shows what each costs by itself. */
#ifndef EMZIP_BENCH_KERNEL_BENCH_H
#define EMZIP_BENCH_KERNEL_BENCH_H

#include "results.h"

/* Times the kernels of type t on data[0..size) (one group's tensors, concatenated): on its
 * first KERNEL_L2_BYTES, and on all of it when it is larger. Appends one kernel_row per
 * implementation and buffer to fr->krows. Before timing, every implementation's split must
 * equal the scalar one and its merge must restore the input; a mismatch is printed and
 * returns -1. */
int kernel_bench_group(file_result *fr, int group, const uint8_t *data, size_t size, emz_type t,
                       const bench_opts *o);

#endif
