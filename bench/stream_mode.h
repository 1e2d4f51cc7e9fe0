/* stream_mode.h - the "emzip-stream" measurement of emzip-bench (bench only).
 *
 * The per-tensor measurement compresses every tensor as its own frame, so on files of many
 * small tensors it measures per-frame costs (header, index, code tables of short chunks) as
 * much as the codec. emzip-stream instead concatenates all tensors of one emz type, in the
 * order of their data offsets in the file, and compresses each such buffer as ONE frame with
 * one reused emz_cctx: the codec's ratio and speed on long inputs of one type.
 *
 * As in per_tensor.h, the buffers are shared by all implementations measured (they write
 * identical bytes, checked with stream_snapshot / stream_same_as_snapshot) and each
 * implementation brings its contexts in a stream_run.
 */
#ifndef EMZIP_BENCH_STREAM_MODE_H
#define EMZIP_BENCH_STREAM_MODE_H

#include "emzip.h"
#include "format/safetensors_header.h"

#include <stddef.h>
#include <stdint.h>

typedef struct stream_group {
    emz_type type;
    size_t tensors;
    uint8_t *src; /* the group's tensor bytes, concatenated in data-offset order */
    size_t size;
    uint8_t *frame; /* one frame of the whole buffer */
    size_t frame_cap, frame_size;
    uint8_t *out;       /* decompression target, size bytes */
    uint8_t *ref_frame; /* snapshot of frame, to compare implementations */
    size_t ref_size;
} stream_group;

typedef struct stream_set {
    stream_group g[EMZ_TYPE_COUNT]; /* one per emz type present, in order of first appearance */
    int n;
} stream_set;

typedef struct stream_run {
    stream_set *set;
    emz_cctx *cctx;    /* borrowed: chunk size and implementation already set */
    emz_dctx *dctx;    /* borrowed */
    int failed_status; /* emz_status of the last failure, -1 for a size mismatch */
} stream_run;

/* Groups the tensors of h (data: the file's data region) by the emz type the library stores
 * each as, and fills each group's buffer. Returns 0, or -1 (message in err) if a size overflows
 * or memory is exhausted. Release with stream_free (also after a failure). */
int stream_build(stream_set *s, const emz_st_header *h, const uint8_t *data, char *err,
                 size_t errlen);
void stream_free(stream_set *s);

/* The group of type t, or NULL. */
stream_group *stream_find(stream_set *s, emz_type t);

/* Timing callbacks (arg: a stream_run *): compress every group into its frame / decompress
 * every frame into its output. 0 on success; on failure failed_status says why. */
int stream_compress_all(void *arg);
int stream_decompress_all(void *arg);

/* After stream_compress_all: checks every frame header (type, sizes, chunk size) and round-trips
 * it with the two contexts (checksum verification on and off). Prints each failure to stderr
 * (prefixed with path and what); returns 0 if all frames are byte-identical on the way back. */
int stream_check(stream_set *s, emz_dctx *verify, emz_dctx *noverify, size_t chunk,
                 const char *path, const char *what);

/* Keeps a copy of every frame; later reports whether the frames are still the same bytes. */
void stream_snapshot(stream_set *s);
int stream_same_as_snapshot(const stream_set *s);

/* 1 if every group's output equals its input (after timed decompression). */
int stream_outputs_match(const stream_set *s);

/* Bytes of every frame, and the fixed part of them (header, index, index checksum). */
uint64_t stream_frame_total(const stream_set *s);
uint64_t stream_frame_fixed(const stream_group *g, size_t chunk);

#endif
