/* delta_plan.c - a checkpoint's tensors matched with its base's by name, dtype and shape; the
 * matched ones read once, beside their base tensors, to find the unchanged ones and take the
 * digests the container records (FORMAT.md, "Delta segments"). */
#include "engine/delta_plan.h"
#include "common/checksum.h"
#include "common/common.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { PIECE = 1 << 20 }; /* bytes of each tensor read at a time */

emz_status emz_st_read_source(const emz_source *src, emz_st_header *h, char *detail) {
    uint8_t length[8];
    if (src->size < 8) {
        emz_detail_set(detail, "file of %" PRIu64 " bytes is shorter than the 8-byte header length",
                       src->size);
        return EMZ_ERROR_BAD_SAFETENSORS;
    }
    if (src->read(src->opaque, length, 8, 0) != 0) return EMZ_ERROR_IO;
    uint64_t n = emz_load64(length);
    if (n > src->size - 8 || n > EMZ_SAFETENSORS_HEADER_MAX) {
        emz_detail_set(detail, "header length %" PRIu64 " is beyond the file (%" PRIu64 " bytes)%s",
                       n, src->size,
                       n > EMZ_SAFETENSORS_HEADER_MAX ? " or above the 100 MB limit" : "");
        return EMZ_ERROR_BAD_SAFETENSORS;
    }
    uint8_t *json = malloc(n ? (size_t)n : 1);
    if (!json) return EMZ_ERROR_NO_MEMORY;
    emz_status st = EMZ_OK;
    if (n && src->read(src->opaque, json, (size_t)n, 8) != 0) st = EMZ_ERROR_IO;
    if (st == EMZ_OK)
        st = emz_st_parse(json, (size_t)n, src->size - 8 - n, h, detail, EMZ_DETAIL_SIZE);
    free(json);
    return st;
}

static int by_name(const void *a, const void *b) {
    return strcmp((*(const emz_st_tensor *const *)a)->name,
                  (*(const emz_st_tensor *const *)b)->name);
}

/* The base's tensor of that name (sorted: by_name's order), or NULL. */
static const emz_st_tensor *find(const emz_st_tensor *const *sorted, size_t count,
                                 const char *name) {
    emz_st_tensor key = {.name = (char *)name};
    const emz_st_tensor *k = &key, *const *hit =
                                       bsearch(&k, sorted, count, sizeof *sorted, by_name);
    return hit ? *hit : NULL;
}

static bool same_kind(const emz_st_tensor *a, const emz_st_tensor *b) {
    if (strcmp(a->dtype, b->dtype) != 0 || a->dims != b->dims) return false;
    return memcmp(a->shape, b->shape, a->dims * sizeof a->shape[0]) == 0;
}

/* Reads the segment and its base bytes a piece at a time: the base's digest, and whether the
 * two are equal. */
static emz_status compare(const emz_source *src, const emz_source *base, emz_segment *g,
                          uint8_t *room) {
    emz_hash64_state hash;
    emz_hash64_begin(&hash);
    bool equal = true;
    for (uint64_t at = 0; at < g->size; at += PIECE) {
        size_t len = (size_t)(g->size - at < PIECE ? g->size - at : PIECE);
        if (base->read(base->opaque, room, len, g->base_offset + at) != 0) return EMZ_ERROR_IO;
        emz_hash64_add(&hash, room, len);
        if (!equal) continue;
        if (src->read(src->opaque, room + PIECE, len, g->offset + at) != 0) return EMZ_ERROR_IO;
        equal = memcmp(room, room + PIECE, len) == 0;
    }
    g->base_digest = emz_hash64_end(&hash);
    g->base_kind = equal ? EMZ_BASE_SAME : EMZ_BASE_DIFF;
    return EMZ_OK;
}

emz_status emz_delta_plan(const emz_st_header *h, const emz_source *src, const emz_st_header *bh,
                          const emz_source *base, emz_segment *seg, size_t n,
                          emz_delta_summary *summary) {
    const emz_st_tensor **sorted = malloc((bh->count ? bh->count : 1) * sizeof *sorted);
    uint8_t *room = malloc(2 * PIECE);
    emz_status st = sorted && room ? EMZ_OK : EMZ_ERROR_NO_MEMORY;
    for (size_t i = 0; st == EMZ_OK && i < bh->count; i++)
        sorted[i] = &bh->tensors[i];
    if (st == EMZ_OK) qsort(sorted, bh->count, sizeof *sorted, by_name);
    *summary = (emz_delta_summary){0};
    /* The header (segment 0, with whatever small tensors precede the first large one): a
     * reference to the base's when the bytes are the same, as they are when the checkpoint
     * keeps its base's names, dtypes, shapes and offsets; then an unchanged tensor costs only
     * its directory entry. Else stored alone, so that the tensors list without the base. */
    if (st == EMZ_OK && n > 0 && seg[0].offset == 0 && seg[0].size > 0 &&
        seg[0].size <= base->size) {
        seg[0].base_offset = 0;
        st = compare(src, base, &seg[0], room);
        if (seg[0].base_kind != EMZ_BASE_SAME) seg[0].base_kind = EMZ_BASE_NONE;
    }
    size_t s = 0; /* segments and tensors are both in file order */
    for (size_t i = 0; st == EMZ_OK && i < h->count; i++) {
        const emz_st_tensor *t = &h->tensors[i];
        uint64_t begin = h->data_start + t->begin, size = t->end - t->begin;
        while (s < n && seg[s].offset < begin)
            s++;
        if (size < EMZ_SMALL_TENSOR) continue; /* in a bytes segment */
        if (s == n || seg[s].offset != begin || seg[s].size != size) {
            st = EMZ_ERROR_CORRUPT; /* not reached: cut() gives such a tensor its segment */
            break;
        }
        summary->tensors++;
        const emz_st_tensor *b = find(sorted, bh->count, t->name);
        if (!b || !same_kind(t, b)) {
            summary->alone++;
            continue;
        }
        seg[s].base_offset = bh->data_start + b->begin;
        st = compare(src, base, &seg[s], room);
        if (seg[s].base_kind == EMZ_BASE_SAME)
            summary->same++;
        else
            summary->diff++;
    }
    free(sorted), free(room);
    return st;
}
