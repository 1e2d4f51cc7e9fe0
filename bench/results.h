/* results.h - what emzip-bench measures for one file, shared by the measuring parts and the
 * report writers (bench only). */
#ifndef EMZIP_BENCH_RESULTS_H
#define EMZIP_BENCH_RESULTS_H

#include "bounds.h"
#include "emzip.h"
#include "impls.h"

#include <stddef.h>
#include <stdint.h>

#define MAX_GROUPS 32
/* per implementation: emzip verify, emzip noverify, emzip-stream; then memcpy, 6 baselines and
 * byte-group Huffman per tensor and per stream */
#define MAX_ROWS (3 * EMZ_IMPL_COUNT + 1 + 6 + 2)

/* The kernel section times split / merge on this much element data (a buffer that, with its
 * exponent and sign+mantissa streams, fits in a 1 MiB L2 cache), and on the whole group. */
#define KERNEL_L2_BYTES ((size_t)256 * 1024)
/* The small-input section decompresses frames of these slice sizes, then the whole group. */
#define SMALL_SLICE_COUNT 3
#define SMALL_CELLS (SMALL_SLICE_COUNT + 1)
extern const size_t small_slices[SMALL_SLICE_COUNT];
/* Float groups smaller than this (e.g. the one-element F32 scales of FP8 checkpoints) are left
 * out of the kernel and small-input sections: timing a few bytes says nothing about a kernel. */
#define SECTION_MIN_BYTES ((size_t)4096)

typedef struct bench_opts {
    int reps;
    size_t chunk;
    int baselines, kernels, small;
    impl_set impls;
} bench_opts;

typedef struct group {
    char label[16];
    emz_type type;
    size_t tensors;
    uint64_t bytes;
    uint64_t frame_bytes;
    uint64_t frame_fixed; /* header + index + index checksum of its frames: 36 + 8 per chunk */
    bounds b;
    /* emzip-stream, float groups only (a float label is exactly one emz type, so the group is
     * exactly one stream; bytes labels share the one bytes stream) */
    int has_stream;
    uint64_t stream_frame_bytes, stream_frame_fixed;
    bounds sb; /* bounds of the concatenated buffer chunked as its one frame */
} group;

typedef struct stream_summary { /* one emzip-stream frame, for every emz type incl. bytes */
    emz_type type;
    size_t tensors;
    uint64_t bytes, frame_bytes;
    uint64_t bg_bytes; /* byte-group Huffman on the same buffer */
} stream_summary;

typedef struct result_row {
    const char *codec;
    char level[16];
    const char *impl; /* emzip implementation; "-" for memcpy and the baselines */
    double ratio_pct;
    double comp_gbps, decomp_gbps;
    double comp_best_gbps, decomp_best_gbps;
    int comp_runs, decomp_runs;
    uint64_t bytes; /* bytes the speeds are over */
} result_row;

/* Split / merge / checksum32 alone, one implementation, one buffer of one group. */
typedef struct kernel_row {
    int group;
    emz_impl impl;
    int whole;      /* 0: the first KERNEL_L2_BYTES of the group; 1: the whole group */
    uint64_t bytes; /* element bytes each call processes */
    double split_gbps, merge_gbps, checksum_gbps, memcpy_gbps;
    double split_best, merge_best, checksum_best, memcpy_best;
    int runs; /* fewest repetitions behind any of the four */
} kernel_row;

/* Decompression of one group cut into frames of one slice size. */
typedef struct small_cell {
    int present;    /* 0 when the slice is not smaller than the group */
    uint64_t slice; /* slice bytes; the group's size for the whole-group cell */
    size_t frames;
    uint64_t frame_bytes; /* all those frames */
    double gbps, best_gbps;
    double us_per_call; /* median microseconds per emz_decompress call */
    double vs_large;    /* gbps / the whole-group cell's gbps */
    int runs;
} small_cell;

typedef struct small_row {
    int group;
    emz_impl impl;
    uint64_t bytes;
    small_cell cell[SMALL_CELLS]; /* small_slices[], then the whole group */
} small_row;

typedef struct file_result {
    const char *path;
    uint64_t file_size, tensor_bytes, header_raw, header_stored;
    size_t tensor_count;
    group groups[MAX_GROUPS];
    int ngroups, dominant;
    uint64_t frames_total;
    stream_summary streams[EMZ_TYPE_COUNT];
    int nstreams;
    uint64_t stream_frames_total;
    /* byte-group Huffman: per tensor, per emzip-stream buffer, and the whole checkpoint (per
     * tensor plus the header and untyped bytes as bytes); emzip's container for the same file */
    uint64_t bg_tensor_bytes, bg_stream_bytes, bg_checkpoint_bytes;
    uint64_t container_bytes;
    result_row rows[MAX_ROWS];
    int nrows;
    kernel_row *krows;
    int nkrows;
    small_row *srows;
    int nsrows;
    int ok;
    char error[256];
} file_result;

/* Measures one file. 0 if everything ran and every round trip was byte-identical; -1 with
 * fr->error set when the file can't be measured, or with fr->ok == 0 after a failed check. */
int bench_file(const char *path, const bench_opts *o, file_result *fr);
void file_result_free(file_result *fr);

#endif
