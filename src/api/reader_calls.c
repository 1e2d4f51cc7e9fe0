/* reader_calls.c - the emz_reader_* entry points: argument checks and the call's context around the
 * engine's reader (engine/reader_*.c). Opening from memory or a file is reader_sources.c. */
#include "engine/reader.h"

#include <stdlib.h>
#include <string.h>

emz_status emz_reader_open(emz_dctx *dctx, const emz_source *src, emz_reader **reader) {
    if (!src || !src->read || !reader) return EMZ_ERROR_INVALID_ARGUMENT;
    *reader = NULL;
    emz_context local, *c = emz_context_begin(emz_dctx_core(dctx), &local);
    emz_status st = emz_reader_create(c, src, reader);
    emz_context_end(c, &local);
    return st;
}

void emz_reader_close(emz_reader *r) {
    if (!r) return;
    emz_reader_release(r);
    free(r);
}

emz_status emz_reader_info_get(const emz_reader *r, emz_reader_info *info) {
    if (!r || !info) return EMZ_ERROR_INVALID_ARGUMENT;
    *info = r->info;
    return EMZ_OK;
}

emz_status emz_reader_frame_info_get(const emz_reader *r, emz_frame_info *info) {
    if (!r || !info || r->info.is_container) return EMZ_ERROR_INVALID_ARGUMENT;
    *info = r->frame;
    return EMZ_OK;
}

emz_status emz_reader_table_set_get(const emz_reader *r, emz_reader_table_set_info *info) {
    if (!r || !info) return EMZ_ERROR_INVALID_ARGUMENT;
    *info = (emz_reader_table_set_info){0};
    if (!r->set) return EMZ_OK;
    info->present = 1;
    info->id = r->set->id;
    info->size = r->set_size;
    info->table_count = r->set->count;
    for (unsigned i = 0; i < r->set->count; i++)
        info->tables_of_width[r->set->width[i]]++;
    return EMZ_OK;
}

emz_status emz_reader_tensor(const emz_reader *r, uint64_t index, emz_tensor_info *info) {
    if (!r || !info) return EMZ_ERROR_INVALID_ARGUMENT;
    if (index >= r->st.count) return EMZ_ERROR_RANGE;
    const emz_st_tensor *t = &r->st.tensors[index];
    *info = (emz_tensor_info){.name = t->name,
                              .dtype = t->dtype,
                              .type = t->type,
                              .dims = t->dims,
                              .shape = t->shape,
                              .offset = r->st.data_start + t->begin,
                              .size = t->end - t->begin,
                              .stored_size = r->stored[index]};
    /* a delta's tensor with a segment of its own: how that segment uses the base */
    size_t s = r->info.segment_count ? emz_reader_segment_at(r, info->offset) : 0;
    if (r->info.is_delta && info->size && s < r->info.segment_count &&
        r->seg[s].offset == info->offset && r->seg[s].size == info->size) {
        info->base_kind = (int)r->seg[s].base_kind;
        info->base_offset = r->seg[s].base_offset;
        info->base_digest = r->seg[s].base_digest;
    }
    return EMZ_OK;
}

/* The reader a base source reads from, when it is one of emz_reader_source's. */
static const emz_reader *source_reader(const emz_source *src) {
    return src->read == emz_reader_source_read ? src->opaque : NULL;
}

/* Whether base may become r's base: EMZ_ERROR_INVALID_ARGUMENT when it reads from r through
 * emz_reader_source (itself, or along other readers' bases: a loop would recurse without end),
 * EMZ_ERROR_WRONG_BASE when it is too short for a segment that needs it. */
static emz_status base_accept(const emz_reader *r, const emz_source *base) {
    size_t depth = 0;
    for (const emz_reader *b = source_reader(base); b; depth++) {
        if (b == r || depth > 1000) return EMZ_ERROR_INVALID_ARGUMENT;
        b = b->has_delta_base && !b->delta_mem ? source_reader(&b->delta_src) : NULL;
    }
    for (uint64_t s = 0; s < r->info.segment_count; s++) {
        const reader_segment *g = &r->seg[s];
        if (g->base_kind != EMZ_BASE_NONE &&
            (g->base_offset > base->size || g->size > base->size - g->base_offset))
            return EMZ_ERROR_WRONG_BASE;
    }
    return EMZ_OK;
}

/* A new base: no segment checked against it yet; a header stored against the base read now
 * (on failure the reader is left without a base and without tensors). */
static emz_status base_changed(emz_reader *r) {
    r->has_delta_base = true;
    for (uint64_t s = 0; s < r->info.segment_count; s++)
        atomic_store(&r->seg[s].base_state, EMZ_BASE_UNCHECKED);
    if (!r->tensors_pending) return EMZ_OK;
    emz_context local, *c = emz_context_begin(NULL, &local);
    emz_status st = emz_reader_load_tensors(r, c);
    emz_context_end(c, &local);
    if (st == EMZ_OK) {
        r->tensors_pending = false, r->info.tensors_need_base = 0;
    } else {
        emz_st_free(&r->st);
        free(r->stored);
        r->stored = NULL, r->info.tensor_count = 0, r->has_delta_base = false;
    }
    return st;
}

emz_status emz_reader_set_base(emz_reader *r, const emz_source *base) {
    if (!r || !base || !base->read || !r->info.is_delta) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_status st = base_accept(r, base);
    if (st != EMZ_OK) return st;
    r->delta_src = *base, r->delta_mem = NULL;
    return base_changed(r);
}

emz_status emz_reader_set_base_memory(emz_reader *r, const void *data, size_t size) {
    if (!r || (!data && size) || !r->info.is_delta) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_source view = {NULL, NULL, size};
    emz_status st = base_accept(r, &view);
    if (st != EMZ_OK) return st;
    r->delta_src = view;
    r->delta_mem = data ? data : (const uint8_t *)"";
    return base_changed(r);
}

emz_status emz_reader_source(const emz_reader *r, emz_source *src) {
    if (!r || !src) return EMZ_ERROR_INVALID_ARGUMENT;
    *src = (emz_source){emz_reader_source_read, (void *)r, r->info.original_size};
    return EMZ_OK;
}

emz_status emz_reader_find_tensor(const emz_reader *r, const char *name, uint64_t *index) {
    if (!r || !name || !index) return EMZ_ERROR_INVALID_ARGUMENT;
    for (size_t t = 0; t < r->st.count; t++)
        if (strcmp(r->st.tensors[t].name, name) == 0) {
            *index = t;
            return EMZ_OK;
        }
    return EMZ_ERROR_RANGE;
}

emz_status emz_reader_read(const emz_reader *r, emz_dctx *dctx, void *dst, size_t dst_capacity,
                           uint64_t offset, uint64_t length) {
    if (!r || (!dst && length)) return EMZ_ERROR_INVALID_ARGUMENT;
    if (offset > r->info.original_size || length > r->info.original_size - offset)
        return EMZ_ERROR_RANGE;
    if (length > dst_capacity) return EMZ_ERROR_DST_TOO_SMALL;
    if (length == 0) return EMZ_OK;
    emz_context local, *c = emz_context_begin(emz_dctx_core(dctx), &local);
    emz_status st = emz_reader_read_range(r, c, dst, offset, offset + length);
    emz_context_end(c, &local);
    return st;
}

emz_status emz_reader_read_tensor(const emz_reader *r, emz_dctx *dctx, uint64_t index, void *dst,
                                  size_t dst_capacity, uint64_t offset, uint64_t length) {
    emz_tensor_info t;
    if (!r) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_status st = emz_reader_tensor(r, index, &t);
    if (st != EMZ_OK) return st;
    if (offset > t.size || length > t.size - offset) return EMZ_ERROR_RANGE;
    return emz_reader_read(r, dctx, dst, dst_capacity, t.offset + offset, length);
}

emz_status emz_reader_decompress(const emz_reader *r, emz_dctx *dctx, const emz_sink *dst,
                                 uint64_t *written) {
    uint64_t done = 0;
    if (!r || (dst && !dst->write)) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_context local, *c = emz_context_begin(emz_dctx_core(dctx), &local);
    emz_status st = emz_reader_decompress_all(r, c, dst, &done);
    emz_context_end(c, &local);
    if (written) *written = done;
    return st;
}
