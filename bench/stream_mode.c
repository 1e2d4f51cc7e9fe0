/* stream_mode.c - the "emzip-stream" measurement: one frame per emz type (bench only). */
#include "stream_mode.h"

#include "bench_util.h"
#include "impls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

stream_group *stream_find(stream_set *s, emz_type t) {
    for (int k = 0; k < s->n; k++)
        if (s->g[k].type == t) return &s->g[k];
    return NULL;
}

static stream_group *find_or_add(stream_set *s, emz_type t) {
    stream_group *g = stream_find(s, t);
    if (g || s->n == EMZ_TYPE_COUNT) return g;
    g = &s->g[s->n++];
    g->type = t;
    return g;
}

/* The groups fill in the order of h's tensors: by data offset (emz_st_parse sorts them), the
 * order a checkpoint writer streaming the data section sees them, whatever the header's order
 * (often by name). */
int stream_build(stream_set *s, const emz_st_header *h, const uint8_t *data, char *err,
                 size_t errlen) {
    /* sizes first, so that each buffer is allocated once */
    for (size_t i = 0; i < h->count; i++) {
        stream_group *g = find_or_add(s, h->tensors[i].type);
        if (!g) {
            snprintf(err, errlen, "unknown emz type");
            return -1;
        }
        g->tensors++;
        g->size += (size_t)(h->tensors[i].end - h->tensors[i].begin);
    }
    for (int k = 0; k < s->n; k++) {
        stream_group *g = &s->g[k];
        g->frame_cap = emz_compress_bound(g->size);
        if (!g->frame_cap) {
            snprintf(err, errlen, "compress bound overflow");
            return -1;
        }
        g->src = malloc(g->size ? g->size : 1);
        g->out = malloc(g->size ? g->size : 1);
        g->frame = malloc(g->frame_cap);
        if (!g->src || !g->out || !g->frame) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        g->size = 0; /* refilled below as the fill position */
    }
    for (size_t i = 0; i < h->count; i++) {
        const emz_st_tensor *t = &h->tensors[i];
        stream_group *g = stream_find(s, t->type);
        size_t n = (size_t)(t->end - t->begin);
        memcpy(g->src + g->size, data + t->begin, n);
        g->size += n;
    }
    return 0;
}

void stream_free(stream_set *s) {
    for (int k = 0; k < s->n; k++) {
        free(s->g[k].src);
        free(s->g[k].out);
        free(s->g[k].frame);
        free(s->g[k].ref_frame);
    }
    s->n = 0;
}

int stream_compress_all(void *arg) {
    stream_run *r = arg;
    stream_set *s = r->set;
    for (int k = 0; k < s->n; k++) {
        stream_group *g = &s->g[k];
        emz_status st =
            emz_compress(r->cctx, g->frame, g->frame_cap, g->src, g->size, g->type, &g->frame_size);
        if (call_failed(st, &r->failed_status)) return -1;
    }
    return 0;
}

int stream_decompress_all(void *arg) {
    stream_run *r = arg;
    stream_set *s = r->set;
    for (int k = 0; k < s->n; k++) {
        stream_group *g = &s->g[k];
        size_t ds = 0;
        emz_status st = emz_decompress(r->dctx, g->out, g->size, g->frame, g->frame_size, &ds);
        if (decompress_failed(st, ds, g->size, &r->failed_status)) return -1;
    }
    return 0;
}

int stream_check(stream_set *s, emz_dctx *verify, emz_dctx *noverify, size_t chunk,
                 const char *path, const char *what) {
    int bad = 0;
    for (int k = 0; k < s->n; k++) {
        stream_group *g = &s->g[k];
        emz_frame_info fi;
        emz_status st = emz_frame_info_get(g->frame, g->frame_size, &fi);
        if (st != EMZ_OK || fi.type != g->type || fi.original_size != g->size ||
            (g->size && fi.chunk_size != bench_chunk_of(chunk, g->type))) {
            fprintf(stderr, "emzip-bench: %s: emzip-stream %s (%s): bad frame header (%s)\n", path,
                    emz_type_name(g->type), what, emz_error_name(st));
            bad = 1;
        }
        for (int v = 1; v >= 0; v--) {
            size_t ds = 0;
            memset(g->out, 0xA5, g->size); /* stale bytes must not pass for decoded ones */
            st = emz_decompress(v ? verify : noverify, g->out, g->size, g->frame, g->frame_size,
                                &ds);
            if (st != EMZ_OK || ds != g->size || memcmp(g->out, g->src, g->size) != 0) {
                fprintf(stderr,
                        "emzip-bench: %s: emzip-stream %s (%s, %zu tensors, %zu bytes): round "
                        "trip FAILED (verify=%d, %s)\n",
                        path, emz_type_name(g->type), what, g->tensors, g->size, v,
                        emz_error_name(st));
                bad = 1;
            }
        }
    }
    return bad ? -1 : 0;
}

void stream_snapshot(stream_set *s) {
    for (int k = 0; k < s->n; k++) {
        stream_group *g = &s->g[k];
        if (!g->ref_frame) g->ref_frame = xmalloc(g->frame_cap);
        memcpy(g->ref_frame, g->frame, g->frame_size);
        g->ref_size = g->frame_size;
    }
}

int stream_same_as_snapshot(const stream_set *s) {
    for (int k = 0; k < s->n; k++) {
        const stream_group *g = &s->g[k];
        if (g->ref_size != g->frame_size || memcmp(g->ref_frame, g->frame, g->frame_size)) return 0;
    }
    return 1;
}

int stream_outputs_match(const stream_set *s) {
    for (int k = 0; k < s->n; k++)
        if (memcmp(s->g[k].out, s->g[k].src, s->g[k].size)) return 0;
    return 1;
}

uint64_t stream_frame_total(const stream_set *s) {
    uint64_t t = 0;
    for (int k = 0; k < s->n; k++)
        t += s->g[k].frame_size;
    return t;
}

uint64_t stream_frame_fixed(const stream_group *g, size_t chunk) {
    return 36 + 8 * (uint64_t)((g->size + chunk - 1) / chunk);
}
