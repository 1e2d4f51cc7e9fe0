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
    *info = (emz_tensor_info){t->name,           t->dtype,        t->type,
                              t->dims,           t->shape,        r->st.data_start + t->begin,
                              t->end - t->begin, r->stored[index]};
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
