/* report_compare.h - the Markdown sections that compare emzip with the baselines: the summary
 * per dtype and the table against byte-group Huffman (bench only). */
#ifndef EMZIP_BENCH_REPORT_COMPARE_H
#define EMZIP_BENCH_REPORT_COMPARE_H

#include "results.h"

#include <stdio.h>

/* The bar: emzip's ratio at most byte-group Huffman's + 0.002 (0.2 points of %). */
#define BG_BAR_PTS 0.2

/* One row per dominant dtype: ratio and decompression GB/s of emzip (fastest implementation),
 * zstd -19, libdeflate -12 and byte-group Huffman, totals over the files of that dtype. */
void print_summary(FILE *o, const file_result *fr, int n);

/* Per file: emzip's container against byte-group Huffman per tensor (checkpoint mode), and
 * each emzip-stream frame against byte-group Huffman on the same buffer (raw mode). */
void print_bytegroup(FILE *o, const file_result *fr, int n);

#endif
