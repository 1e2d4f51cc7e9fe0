/* kv_tables.c - loading a table file into struct emz_tables (kv_tables.h). */
#include "engine/kv_tables.h"

#include "format/huffman_build.h"
#include "format/table_set.h"

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
static void fill_groups(emz_tables *t, size_t at, emz_table_set *ts) {
    uint32_t next = 0;
    for (uint32_t g = 0; g < t->header.groups; g++) {
        size_t used = 0;
        emz_table_set_read(t->file + at, t->file_size - at, ts, &used);
        at += used;
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
    /* The bytes are copied first and only the copy is checked and used: the caller's (a mapped
     * file, say) could change between a check and a second read. */
    emz_table_file_parse p = {0};
    emz_tables *t = calloc(1, sizeof *t);
    if (!t || !(t->file = malloc(size ? size : 1))) {
        emz_kv_tables_free(t);
        return EMZ_ERROR_NO_MEMORY;
    }
    memcpy(t->file, data, size);
    t->file_size = size;
    emz_status st = emz_table_file_read(t->file, size, &p, detail, detail_size);
    if (st != EMZ_OK) {
        emz_kv_tables_free(t);
        return st;
    }
    /* Checked: now allocate by what it holds (groups <= size / 12, tables <= 2,048). */
    t->header = p.header, t->table_count = p.tables;
    t->width = malloc(p.tables);
    t->len = malloc(p.tables * sizeof *t->len);
    t->enc = malloc(p.tables * sizeof *t->enc);
    t->dec = malloc(p.tables * sizeof *t->dec);
    t->group = malloc(p.header.groups * sizeof *t->group);
    t->by_tag = malloc(p.header.groups * sizeof *t->by_tag);
    emz_table_set *ts = malloc(sizeof *ts);
    if (!ts || !t->width || !t->len || !t->enc || !t->dec || !t->group || !t->by_tag) {
        emz_kv_tables_free(t), free(ts);
        return EMZ_ERROR_NO_MEMORY;
    }
    t->id = emz_table_set_id(t->file, size);
    fill_groups(t, p.sets_at, ts);
    free(ts);
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
