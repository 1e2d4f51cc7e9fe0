/* kv_train.c - a table file from sample caches. Each group's samples are cut into blocks of the
 * size the tables will code and encoded as blocks would be (without tables), adding up the
 * histograms of every stream the encoder weighs, by role (chunk_codec.h). Each role then gets
 * two tables: the Huffman code of what was seen, and one that also gives a code to every other
 * symbol, so that a block holding a value never seen in training (another prompt, another
 * model) still takes a trained table rather than carrying its own. The encoder picks, per
 * stream, the cheaper table that codes it.
 *
 * Given the cache's layout, each group first gets a channel shift (FORMAT.md, "Channel shift"):
 * per channel, the exponent's median over the samples less the median of those medians, refined
 * against the Huffman code of all channels, and (FP8) whether most of its values are negative.
 * Channels of a K/V cache differ mostly in scale (and some in sign), so after the shift one
 * table fits them all far better: on bench/kv's caches the coded streams' cross-entropy drops
 * 0.19 bits a value in BF16 (offsets) and 0.30 in FP8 (offsets and flips; bench/kv/
 * analyze_shift.py). Training and coding then see the shifted values.
 *
 * FP8 groups then get channel clusters where they pay (FORMAT.md, "Channel clusters";
 * kv_cluster_train.c): the shift leaves channels that differ in spread, and a permutation of
 * every page into one stream per cluster gives each its own tables (E5M2 pages of bench/kv's
 * caches 0.6305 -> 0.6077, E4M3 0.7557 -> 0.7308; 16 KiB pages decode at 1.04 and 1.03 GB/s
 * instead of 1.13 and 1.36, emzip-kv-bench side by side with the build before). */
#include "engine/kv_train.h"

#include "common/common.h"
#include "engine/kv_cluster_train.h"
#include "engine/kv_tables.h"

#include "format/chunk_codec.h"
#include "format/element_types.h"
#include "format/huffman_build.h"
#include "format/table_file.h"
#include "format/table_set.h"

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
    size_t channels;         /* heads x head_dim when the type and layout allow a shift, or 0 */
    uint64_t *counts;        /* [channels << E]: a group's exponents by channel */
    uint64_t *negative;      /* [channels]: its values with the sign bit set */
    uint8_t *offsets, *signs, *words; /* its shift, and as element words (kv_tables.h) */
    uint64_t shift_channels;          /* of the groups given a shift so far */
    /* Channel clusters (FP8 with a layout, within EMZ_KV_CLUSTER_COUNTS_MAX): */
    uint64_t *byte_counts;           /* [channels x 256]: a group's bytes by channel */
    uint8_t *map;                    /* [channels]: its clusters */
    uint64_t *cluster_mem;           /* them as blocks are cut (kv_tables.h) */
    emz_stream_stats *cluster_stats; /* [EMZ_KV_CLUSTERS]: each cluster's histograms */
    uint64_t cluster_channels;       /* of the groups given clusters so far */
    uint32_t tables;                 /* written so far */
    uint8_t *file;                   /* the file so far */
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

/* The tables of one role: what was seen (two symbols at least), and with every symbol. */
static emz_status add_role(trainer *t, const uint64_t *hist, unsigned width) {
    unsigned alphabet = 1u << width;
    uint32_t h[256];
    uint8_t len[256];
    unsigned seen = emz_kv_scaled_counts(hist, alphabet, false, h);
    if (seen == 0) return EMZ_OK;
    if (seen >= 2) {
        memset(len, 0, sizeof len);
        emz_huff_lengths(h, alphabet, len);
        if (emz_table_set_add(t->set, width, len) < 0) return EMZ_ERROR_CORRUPT;
    }
    if (seen == alphabet) return EMZ_OK;
    emz_kv_scaled_counts(hist, alphabet, true, h);
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

/* Element i of a sample is of channel i % channels; a trailing part of an element is left. */
static void count_channels(trainer *t, const uint8_t *data, size_t size) {
    const emz_type_desc *d = emz_type_desc_get(t->o->type);
    unsigned bytes = d->element_bits / 8, low = d->element_bits - 1 - d->exp_bits;
    uint32_t mask = (1u << d->exp_bits) - 1;
    size_t n = size / bytes, c = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = data + i * bytes;
        uint32_t v = bytes == 1 ? p[0] : bytes == 2 ? emz_load16(p) : emz_load32(p);
        t->counts[(c << d->exp_bits) + (v >> low & mask)]++;
        t->negative[c] += v >> (d->element_bits - 1);
        if (++c == t->channels) c = 0;
    }
}

/* The smallest value whose cumulative count reaches half of total (rounded up). */
static unsigned median_of(const uint64_t *hist, unsigned alphabet, uint64_t total) {
    uint64_t sum = 0;
    for (unsigned e = 0; e < alphabet; e++)
        if ((sum += hist[e]) * 2 >= total) return e;
    return alphabet - 1;
}

/* Moves each channel's offset by up to EMZ_KV_SHIFT_REACH where that shortens its exponents
 * under the Huffman code of all channels' shifted exponents (every symbol counted once more),
 * the code the group's table will be; lowest cost first, then the smallest move. Integer
 * throughout, so that training gives the same file everywhere. */
static void refine_offsets(trainer *t, unsigned exp_bits) {
    unsigned alphabet = 1u << exp_bits, mask = alphabet - 1;
    for (int round = 0; round < EMZ_KV_SHIFT_ROUNDS; round++) {
        uint64_t pooled[256] = {0};
        for (size_t c = 0; c < t->channels; c++)
            for (unsigned e = 0; e < alphabet; e++)
                pooled[(e - t->offsets[c]) & mask] += t->counts[(c << exp_bits) + e];
        uint32_t h[256];
        uint8_t len[256] = {0};
        emz_kv_scaled_counts(pooled, alphabet, true, h);
        emz_huff_lengths(h, alphabet, len);
        bool moved = false;
        for (size_t c = 0; c < t->channels; c++) {
            const uint64_t *counts = t->counts + (c << exp_bits);
            uint64_t best = UINT64_MAX;
            unsigned pick = t->offsets[c];
            for (int step = 0; step <= 2 * EMZ_KV_SHIFT_REACH; step++) {
                /* 0, -1, +1, -2, +2, ...: ties keep the smaller move */
                int d = step % 2 ? -(step + 1) / 2 : step / 2;
                unsigned o = (t->offsets[c] + (unsigned)d) & mask;
                uint64_t cost = 0;
                for (unsigned e = 0; e < alphabet; e++)
                    cost += counts[e] * len[(e - o) & mask];
                if (cost < best) best = cost, pick = o;
            }
            moved |= pick != t->offsets[c];
            t->offsets[c] = (uint8_t)pick;
        }
        if (!moved) break;
    }
}

/* Group g's channel shift from its samples (t->channels > 0); false when it is the identity. */
static bool learn_shift(trainer *t, uint32_t g, const emz_tables_sample *samples, size_t count) {
    const emz_type_desc *d = emz_type_desc_get(t->o->type);
    unsigned alphabet = 1u << d->exp_bits;
    /* Sign flips only where the sign is coded with the exponent (FP8's whole bytes). In BF16 a
     * flip moves the sign+mantissa plane past the 1% a plane must save to be coded (7.97 ->
     * 7.89 bits): 0.5 points of ratio, for a 32 KiB page decoding at 0.56x of a large frame's
     * speed instead of 0.74x (emzip-kv-bench; bench/kv/ANALYSIS.md). */
    bool flips = d->element_bits == 8;
    memset(t->counts, 0, (t->channels << d->exp_bits) * sizeof *t->counts);
    memset(t->negative, 0, t->channels * sizeof *t->negative);
    memset(t->signs, 0, emz_div_ceil(t->channels, 8));
    for (size_t i = 0; i < count; i++)
        if (samples[i].group == g) count_channels(t, samples[i].data, samples[i].size);
    uint64_t medians[256] = {0};
    uint64_t seen = 0;
    for (size_t c = 0; c < t->channels; c++) {
        const uint64_t *h = t->counts + (c << d->exp_bits);
        uint64_t total = 0;
        for (unsigned e = 0; e < alphabet; e++)
            total += h[e];
        t->offsets[c] = total ? (uint8_t)median_of(h, alphabet, total) : 0;
        if (total) medians[t->offsets[c]]++, seen++;
        if (flips && t->negative[c] * 2 > total) t->signs[c / 8] |= (uint8_t)(1u << c % 8);
    }
    unsigned base = seen ? median_of(medians, alphabet, seen) : 0;
    for (size_t c = 0; c < t->channels; c++) { /* a channel without values keeps offset 0 */
        bool empty = true;
        for (unsigned e = 0; e < alphabet && empty; e++)
            empty = !t->counts[(c << d->exp_bits) + e];
        t->offsets[c] = empty ? 0 : (uint8_t)((t->offsets[c] - base) & (alphabet - 1));
    }
    refine_offsets(t, d->exp_bits);
    bool any = false;
    for (size_t c = 0; c < t->channels; c++)
        any |= t->offsets[c] || (t->signs[c / 8] >> c % 8 & 1);
    return any;
}

/* The sample after the shift, in the scratch's shifted buffer; NULL without memory. */
static const uint8_t *shifted_sample(trainer *t, const emz_tables_shift *sh, const uint8_t *data,
                                     size_t size) {
    if (!emz_chunk_scratch_reserve_shifted(&t->scratch, size)) return NULL;
    emz_kv_shift_apply(t->k, sh, data, t->scratch.shifted, size, false);
    return t->scratch.shifted;
}

static emz_status append(trainer *t, size_t need) {
    if (t->cap - t->size >= need) return EMZ_OK;
    size_t cap = t->cap * 2 > t->size + need ? t->cap * 2 : t->size + need;
    uint8_t *file = realloc(t->file, cap);
    if (!file) return EMZ_ERROR_NO_MEMORY;
    t->file = file, t->cap = cap;
    return EMZ_OK;
}

/* A table set from stats (the tables of each role; a table that codes anything when every
 * stream was constant), appended to the file. */
static emz_status write_set(trainer *t, uint32_t g, const emz_stream_stats *stats) {
    emz_type type = t->o->type;
    t->set->count = 0;
    for (int r = 0; r < EMZ_ROLE_COUNT; r++) {
        unsigned width = stats->width[type][r];
        if (width == 0) continue;
        if (add_role(t, stats->hist[type][r], width) != EMZ_OK)
            return fail(t, EMZ_ERROR_CORRUPT, "group %u: no valid table for role %d", g, r);
    }
    if (t->set->count == 0) { /* every stream constant: a table that codes anything */
        uint64_t flat[256];
        unsigned width = type == EMZ_TYPE_BYTES ? 8 : emz_type_desc_get(type)->exp_bits;
        for (unsigned s = 0; s < 256; s++)
            flat[s] = 1;
        if (add_role(t, flat, width) != EMZ_OK) return EMZ_ERROR_CORRUPT;
    }
    if ((t->tables += t->set->count) > EMZ_TABLE_FILE_TABLES_MAX)
        return fail(t, EMZ_ERROR_INVALID_ARGUMENT,
                    "%u groups need more than the %u tables a table file may hold", t->o->groups,
                    EMZ_TABLE_FILE_TABLES_MAX);
    emz_status st = append(t, emz_table_set_size(t->set));
    if (st == EMZ_OK) t->size += emz_table_set_write(t->set, t->file + t->size);
    return st;
}

/* A (shifted) sample's bytes counted by channel, for clusters: block by block, each block
 * starting at channel 0 as the blocks the clusters will cut do. */
static void count_bytes(trainer *t, const uint8_t *data, size_t size) {
    for (size_t i = 0, c = 0; i < size; i++) {
        if (i % t->block_size == 0) c = 0;
        t->byte_counts[c * 256 + data[i]]++;
        if (++c == t->channels) c = 0;
    }
}

/* Encodes a sample block by block, each cut by the clusters, into each cluster's stats. */
static void weigh_clusters(trainer *t, const emz_tables_clusters *cl, const uint8_t *data,
                           size_t size) {
    size_t lens[EMZ_TABLE_FILE_CLUSTERS_MAX];
    for (size_t at = 0; at < size; at += t->block_size) {
        size_t len = size - at < t->block_size ? size - at : t->block_size;
        emz_kv_clusters_lengths(cl, len, lens);
        emz_kv_clusters_split(t->k, cl, data + at, len, t->scratch.clustered,
                              t->scratch.clustered + t->block_size);
        const uint8_t *part = t->scratch.clustered;
        for (unsigned k = 0; k < cl->count; part += lens[k], k++)
            if (lens[k])
                emz_chunk_encode(t->k, t->o->type, part, lens[k], t->out, &t->scratch, NULL,
                                 &t->cluster_stats[k]);
    }
}

/* Group g's samples (after its shift, if any), one at a time in the scratch's shifted buffer. */
typedef struct sample_walk {
    trainer *t;
    uint32_t g;
    const emz_tables_sample *samples;
    size_t count, next;
    const emz_tables_shift *shift;
} sample_walk;

static emz_status next_sample(sample_walk *w, const uint8_t **data, size_t *size) {
    for (; w->next < w->count; w->next++) {
        const emz_tables_sample *s = &w->samples[w->next];
        if (s->group != w->g || s->size == 0) continue;
        w->next++;
        *data = s->data, *size = s->size;
        if (w->shift && !(*data = shifted_sample(w->t, w->shift, s->data, s->size)))
            return fail(w->t, EMZ_ERROR_NO_MEMORY, "no memory for a shifted sample of %zu bytes",
                        s->size);
        return EMZ_OK;
    }
    *data = NULL;
    return EMZ_OK;
}

/* The most tables an FP8 set takes: two a role (whole bytes, exponents, sign+mantissa). */
#define FP8_SET_TABLES 6

/* The clusters group g may have: one per EMZ_KV_CLUSTER_BYTES of a block, as long as the file's
 * tables (EMZ_TABLE_FILE_TABLES_MAX) leave a set for each later group: a model of many layers
 * gives its last groups fewer clusters, or none, rather than fail to train. */
static unsigned clusters_within_budget(const trainer *t, uint32_t g) {
    uint64_t later = (uint64_t)(t->o->groups - g - 1) * FP8_SET_TABLES;
    uint64_t left = t->tables + later < EMZ_TABLE_FILE_TABLES_MAX
                        ? EMZ_TABLE_FILE_TABLES_MAX - t->tables - later
                        : 0;
    uint64_t most = left / FP8_SET_TABLES, want = t->block_size / EMZ_KV_CLUSTER_BYTES;
    return (unsigned)(most < want ? most : want);
}

/* Clusters of group g's channels when they pay (cl->count 0 otherwise), and the sets of each
 * cluster written to the file after the clusters field. */
static emz_status train_clusters(trainer *t, uint32_t g, sample_walk w, bool *done) {
    *done = false;
    const uint8_t *data;
    size_t size;
    emz_status st;
    memset(t->byte_counts, 0, t->channels * 256 * sizeof *t->byte_counts);
    for (sample_walk v = w; (st = next_sample(&v, &data, &size)) == EMZ_OK && data;)
        count_bytes(t, data, size);
    if (st != EMZ_OK) return st;
    unsigned count =
        emz_kv_cluster_channels(t->byte_counts, t->channels, clusters_within_budget(t, g), t->map);
    emz_channel_clusters field = {count, t->channels, t->map};
    if (count && t->cluster_channels + t->channels > EMZ_TABLE_FILE_CLUSTER_CHANNELS_MAX)
        field.count = 0; /* within the cluster channels a file may hold */
    if ((st = append(t, emz_table_file_clusters_size(&field))) != EMZ_OK) return st;
    t->size += emz_table_file_write_clusters(&field, t->file + t->size);
    if (!field.count) return EMZ_OK;
    t->cluster_channels += t->channels;
    emz_tables_clusters cl;
    emz_kv_clusters_build(&field, t->cluster_mem, &cl);
    memset(t->cluster_stats, 0, field.count * sizeof *t->cluster_stats);
    for (sample_walk v = w; (st = next_sample(&v, &data, &size)) == EMZ_OK && data;)
        weigh_clusters(t, &cl, data, size);
    for (unsigned k = 0; k < field.count && st == EMZ_OK; k++)
        st = write_set(t, g, &t->cluster_stats[k]);
    *done = true;
    return st;
}

static emz_status train_group(trainer *t, uint32_t g, const emz_tables_sample *samples,
                              size_t count) {
    memset(t->stats, 0, sizeof *t->stats);
    emz_channel_shift shift = {false, t->channels, t->offsets, t->signs};
    emz_tables_shift words = {0};
    /* within the shift channels a file may hold: later groups go without */
    if (t->channels && t->shift_channels + t->channels <= EMZ_TABLE_FILE_SHIFT_CHANNELS_MAX) {
        shift.present = learn_shift(t, g, samples, count);
        if (shift.present) emz_kv_shift_words(&shift, t->o->type, t->words, &words);
        if (shift.present) t->shift_channels += t->channels;
    }
    bool any = false;
    for (size_t i = 0; i < count && !any; i++)
        any = samples[i].group == g && samples[i].size;
    if (!any) return fail(t, EMZ_ERROR_INVALID_ARGUMENT, "group %u has no samples", g);
    emz_status st = append(t, emz_table_file_shift_size(&shift));
    if (st != EMZ_OK) return st;
    t->size += emz_table_file_write_shift(&shift, t->file + t->size);
    sample_walk w = {t, g, samples, count, 0, shift.present ? &words : NULL};
    bool clustered = false;
    if (t->byte_counts) {
        st = train_clusters(t, g, w, &clustered);
    } else { /* no clusters for this type or layout: the field says so */
        emz_channel_clusters none = {0};
        if ((st = append(t, 1)) == EMZ_OK)
            t->size += emz_table_file_write_clusters(&none, t->file + t->size);
    }
    if (st != EMZ_OK || clustered) return st;
    const uint8_t *data;
    size_t size;
    while ((st = next_sample(&w, &data, &size)) == EMZ_OK && data)
        weigh(t, data, size);
    return st == EMZ_OK ? write_set(t, g, t->stats) : st;
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

/* Room to learn and apply channel shifts, when the type and layout allow them and the
 * per-channel exponent counts stay within EMZ_KV_SHIFT_COUNTS_MAX (else no shift). */
static emz_status shift_init(trainer *t) {
    const emz_type_desc *d = emz_type_desc_get(t->o->type);
    size_t channels = (size_t)t->o->heads * t->o->head_dim;
    if (!channels || !emz_channel_shift_allowed(t->o->type) ||
        (uint64_t)channels << d->exp_bits > EMZ_KV_SHIFT_COUNTS_MAX)
        return EMZ_OK;
    t->channels = channels;
    t->counts = malloc((channels << d->exp_bits) * sizeof *t->counts);
    t->negative = malloc(channels * sizeof *t->negative);
    t->offsets = malloc(channels);
    t->signs = malloc(emz_div_ceil(channels, 8));
    t->words = malloc(2 * channels * (d->element_bits / 8));
    if (!t->counts || !t->negative || !t->offsets || !t->signs || !t->words)
        return EMZ_ERROR_NO_MEMORY;
    if (!emz_channel_clusters_allowed(t->o->type) ||
        (uint64_t)channels * 256 > EMZ_KV_CLUSTER_COUNTS_MAX)
        return EMZ_OK;
    t->byte_counts = malloc(channels * 256 * sizeof *t->byte_counts);
    t->map = malloc(channels);
    t->cluster_mem = malloc(emz_kv_clusters_size(channels, EMZ_TABLE_FILE_CLUSTERS_MAX));
    t->cluster_stats = malloc(EMZ_KV_CLUSTERS * sizeof *t->cluster_stats);
    if (!t->byte_counts || !t->map || !t->cluster_mem || !t->cluster_stats ||
        !emz_chunk_scratch_reserve_clustered(&t->scratch, 2 * (size_t)t->block_size))
        return EMZ_ERROR_NO_MEMORY;
    return EMZ_OK;
}

/* A version 3 file none of whose groups has clusters, made version 2 (each group's "no
 * clusters" byte dropped), and one none of whose groups has a shift either, version 1 (its "no
 * shift" byte dropped too), so that older readers read what needs nothing newer: every file of a
 * type without clusters, every file trained without a layout. sets_at: where group 0 starts. */
static void downgrade(trainer *t, size_t sets_at) {
    if (t->cluster_channels) return;
    bool shifts = t->shift_channels != 0;
    emz_table_file_header h = {3,           t->o->type, t->o->heads, t->o->head_dim, t->block_size,
                               t->o->groups};
    size_t from = sets_at, to = sets_at;
    emz_table_set *ts = t->set;
    for (uint32_t g = 0; g < t->o->groups; g++) {
        emz_channel_shift shift;
        size_t used = emz_table_file_read_shift(t->file + from, t->size - from, &h, &shift);
        if (shifts) memmove(t->file + to, t->file + from, used), to += used;
        from += used + 1; /* the shift, then the 0 byte of no clusters */
        emz_table_set_read(t->file + from, t->size - from, ts, &used);
        memmove(t->file + to, t->file + from, used);
        from += used, to += used;
    }
    t->file[4] = shifts ? 2 : 1; /* the version */
    t->size = to;
}

static void trainer_release(trainer *t) {
    emz_chunk_scratch_release(&t->scratch);
    free(t->out), free(t->stats), free(t->set);
    free(t->counts), free(t->negative), free(t->offsets), free(t->signs), free(t->words);
    free(t->byte_counts), free(t->map), free(t->cluster_mem), free(t->cluster_stats);
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
    if (st == EMZ_OK) st = shift_init(&t);
    emz_table_file_header h = {EMZ_TABLE_FILE_VERSION, o->type,  o->heads, o->head_dim,
                               t.block_size,           o->groups};
    if (st == EMZ_OK) st = append(&t, 64);
    if (st == EMZ_OK) t.size = emz_table_file_write_head(&h, t.file);
    size_t sets_at = t.size;
    for (uint32_t g = 0; g < o->groups && st == EMZ_OK; g++)
        st = train_group(&t, g, samples, count);
    if (st == EMZ_OK) downgrade(&t, sets_at);
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
