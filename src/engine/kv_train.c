/* kv_train.c - a table file from sample caches. Each group's samples are cut into blocks of the
 * size the tables will code and encoded as blocks would be (without tables), adding up the
 * histograms of every stream the encoder weighs, by role (chunk_codec.h). Each role then gets
 * two tables: the Huffman code of what was seen, and one that also gives a code to every other
 * symbol, so that a block holding a value never seen in training (another prompt, another
 * model) still takes a trained table rather than carrying its own. The encoder picks, per
 * stream, the cheaper table that codes it. */
#include "engine/kv_train.h"

#include "format/chunk_codec.h"
#include "format/element_types.h"
#include "format/huffman_build.h"
#include "format/table_file.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct trainer {
    const emz_kernels *k;
    const emz_tables_options *o;
    uint32_t block_size;
    emz_chunk_scratch scratch;
    uint8_t *out;            /* a block's payload, discarded */
    emz_stream_stats *stats; /* one group's histograms */
    emz_table_set *set;      /* one group's tables */
    uint8_t *file;           /* the file so far */
    size_t size, cap;
    char *detail;
    size_t detail_size;
} trainer;

static emz_status fail(trainer *t, emz_status st, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static emz_status fail(trainer *t, emz_status st, const char *format, ...) {
    if (t->detail && t->detail_size) {
        va_list ap;
        va_start(ap, format);
        vsnprintf(t->detail, t->detail_size, format, ap);
        va_end(ap);
    }
    return st;
}

/* Histograms fit uint32 for emz_huff_lengths: scaled down, a seen symbol kept at 1 at least;
 * with cover, every symbol of the alphabet counted at least once. Returns the symbols seen. */
static unsigned scaled(const uint64_t *hist, unsigned alphabet, bool cover, uint32_t *out) {
    uint64_t total = 0, f;
    unsigned seen = 0;
    for (unsigned s = 0; s < alphabet; s++)
        total += hist[s];
    f = total / (UINT64_C(1) << 30) + 1;
    for (unsigned s = 0; s < alphabet; s++) {
        out[s] = hist[s] ? (uint32_t)(hist[s] / f > 0 ? hist[s] / f : 1) : cover;
        seen += hist[s] != 0;
    }
    return seen;
}

/* The tables of one role: what was seen (two symbols at least), and with every symbol. */
static emz_status add_role(trainer *t, const uint64_t *hist, unsigned width) {
    unsigned alphabet = 1u << width;
    uint32_t h[256];
    uint8_t len[256];
    unsigned seen = scaled(hist, alphabet, false, h);
    if (seen == 0) return EMZ_OK;
    if (seen >= 2) {
        memset(len, 0, sizeof len);
        emz_huff_lengths(h, alphabet, len);
        if (emz_table_set_add(t->set, width, len) < 0) return EMZ_ERROR_CORRUPT;
    }
    if (seen == alphabet) return EMZ_OK;
    scaled(hist, alphabet, true, h);
    memset(len, 0, sizeof len);
    emz_huff_lengths(h, alphabet, len);
    return emz_table_set_add(t->set, width, len) < 0 ? EMZ_ERROR_CORRUPT : EMZ_OK;
}

/* Encodes a sample block by block into t->stats. */
static void weigh(trainer *t, const uint8_t *data, size_t size) {
    for (size_t at = 0; at < size; at += t->block_size) {
        size_t len = size - at < t->block_size ? size - at : t->block_size;
        emz_chunk_encode(t->k, t->o->type, data + at, len, t->out, &t->scratch, NULL, t->stats);
    }
}

static emz_status append(trainer *t, size_t need) {
    if (t->cap - t->size >= need) return EMZ_OK;
    size_t cap = t->cap * 2 > t->size + need ? t->cap * 2 : t->size + need;
    uint8_t *file = realloc(t->file, cap);
    if (!file) return EMZ_ERROR_NO_MEMORY;
    t->file = file, t->cap = cap;
    return EMZ_OK;
}

static emz_status train_group(trainer *t, uint32_t g, const emz_tables_sample *samples,
                              size_t count) {
    memset(t->stats, 0, sizeof *t->stats);
    t->set->count = 0;
    bool any = false;
    for (size_t i = 0; i < count; i++) {
        if (samples[i].group != g || samples[i].size == 0) continue;
        weigh(t, samples[i].data, samples[i].size), any = true;
    }
    if (!any) return fail(t, EMZ_ERROR_INVALID_ARGUMENT, "group %u has no samples", g);
    emz_type type = t->o->type;
    for (int r = 0; r < EMZ_ROLE_COUNT; r++) {
        unsigned width = t->stats->width[type][r];
        if (width == 0) continue;
        if (add_role(t, t->stats->hist[type][r], width) != EMZ_OK)
            return fail(t, EMZ_ERROR_CORRUPT, "group %u: no valid table for role %d", g, r);
    }
    if (t->set->count == 0) { /* every stream constant: a table that codes anything */
        uint64_t flat[256];
        unsigned width = type == EMZ_TYPE_BYTES ? 8 : emz_type_desc_get(type)->exp_bits;
        for (unsigned s = 0; s < 256; s++)
            flat[s] = 1;
        if (add_role(t, flat, width) != EMZ_OK) return EMZ_ERROR_CORRUPT;
    }
    emz_status st = append(t, emz_table_set_size(t->set));
    if (st == EMZ_OK) t->size += emz_table_set_write(t->set, t->file + t->size);
    return st;
}

static emz_status check_options(trainer *t, const emz_tables_options *o,
                                const emz_tables_sample *samples, size_t count) {
    if (!emz_type_desc_get(o->type)) return fail(t, EMZ_ERROR_INVALID_ARGUMENT, "unknown type");
    if (o->groups == 0 || o->groups > EMZ_TABLE_FILE_GROUPS_MAX)
        return fail(t, EMZ_ERROR_INVALID_ARGUMENT, "groups %u: must be 1 to %u", o->groups,
                    EMZ_TABLE_FILE_GROUPS_MAX);
    if ((o->heads == 0) != (o->head_dim == 0) ||
        (uint64_t)o->heads * o->head_dim > EMZ_TABLE_FILE_LAYOUT_MAX)
        return fail(t, EMZ_ERROR_INVALID_ARGUMENT,
                    "layout %u x %u: give both or neither, at "
                    "most 2^24 values a token",
                    o->heads, o->head_dim);
    if (o->block_size > EMZ_TABLE_FILE_LAYOUT_MAX || (o->block_size && o->block_size < 16))
        return fail(t, EMZ_ERROR_INVALID_ARGUMENT, "block size %u: must be 16 B to 16 MiB",
                    o->block_size);
    for (size_t i = 0; i < count; i++) {
        if (samples[i].group >= o->groups)
            return fail(t, EMZ_ERROR_INVALID_ARGUMENT, "sample %zu: group %u of %u", i,
                        samples[i].group, o->groups);
        if (!samples[i].data && samples[i].size)
            return fail(t, EMZ_ERROR_INVALID_ARGUMENT, "sample %zu: no data", i);
    }
    return EMZ_OK;
}

static void trainer_release(trainer *t) {
    emz_chunk_scratch_release(&t->scratch);
    free(t->out), free(t->stats), free(t->set);
}

emz_status emz_kv_train(const emz_kernels *k, const emz_tables_options *o,
                        const emz_tables_sample *samples, size_t count, uint8_t **file,
                        size_t *size, char *detail, size_t detail_size) {
    trainer t = {.k = k, .o = o, .detail = detail, .detail_size = detail_size};
    emz_status st = check_options(&t, o, samples, count);
    if (st != EMZ_OK) return st;
    t.block_size = o->block_size ? o->block_size : EMZ_KV_BLOCK_SIZE_DEFAULT;
    t.out = malloc(EMZ_CHUNK_OUT_ROOM(t.block_size));
    t.stats = malloc(sizeof *t.stats);
    t.set = malloc(sizeof *t.set);
    st = t.out && t.stats && t.set ? emz_chunk_scratch_reserve(&t.scratch, t.block_size)
                                   : EMZ_ERROR_NO_MEMORY;
    emz_table_file_header h = {o->type, o->heads, o->head_dim, t.block_size, o->groups};
    if (st == EMZ_OK) st = append(&t, 64);
    if (st == EMZ_OK) t.size = emz_table_file_write_head(&h, t.file);
    uint32_t tables = 0;
    for (uint32_t g = 0; g < o->groups && st == EMZ_OK; g++) {
        st = train_group(&t, g, samples, count);
        if (st == EMZ_OK && (tables += t.set->count) > EMZ_TABLE_FILE_TABLES_MAX)
            st = fail(&t, EMZ_ERROR_INVALID_ARGUMENT,
                      "%u groups need more than the %u tables a table file may hold", o->groups,
                      EMZ_TABLE_FILE_TABLES_MAX);
    }
    if (st == EMZ_OK) st = append(&t, EMZ_TABLE_FILE_TAIL);
    if (st == EMZ_OK) t.size = emz_table_file_seal(t.file, t.size);
    trainer_release(&t);
    if (st != EMZ_OK) {
        free(t.file);
        return st;
    }
    *file = t.file, *size = t.size;
    return EMZ_OK;
}
