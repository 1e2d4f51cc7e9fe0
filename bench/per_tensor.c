/* per_tensor.c - the "emzip" measurement: one frame per tensor (bench only). */
#include "per_tensor.h"

#include "bench_util.h"

#include <stdlib.h>
#include <string.h>

void tensor_set_alloc(tensor_set *s) {
    s->frames = xmalloc(s->frames_cap);
    s->out = xmalloc(s->out_size);
}

void tensor_set_free(tensor_set *s) {
    free(s->jobs);
    free(s->frames);
    free(s->ref_frames);
    free(s->ref_sizes);
    free(s->out);
    memset(s, 0, sizeof *s);
}

int tensor_compress_all(void *arg) {
    tensor_run *r = arg;
    tensor_set *s = r->set;
    for (size_t i = 0; i < s->n; i++) {
        tensor_job *j = &s->jobs[i];
        size_t fs = 0;
        emz_status st = emz_compress(r->cctx, s->frames + j->frame_off, j->frame_cap, j->src,
                                     j->size, j->type, &fs);
        if (call_failed(st, &r->failed_status)) return -1;
        j->frame_size = fs;
    }
    return 0;
}

int tensor_decompress_all(void *arg) {
    tensor_run *r = arg;
    tensor_set *s = r->set;
    for (size_t i = 0; i < s->n; i++) {
        tensor_job *j = &s->jobs[i];
        size_t ds = 0;
        emz_status st = emz_decompress(r->dctx, s->out + j->out_off, j->size,
                                       s->frames + j->frame_off, j->frame_size, &ds);
        if (decompress_failed(st, ds, j->size, &r->failed_status)) return -1;
    }
    return 0;
}

int tensor_memcpy_all(void *arg) {
    tensor_set *s = arg;
    for (size_t i = 0; i < s->n; i++)
        memcpy(s->out + s->jobs[i].out_off, s->jobs[i].src, s->jobs[i].size);
    return 0;
}

void tensor_snapshot(tensor_set *s) {
    if (!s->ref_frames) s->ref_frames = xmalloc(s->frames_cap);
    if (!s->ref_sizes) s->ref_sizes = xmalloc(sizeof(size_t) * (s->n ? s->n : 1));
    for (size_t i = 0; i < s->n; i++) {
        const tensor_job *j = &s->jobs[i];
        memcpy(s->ref_frames + j->frame_off, s->frames + j->frame_off, j->frame_size);
        s->ref_sizes[i] = j->frame_size;
    }
}

/* Sizes are compared too: a shorter frame with an equal prefix must not pass. */
int tensor_same_as_snapshot(const tensor_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const tensor_job *j = &s->jobs[i];
        if (s->ref_sizes[i] != j->frame_size ||
            memcmp(s->ref_frames + j->frame_off, s->frames + j->frame_off, j->frame_size))
            return 0;
    }
    return 1;
}

int tensor_outputs_match(const tensor_set *s) {
    for (size_t i = 0; i < s->n; i++)
        if (memcmp(s->out + s->jobs[i].out_off, s->jobs[i].src, s->jobs[i].size)) return 0;
    return 1;
}
