/* reader_base.c - a delta container's base (FORMAT.md, "Delta segments"): the base bytes a
 * segment decodes against, from the base's memory or its source; each base segment checked
 * against the digest the container recorded, once, the first time it is needed (whichever
 * thread gets there first; a second thread checking too gets the same answer); the bytes of
 * unchanged (SAME) segments, which only the base holds. */
#include "common/checksum.h"
#include "common/common.h"
#include "engine/reader.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

enum { PIECE = 1 << 20 }; /* base bytes read at a time through a source */

static bool base_holds(const emz_reader *r, const reader_segment *g, uint64_t at, uint64_t len) {
    uint64_t size = r->delta_src.size, from = g->base_offset + at;
    return r->has_delta_base && from <= size && len <= size - from;
}

emz_status emz_reader_base_bytes(const emz_reader *r, size_t s, uint64_t at, size_t len,
                                 uint8_t *buf, const uint8_t **out) {
    const reader_segment *g = &r->seg[s];
    if (!base_holds(r, g, at, len)) return EMZ_ERROR_WRONG_BASE;
    if (r->delta_mem) {
        *out = r->delta_mem + g->base_offset + at;
        return EMZ_OK;
    }
    if (len && r->delta_src.read(r->delta_src.opaque, buf, len, g->base_offset + at) != 0)
        return EMZ_ERROR_IO;
    *out = buf;
    return EMZ_OK;
}

emz_status emz_reader_base_check(const emz_reader *r, size_t s) {
    int state = atomic_load(&r->seg[s].base_state);
    if (state != EMZ_BASE_UNCHECKED)
        return state == EMZ_BASE_MATCHES ? EMZ_OK : EMZ_ERROR_WRONG_BASE;
    uint8_t *buf = r->delta_mem ? NULL : malloc(PIECE); /* in memory: hashed in place */
    if (!r->delta_mem && !buf) return EMZ_ERROR_NO_MEMORY;
    emz_status st = emz_reader_base_stream(r, s, buf, PIECE, NULL, NULL, NULL);
    free(buf);
    return st;
}

void emz_reader_base_describe(const emz_reader *r, size_t s, char *detail, size_t size) {
    const reader_segment *g = &r->seg[s];
    char what[EMZ_DETAIL_SIZE / 2];
    emz_reader_describe(r, g->offset, what, sizeof what);
    const char *why = !r->has_delta_base              ? "no base was given"
                      : !base_holds(r, g, 0, g->size) ? "the base given is too short"
                                                      : "the base given holds other bytes there";
    snprintf(detail, size,
             "%s is stored against base bytes %" PRIu64 "..%" PRIu64 " of digest %016" PRIx64
             ", but %s",
             what, g->base_offset, g->base_offset + g->size, g->base_digest, why);
}

/* Records what the base's bytes of segment s hashed to. */
static emz_status settle(const emz_reader *r, size_t s, uint64_t digest) {
    reader_segment *g = &r->seg[s];
    int state = digest == g->base_digest ? EMZ_BASE_MATCHES : EMZ_BASE_DIFFERS;
    atomic_store(&g->base_state, state);
    return state == EMZ_BASE_MATCHES ? EMZ_OK : EMZ_ERROR_WRONG_BASE;
}

emz_status emz_reader_copy_same(const emz_reader *r, uint8_t *dst, uint64_t dst_lo, uint64_t lo,
                                uint64_t hi, char *detail) {
    for (size_t s = emz_reader_segment_at(r, lo); s < r->info.segment_count; s++) {
        const reader_segment *g = &r->seg[s];
        if (g->offset >= hi) break;
        if (g->base_kind != EMZ_BASE_SAME) continue;
        uint64_t from = g->offset > lo ? g->offset : lo;
        uint64_t to = g->offset + g->size < hi ? g->offset + g->size : hi;
        bool whole = from == g->offset && to == g->offset + g->size;
        /* A whole segment is checked on the bytes copied (one read of the base); a part of
         * one against the whole segment's digest, once (emz_reader_base_check). */
        emz_status st = whole ? EMZ_OK : emz_reader_base_check(r, s);
        uint8_t *out = dst + (from - dst_lo);
        const uint8_t *got = NULL;
        if (st == EMZ_OK)
            st = emz_reader_base_bytes(r, s, from - g->offset, (size_t)(to - from), out, &got);
        if (st == EMZ_OK && got != out) memcpy(out, got, (size_t)(to - from));
        if (st == EMZ_OK && whole) st = settle(r, s, emz_hash64(out, (size_t)(to - from)));
        if (st == EMZ_ERROR_WRONG_BASE) emz_reader_base_describe(r, s, detail, EMZ_DETAIL_SIZE);
        if (st != EMZ_OK) return st;
    }
    return EMZ_OK;
}

emz_status emz_reader_base_stream(const emz_reader *r, size_t s, uint8_t *buf, size_t size,
                                  emz_same_put_fn put, void *opaque, char *detail) {
    const reader_segment *g = &r->seg[s];
    emz_hash64_state hash;
    emz_hash64_begin(&hash);
    emz_status st = EMZ_OK;
    for (uint64_t at = 0; st == EMZ_OK && at < g->size; at += size) {
        size_t len = (size_t)(g->size - at < size ? g->size - at : size);
        const uint8_t *got = NULL;
        st = emz_reader_base_bytes(r, s, at, len, buf, &got);
        if (st != EMZ_OK) break;
        emz_hash64_add(&hash, got, len);
        if (put) st = put(opaque, got, len);
    }
    if (st == EMZ_OK) st = settle(r, s, emz_hash64_end(&hash));
    if (st == EMZ_ERROR_WRONG_BASE && detail)
        emz_reader_base_describe(r, s, detail, EMZ_DETAIL_SIZE);
    return st;
}
