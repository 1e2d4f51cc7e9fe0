/* tables.c - the table calls of emzip.h: training, loading, saving and describing the tables
 * blocks are coded with (engine/kv_train.c, engine/kv_tables.c). */
#include "engine/dispatch.h"
#include "engine/kv_tables.h"
#include "engine/kv_train.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

emz_status emz_tables_train(const emz_tables_options *options, const emz_tables_sample *samples,
                            size_t count, emz_tables **tables, char *detail, size_t detail_size) {
    const emz_kernels *k = NULL;
    uint8_t *file = NULL;
    size_t size = 0;
    if (detail && detail_size) detail[0] = 0;
    if (!options || !tables || (!samples && count)) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_status st = emz_kernels_resolve(EMZ_IMPL_AUTO, &k);
    if (st == EMZ_OK)
        st = emz_kv_train(k, options, samples, count, &file, &size, detail, detail_size);
    if (st == EMZ_OK) st = emz_kv_tables_load(file, size, tables, detail, detail_size);
    free(file);
    return st;
}

emz_status emz_tables_info_get(const emz_tables *t, emz_tables_info *info) {
    if (!t || !info) return EMZ_ERROR_INVALID_ARGUMENT;
    *info = (emz_tables_info){t->header.type,     t->header.groups,     t->header.heads,
                              t->header.head_dim, t->header.block_size, t->id,
                              t->file_size,       t->table_count};
    return EMZ_OK;
}

emz_status emz_tables_group_id(const emz_tables *t, uint32_t group, uint64_t *id) {
    if (!t || !id || group >= t->header.groups) return EMZ_ERROR_INVALID_ARGUMENT;
    *id = t->group[group].id;
    return EMZ_OK;
}

emz_status emz_tables_group_tables(const emz_tables *t, uint32_t group, uint32_t *count) {
    if (!t || !count || group >= t->header.groups) return EMZ_ERROR_INVALID_ARGUMENT;
    const emz_tables_group *g = &t->group[group];
    *count = g->tables.count;
    for (unsigned k = 1; k < g->clusters.count; k++) /* cluster 0's set is g->tables */
        *count += g->sets[k].count;
    return EMZ_OK;
}

emz_status emz_tables_group_clusters(const emz_tables *t, uint32_t group, uint32_t *count) {
    if (!t || !count || group >= t->header.groups) return EMZ_ERROR_INVALID_ARGUMENT;
    *count = t->group[group].clusters.count;
    return EMZ_OK;
}

emz_status emz_tables_group_shift(const emz_tables *t, uint32_t group, uint32_t *channels) {
    if (!t || !channels || group >= t->header.groups) return EMZ_ERROR_INVALID_ARGUMENT;
    *channels = t->group[group].shift.shift ? (uint32_t)t->group[group].shift.channels : 0;
    return EMZ_OK;
}

emz_status emz_tables_save(const emz_tables *t, void *dst, size_t dst_capacity, size_t *written) {
    if (!t || !dst || !written) return EMZ_ERROR_INVALID_ARGUMENT;
    if (dst_capacity < t->file_size) return EMZ_ERROR_DST_TOO_SMALL;
    memcpy(dst, t->file, t->file_size);
    *written = t->file_size;
    return EMZ_OK;
}

/* The caller's expectations against what the file says. */
static emz_status check_expect(const emz_tables *t, const emz_tables_info *e, char *detail,
                               size_t detail_size) {
    const emz_table_file_header *h = &t->header;
    if (e->type != h->type) {
        if (detail && detail_size)
            snprintf(detail, detail_size, "the tables (%016" PRIx64 ") are for %s, not %s", t->id,
                     emz_type_name(h->type), emz_type_name(e->type));
        return EMZ_ERROR_WRONG_TABLES;
    }
    if ((e->heads || e->head_dim) && (e->heads != h->heads || e->head_dim != h->head_dim)) {
        if (detail && detail_size)
            snprintf(detail, detail_size,
                     "the tables (%016" PRIx64 ") are for a layout of %" PRIu32 " heads x %" PRIu32
                     ", not %" PRIu32 " x %" PRIu32,
                     t->id, h->heads, h->head_dim, e->heads, e->head_dim);
        return EMZ_ERROR_WRONG_TABLES;
    }
    return EMZ_OK;
}

emz_status emz_tables_load(const void *data, size_t size, const emz_tables_info *expect,
                           emz_tables **tables, char *detail, size_t detail_size) {
    if (detail && detail_size) detail[0] = 0;
    if (!data || !tables) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_tables *t = NULL;
    emz_status st = emz_kv_tables_load(data, size, &t, detail, detail_size);
    if (st == EMZ_OK && expect) st = check_expect(t, expect, detail, detail_size);
    if (st != EMZ_OK) {
        emz_kv_tables_free(t);
        return st;
    }
    *tables = t;
    return EMZ_OK;
}

void emz_tables_free(emz_tables *t) {
    emz_kv_tables_free(t);
}
