/* kv_tables.c - loading a table file into struct emz_tables (kv_tables.h). */
#include "engine/kv_tables.h"

#include "format/huffman_build.h"
#include "format/table_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void emz_kv_tables_free(emz_tables *t) {
    if (!t) return;
    free(t->file), free(t->width), free(t->len), free(t->enc), free(t->dec);
    free(t->group), free(t->by_tag);
    free(t);
}

static int by_tag_order(const void *a, const void *b) {
    const emz_tables_tag *x = a, *y = b;
    if (x->tag != y->tag) return x->tag < y->tag ? -1 : 1;
    return x->group < y->group ? -1 : x->group > y->group;
}

/* Each group's set into the compact arrays, its coders built. */
static void fill_groups(emz_tables *t, const size_t *set_at, emz_table_set *ts) {
    uint32_t next = 0;
    for (uint32_t g = 0; g < t->header.groups; g++) {
        size_t used = 0;
        emz_table_set_read(t->file + set_at[g], t->file_size - set_at[g], ts, &used);
        for (unsigned i = 0; i < ts->count; i++) {
            t->width[next + i] = ts->width[i];
            memcpy(t->len[next + i], ts->len[i], 256);
            emz_huff_enc_init(ts->len[i], &t->enc[next + i]);
            emz_huff_dec_init(ts->len[i], SIZE_MAX, emz_huff_dec_multi_pays(ts->len[i]),
                              &t->dec[next + i]);
        }
        t->group[g].id = ts->id;
        t->group[g].tables = (emz_chunk_tables){
            ts->count,     t->width + next, (const uint8_t(*)[256])(t->len + next),
            t->dec + next, t->enc + next,   EMZ_KV_SHARED_SLACK};
        t->by_tag[g] = (emz_tables_tag){(uint32_t)ts->id, g};
        next += ts->count;
    }
    qsort(t->by_tag, t->header.groups, sizeof *t->by_tag, by_tag_order);
}

emz_status emz_kv_tables_load(const uint8_t *data, size_t size, emz_tables **out, char *detail,
                              size_t detail_size) {
    emz_table_file_parse p = {0};
    emz_status st = emz_table_file_read(data, size, &p, detail, detail_size);
    if (st != EMZ_OK) return st;
    /* Checked: now allocate by what it holds (groups <= size / 12, tables <= 2,048). */
    emz_tables *t = calloc(1, sizeof *t);
    size_t *set_at = malloc(p.header.groups * sizeof *set_at);
    emz_table_set *ts = malloc(sizeof *ts);
    if (t) {
        t->header = p.header, t->file_size = size, t->table_count = p.tables;
        t->file = malloc(size);
        t->width = malloc(p.tables);
        t->len = malloc(p.tables * sizeof *t->len);
        t->enc = malloc(p.tables * sizeof *t->enc);
        t->dec = malloc(p.tables * sizeof *t->dec);
        t->group = malloc(p.header.groups * sizeof *t->group);
        t->by_tag = malloc(p.header.groups * sizeof *t->by_tag);
    }
    if (!t || !set_at || !ts || !t->file || !t->width || !t->len || !t->enc || !t->dec ||
        !t->group || !t->by_tag) {
        emz_kv_tables_free(t), free(set_at), free(ts);
        return EMZ_ERROR_NO_MEMORY;
    }
    memcpy(t->file, data, size);
    /* The caller's bytes (a mapped file, say) may have changed since they were checked: the
     * copy, which nothing else sees, must hold what was allocated for. Then once more, for
     * where each set starts (set_at has room for the groups checked). */
    emz_table_file_parse q = {0};
    if (emz_table_file_read(t->file, size, &q, detail, detail_size) != EMZ_OK ||
        memcmp(&q.header, &p.header, sizeof p.header) != 0 || q.tables != p.tables) {
        if (detail && detail_size) snprintf(detail, detail_size, "table file: changed while read");
        emz_kv_tables_free(t), free(set_at), free(ts);
        return EMZ_ERROR_CORRUPT;
    }
    q.set_at = set_at;
    emz_table_file_read(t->file, size, &q, NULL, 0);
    t->id = emz_table_set_id(t->file, size);
    fill_groups(t, set_at, ts);
    free(set_at), free(ts);
    *out = t;
    return EMZ_OK;
}

int64_t emz_kv_tables_find(const emz_tables *t, uint32_t tag) {
    size_t lo = 0, hi = t->header.groups;
    while (lo < hi) { /* the first entry whose tag is not below tag */
        size_t mid = lo + (hi - lo) / 2;
        if (t->by_tag[mid].tag < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->header.groups && t->by_tag[lo].tag == tag) return t->by_tag[lo].group;
    return -1;
}
