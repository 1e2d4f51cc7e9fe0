/* stream_mode.c - the "emzip-stream" measurement: one frame per emz type (bench only). */
#include "stream_mode.h"

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct by_offset {
    uint64_t begin, end;
    size_t index;
} by_offset;

/* File order of the data: safetensors headers list tensors in any order (often sorted by
 * name), but a checkpoint writer streaming the data section sees them by offset. */
static int cmp_offset(const void *a, const void *b)
{
    const by_offset *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

stream_group *stream_find(stream_set *s, emz_type t)
{
    for (int k = 0; k < s->n; k++)
        if (s->g[k].type == t) return &s->g[k];
    return NULL;
}

static stream_group *find_or_add(stream_set *s, emz_type t)
{
    stream_group *g = stream_find(s, t);
    if (g || s->n == EMZ_TYPE_COUNT) return g;
    g = &s->g[s->n++];
    g->type = t;
    return g;
}

int stream_build(stream_set *s, const st_file *sf, const emz_type *types, char *err, size_t errlen)
{
    by_offset *order = malloc(sizeof *order * (sf->count ? sf->count : 1));
    if (!order) { snprintf(err, errlen, "out of memory"); return -1; }
    for (size_t i = 0; i < sf->count; i++)
        order[i] = (by_offset){sf->tensors[i].begin, sf->tensors[i].end, i};
    qsort(order, sf->count, sizeof *order, cmp_offset);

    /* sizes first, so that each buffer is allocated once */
    for (size_t i = 0; i < sf->count; i++) {
        stream_group *g = find_or_add(s, types[order[i].index]);
        if (!g) { snprintf(err, errlen, "unknown emz type"); goto fail; }
        g->tensors++;
        g->size += (size_t)(order[i].end - order[i].begin);
    }
    for (int k = 0; k < s->n; k++) {
        stream_group *g = &s->g[k];
        g->frame_cap = emz_compress_bound(g->size);
        if (!g->frame_cap) { snprintf(err, errlen, "compress bound overflow"); goto fail; }
        g->src = malloc(g->size ? g->size : 1);
        g->out = malloc(g->size ? g->size : 1);
        g->frame = malloc(g->frame_cap);
        if (!g->src || !g->out || !g->frame) { snprintf(err, errlen, "out of memory"); goto fail; }
        g->size = 0; /* refilled below as the fill position */
    }
    for (size_t i = 0; i < sf->count; i++) {
        const st_tensor *t = &sf->tensors[order[i].index];
        stream_group *g = stream_find(s, types[order[i].index]);
        size_t n = (size_t)(t->end - t->begin);
        memcpy(g->src + g->size, sf->data + t->begin, n);
        g->size += n;
    }
    free(order);
    return 0;
fail:
    free(order);
    return -1;
}

void stream_free(stream_set *s)
{
    for (int k = 0; k < s->n; k++) {
        free(s->g[k].src);
        free(s->g[k].out);
        free(s->g[k].frame);
        free(s->g[k].ref_frame);
    }
    s->n = 0;
}

int stream_compress_all(void *arg)
{
    stream_run *r = arg;
    stream_set *s = r->set;
    for (int k = 0; k < s->n; k++) {
        stream_group *g = &s->g[k];
        emz_status st = emz_compress(r->cctx, g->frame, g->frame_cap, g->src, g->size, g->type,
                                     &g->frame_size);
        if (st != EMZ_OK) { r->failed_status = (int)st; return -1; }
    }
    return 0;
}

int stream_decompress_all(void *arg)
{
    stream_run *r = arg;
    stream_set *s = r->set;
    for (int k = 0; k < s->n; k++) {
        stream_group *g = &s->g[k];
        size_t ds = 0;
        emz_status st = emz_decompress(r->dctx, g->out, g->size, g->frame, g->frame_size, &ds);
        if (st != EMZ_OK) { r->failed_status = (int)st; return -1; }
        if (ds != g->size) { r->failed_status = -1; return -1; }
    }
    return 0;
}

int stream_check(stream_set *s, emz_dctx *verify, emz_dctx *noverify, size_t chunk,
                 const char *path, const char *what)
{
    int bad = 0;
    for (int k = 0; k < s->n; k++) {
        stream_group *g = &s->g[k];
        emz_frame_info fi;
        emz_status st = emz_frame_info_get(g->frame, g->frame_size, &fi);
        if (st != EMZ_OK || fi.type != g->type || fi.original_size != g->size ||
            (g->size && fi.chunk_size != chunk)) {
            fprintf(stderr, "emzip-bench: %s: emzip-stream %s (%s): bad frame header (%s)\n", path,
                    emz_type_name(g->type), what, emz_error_name(st));
            bad = 1;
        }
        for (int v = 1; v >= 0; v--) {
            size_t ds = 0;
            memset(g->out, 0xA5, g->size); /* stale bytes must not pass for decoded ones */
            st = emz_decompress(v ? verify : noverify, g->out, g->size, g->frame, g->frame_size, &ds);
            if (st != EMZ_OK || ds != g->size || memcmp(g->out, g->src, g->size) != 0) {
                fprintf(stderr, "emzip-bench: %s: emzip-stream %s (%s, %zu tensors, %zu bytes): round "
                        "trip FAILED (verify=%d, %s)\n", path, emz_type_name(g->type), what, g->tensors,
                        g->size, v, emz_error_name(st));
                bad = 1;
            }
        }
    }
    return bad ? -1 : 0;
}

void stream_snapshot(stream_set *s)
{
    for (int k = 0; k < s->n; k++) {
        stream_group *g = &s->g[k];
        if (!g->ref_frame) g->ref_frame = xmalloc(g->frame_cap);
        memcpy(g->ref_frame, g->frame, g->frame_size);
        g->ref_size = g->frame_size;
    }
}

int stream_same_as_snapshot(const stream_set *s)
{
    for (int k = 0; k < s->n; k++) {
        const stream_group *g = &s->g[k];
        if (g->ref_size != g->frame_size || memcmp(g->ref_frame, g->frame, g->frame_size)) return 0;
    }
    return 1;
}

int stream_outputs_match(const stream_set *s)
{
    for (int k = 0; k < s->n; k++)
        if (memcmp(s->g[k].out, s->g[k].src, s->g[k].size)) return 0;
    return 1;
}

uint64_t stream_frame_total(const stream_set *s)
{
    uint64_t t = 0;
    for (int k = 0; k < s->n; k++) t += s->g[k].frame_size;
    return t;
}

uint64_t stream_frame_fixed(const stream_group *g, size_t chunk)
{
    return 36 + 8 * (uint64_t)((g->size + chunk - 1) / chunk);
}
