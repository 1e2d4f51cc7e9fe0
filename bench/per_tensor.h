/* per_tensor.h - the "emzip" measurement: every tensor compressed as its own frame, as
 * checkpoint mode stores them (bench only).
 *
 * The buffers (frames, decompressed output) belong to a tensor_set and are shared by every
 * implementation measured: all implementations write identical bytes (checked before timing
 * with tensor_snapshot / tensor_same_as_snapshot), so sharing them keeps the memory footprint
 * and the cache behaviour the same for each. Each implementation brings its own contexts in a
 * tensor_run. */
#ifndef EMZIP_BENCH_PER_TENSOR_H
#define EMZIP_BENCH_PER_TENSOR_H

#include "emzip.h"

#include <stddef.h>
#include <stdint.h>

typedef struct tensor_job {
    const uint8_t *src;
    size_t size;
    emz_type type;
    int group; /* index of the file's dtype group */
    size_t frame_off, frame_cap, frame_size;
    size_t out_off;
} tensor_job;

typedef struct tensor_set {
    tensor_job *jobs;
    size_t n;
    uint8_t *frames;
    size_t frames_cap;
    uint8_t *ref_frames; /* a snapshot of the frames and their sizes, to compare implementations */
    size_t *ref_sizes;
    uint8_t *out;
    size_t out_size;
} tensor_set;

typedef struct tensor_run {
    tensor_set *set;
    emz_cctx *cctx;    /* borrowed */
    emz_dctx *dctx;    /* borrowed */
    int failed_status; /* emz_status of the last failure, -1 for a size mismatch */
} tensor_run;

/* Allocates frames and output for the jobs (frame_cap, frame_off, out_off filled by the
 * caller). */
void tensor_set_alloc(tensor_set *s);
void tensor_set_free(tensor_set *s);

/* Timing callbacks: compress every tensor (arg: tensor_run *), decompress every frame
 * (tensor_run *), copy every tensor to the output (tensor_set *): memcpy as the ceiling. */
int tensor_compress_all(void *arg);
int tensor_decompress_all(void *arg);
int tensor_memcpy_all(void *arg);

/* Keeps a copy of the current frames; later reports whether the frames are still the same
 * bytes (1) - e.g. after another implementation compressed them again. */
void tensor_snapshot(tensor_set *s);
int tensor_same_as_snapshot(const tensor_set *s);

/* 1 if every tensor's decompressed output equals its input. */
int tensor_outputs_match(const tensor_set *s);

#endif
