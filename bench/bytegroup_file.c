/* bytegroup_file.c - byte-group Huffman beside emzip on one file, and emzip's container size
 * (bench only). */
#include "bytegroup_file.h"

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The checkpoint as emzip's container cuts it (docs/FORMAT.md, "Container"): the header as
 * bytes, each tensor typed, the bytes between and after tensors as bytes. The baseline codes
 * each tensor on its own whatever its size (emzip puts tensors under 64 bytes into the bytes
 * frame around them). */
static void add_rest(bg_set *rest, const uint8_t *buf, size_t size, const emz_st_header *h) {
    bg_set_add(rest, buf, (size_t)h->data_start, EMZ_TYPE_BYTES);
    const uint8_t *data = buf + h->data_start;
    uint64_t pos = 0, data_size = size - h->data_start;
    for (size_t i = 0; i < h->count; i++) {
        const emz_st_tensor *t = &h->tensors[i];
        if (t->begin > pos) bg_set_add(rest, data + pos, (size_t)(t->begin - pos), EMZ_TYPE_BYTES);
        if (t->end > pos) pos = t->end;
    }
    if (data_size > pos) bg_set_add(rest, data + pos, (size_t)(data_size - pos), EMZ_TYPE_BYTES);
}

int bg_file_setup(bg_file *b, const uint8_t *buf, size_t size, const emz_st_header *h,
                  const stream_set *ss, file_result *fr, char *err, size_t errlen) {
    memset(b, 0, sizeof *b);
    const uint8_t *data = buf + h->data_start;
    for (size_t i = 0; i < h->count; i++) {
        const emz_st_tensor *t = &h->tensors[i];
        bg_set_add(&b->tensors, data + t->begin, (size_t)(t->end - t->begin), t->type);
    }
    for (int k = 0; k < ss->n; k++)
        bg_set_add(&b->streams, ss->g[k].src, ss->g[k].size, ss->g[k].type);
    add_rest(&b->rest, buf, size, h);
    bg_set *sets[3] = {&b->tensors, &b->streams, &b->rest};
    for (int k = 0; k < 3; k++) {
        bg_set_alloc(sets[k]);
        if (bg_roundtrip(sets[k], err, errlen)) return -1;
    }
    fr->bg_tensor_bytes = bg_set_bytes(&b->tensors);
    fr->bg_stream_bytes = bg_set_bytes(&b->streams);
    fr->bg_checkpoint_bytes = fr->bg_tensor_bytes + bg_set_bytes(&b->rest);
    for (int k = 0; k < ss->n && k < fr->nstreams; k++)
        fr->streams[k].bg_bytes = bg_unit_bytes(&b->streams, (size_t)k);
    return 0;
}

void bg_file_free(bg_file *b) {
    bg_set_free(&b->tensors);
    bg_set_free(&b->streams);
    bg_set_free(&b->rest);
}

/* ---- emzip's container, in memory ---- */

typedef struct membuf {
    const uint8_t *src; /* the source side */
    uint8_t *data;      /* the sink side: what was written */
    size_t size, cap;
} membuf;

static int mem_read(void *opaque, void *buf, size_t size, uint64_t offset) {
    const membuf *m = opaque;
    memcpy(buf, m->src + offset, size);
    return 0;
}

static int mem_write(void *opaque, const void *buf, size_t size) {
    membuf *m = opaque;
    if (m->size + size > m->cap) {
        size_t cap = m->cap ? m->cap : 1 << 20;
        while (cap < m->size + size)
            cap *= 2;
        uint8_t *d = realloc(m->data, cap);
        if (!d) return -1;
        m->data = d, m->cap = cap;
    }
    memcpy(m->data + m->size, buf, size);
    m->size += size;
    return 0;
}

/* Loads the container back into one buffer and compares it with the file. */
static int container_check(emz_dctx *dctx, const membuf *c, const uint8_t *buf, size_t size,
                           char *err, size_t errlen) {
    emz_reader *r = NULL;
    emz_status st = emz_reader_open_memory(dctx, c->data, c->size, &r);
    uint8_t *back = xmalloc(size ? size : 1);
    if (st == EMZ_OK) st = emz_reader_read(r, dctx, back, size, 0, size);
    int same = st == EMZ_OK && memcmp(back, buf, size) == 0;
    emz_reader_close(r);
    free(back);
    if (st != EMZ_OK)
        snprintf(err, errlen, "emzip container: reading it back failed: %s", emz_error_name(st));
    else if (!same)
        snprintf(err, errlen, "emzip container: round trip not byte-identical");
    return same ? 0 : -1;
}

int container_measure(emz_cctx *cctx, emz_dctx *dctx, const uint8_t *buf, size_t size,
                      file_result *fr, char *err, size_t errlen) {
    membuf m = {buf, NULL, 0, 0};
    emz_source src = {mem_read, &m, size};
    emz_sink sink = {mem_write, &m};
    uint64_t written = 0;
    emz_status st = emz_compress_safetensors(cctx, &src, &sink, &written);
    int rc = -1;
    if (st != EMZ_OK)
        snprintf(err, errlen, "emz_compress_safetensors failed: %s (%s)", emz_error_name(st),
                 emz_cctx_error_detail(cctx));
    else if (written != m.size)
        snprintf(err, errlen, "emz_compress_safetensors: size mismatch");
    else
        rc = container_check(dctx, &m, buf, size, err, errlen);
    fr->container_bytes = rc == 0 ? m.size : 0;
    free(m.data);
    return rc;
}
