/* kv_tables.c - loading a table file into struct emz_tables (kv_tables.h). */
#include "engine/kv_tables.h"

#include "common/common.h"
#include "format/element_types.h"
#include "format/huffman_build.h"
#include "format/table_set.h"

#include <stdlib.h>
#include <string.h>

void emz_kv_tables_free(emz_tables *t) {
    if (!t) return;
    free(t->file), free(t->width), free(t->len), free(t->enc), free(t->dec);
    free(t->group), free(t->by_tag), free(t->shift_words), free(t->sets), free(t->cluster_mem);
    free(t);
}

static int by_tag_order(const void *a, const void *b) {
    const emz_tables_tag *x = a, *y = b;
    if (x->tag != y->tag) return x->tag < y->tag ? -1 : 1;
    return x->group < y->group ? -1 : x->group > y->group;
}

void emz_kv_shift_words(const emz_channel_shift *s, emz_type type, uint8_t *words,
                        emz_tables_shift *out) {
    const emz_type_desc *d = emz_type_desc_get(type);
    unsigned bytes = d->element_bits / 8, low = d->element_bits - 1 - d->exp_bits;
    bool flips = false;
    for (size_t i = 0; i < emz_div_ceil(s->channels, 8); i++)
        flips |= s->signs[i] != 0;
    /* without flips the kernels skip them (one load a vector fewer) */
    *out = (emz_tables_shift){words, flips ? words + s->channels * bytes : NULL, s->channels, bytes,
                              ((1u << d->exp_bits) - 1) << low};
    for (size_t c = 0; c < s->channels; c++) {
        uint32_t shift = (uint32_t)s->offsets[c] << low;
        uint32_t flip = (uint32_t)(s->signs[c / 8] >> (c % 8) & 1) << (d->element_bits - 1);
        for (unsigned k = 0; k < bytes; k++) { /* little-endian words */
            words[c * bytes + k] = (uint8_t)(shift >> 8 * k);
            words[(s->channels + c) * bytes + k] = (uint8_t)(flip >> 8 * k);
        }
    }
}

void emz_kv_shift_apply(const emz_kernels *k, const emz_tables_shift *sh, const uint8_t *src,
                        uint8_t *dst, size_t size, bool inverse) {
    size_t n = size / sh->bytes;
    k->channel_shift(src, dst, n, sh->bytes, sh->shift, sh->flip, sh->channels, sh->field, inverse);
    if (dst != src) memcpy(dst + n * sh->bytes, src + n * sh->bytes, size - n * sh->bytes);
}

/* A set read from the file into the compact arrays from table *next on, its coders built. */
static emz_chunk_tables fill_set(emz_tables *t, const emz_table_set *ts, uint32_t *next,
                                 unsigned slack) {
    uint32_t first = *next;
    for (unsigned i = 0; i < ts->count; i++) {
        t->width[first + i] = ts->width[i];
        memcpy(t->len[first + i], ts->len[i], 256);
        emz_huff_enc_init(ts->len[i], &t->enc[first + i]);
        emz_huff_dec_init(ts->len[i], SIZE_MAX, emz_huff_dec_multi_pays(ts->len[i]),
                          &t->dec[first + i]);
    }
    *next += ts->count;
    return (emz_chunk_tables){
        ts->count,      t->width + first, (const uint8_t(*)[256])(t->len + first),
        t->dec + first, t->enc + first,   slack};
}

/* Each group's sets into the compact arrays, its coders built; its shift and clusters into
 * words. */
static void fill_groups(emz_tables *t, size_t at, emz_table_set *ts) {
    uint32_t next = 0, sets = 0;
    uint8_t *words = t->shift_words;
    uint8_t *cluster_mem = (uint8_t *)t->cluster_mem;
    const emz_type_desc *d = emz_type_desc_get(t->header.type);
    unsigned slack = d->element_bits == 8 ? EMZ_KV_SHARED_SLACK_FP8 : EMZ_KV_SHARED_SLACK_WIDE;
    for (uint32_t g = 0; g < t->header.groups; g++) {
        size_t used = 0, start = at;
        emz_tables_group *group = &t->group[g];
        emz_channel_shift shift = {0};
        emz_channel_clusters cl = {0};
        if (t->header.version >= 2)
            at += emz_table_file_read_shift(t->file + at, t->file_size - at, &t->header, &shift);
        if (t->header.version >= 3)
            at += emz_table_file_read_clusters(t->file + at, t->file_size - at, &t->header, &cl);
        group->shift = (emz_tables_shift){0};
        if (shift.present) {
            emz_kv_shift_words(&shift, t->header.type, words, &group->shift);
            words += 2 * shift.channels * group->shift.bytes;
        }
        group->clusters = (emz_tables_clusters){0};
        group->sets = NULL;
        if (cl.count) {
            emz_kv_clusters_build(&cl, cluster_mem, &group->clusters);
            cluster_mem += emz_kv_clusters_size(cl.channels, cl.count);
            group->sets = t->sets + sets;
        }
        for (unsigned k = 0; k < (cl.count ? cl.count : 1); k++) {
            emz_table_set_read(t->file + at, t->file_size - at, ts, &used);
            at += used;
            emz_chunk_tables set = fill_set(t, ts, &next, slack);
            if (k == 0) group->tables = set;
            if (cl.count) t->sets[sets++] = set;
        }
        group->id = t->header.version >= 2 ? emz_table_set_id(t->file + start, at - start) : ts->id;
        t->by_tag[g] = (emz_tables_tag){(uint32_t)group->id, g};
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
    /* the clustered groups' clusters as built: bounded by CLUSTER_CHANNELS_MAX (every group of
     * a file has the same channels; at most about 18 bytes a channel) */
    size_t channels = (size_t)p.header.heads * p.header.head_dim;
    unsigned most =
        channels < EMZ_TABLE_FILE_CLUSTERS_MAX ? (unsigned)channels : EMZ_TABLE_FILE_CLUSTERS_MAX;
    size_t cluster_bytes =
        channels ? p.cluster_channels / channels * emz_kv_clusters_size(channels, most) : 0;
    if ((p.shift_bytes && !(t->shift_words = malloc(p.shift_bytes))) ||
        (cluster_bytes && !(t->cluster_mem = malloc(cluster_bytes))) ||
        (p.cluster_channels && !(t->sets = malloc(p.sets * sizeof *t->sets)))) {
        emz_kv_tables_free(t), free(ts);
        return EMZ_ERROR_NO_MEMORY;
    }
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
