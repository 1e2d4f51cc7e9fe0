/* table_plan.c - the writer's first pass over a checkpoint: which code tables a table set
 * holds, and whether it is written at all.
 *
 * Small segments (one chunk of at most EMZ_SHARED_SEGMENT_MAX bytes) are encoded once as they
 * would be without a set, gathering the histograms of every stream the encoder weighs, by
 * element type and role (emz_stream_stats). Each (type, role) seen with at least two symbols
 * gives a candidate table: the Huffman code of its summed histogram. The small segments are
 * then encoded with all candidates, and with each candidate left out in turn (kept out when
 * that is no larger), the size counted being the payloads plus the set; the set is written
 * only when the best total is smaller than the payloads without a set. Every count comes from
 * emz_chunk_encode's output, which is the same on every implementation, so the set is too. */
#include "engine/table_plan.h"

#include "common/common.h"
#include "format/huffman_build.h"

#include <stdlib.h>

/* Segments of one chunk up to this size take part (larger chunks carry their own tables at
 * little relative cost; see docs/FORMAT.md, "How emzip chooses", for the measurement). */
enum { EMZ_SHARED_SEGMENT_MAX = 64 * 1024 };

enum { CANDIDATES_MAX = EMZ_TYPE_COUNT * EMZ_ROLE_COUNT };

typedef struct planner {
    const emz_table_plan_input *in;
    uint8_t *buf; /* a small segment's bytes, when read from the source */
    uint8_t *out; /* its payload */
    emz_stream_stats *stats;
    emz_table_set *trial;
    unsigned count; /* candidate tables */
    uint8_t width[CANDIDATES_MAX];
    uint8_t len[CANDIDATES_MAX][256];
} planner;

static bool is_small(const emz_table_plan_input *in, size_t s) {
    uint64_t size = in->seg[s].size;
    return size > 0 && size <= EMZ_SHARED_SEGMENT_MAX && size <= (UINT64_C(1) << in->log2[s]);
}

/* Encodes every small segment (with the tables of set, may be NULL; adding histograms to
 * stats, may be NULL); *total receives the sum of their payload sizes. */
static emz_status encode_small(planner *p, const emz_table_set *set, emz_stream_stats *stats,
                               uint64_t *total) {
    const emz_table_plan_input *in = p->in;
    emz_chunk_tables tables = {set, NULL};
    *total = 0;
    for (size_t s = 0; s < in->n; s++) {
        if (!is_small(in, s)) continue;
        const emz_segment *seg = &in->seg[s];
        size_t len = (size_t)seg->size;
        const uint8_t *data = in->base ? in->base + seg->offset : p->buf;
        if (!in->base && in->src->read(in->src->opaque, p->buf, len, seg->offset) != 0)
            return EMZ_ERROR_IO;
        *total += emz_chunk_encode(in->k, seg->type, data, len, p->out, in->scratch, &tables,
                                   stats);
    }
    return EMZ_OK;
}

/* A candidate table for each type and role whose streams had at least two symbols: the code
 * of their summed histogram (scaled down to 32-bit counts, no count falling to 0). */
static void make_candidates(planner *p) {
    for (unsigned t = 0; t < EMZ_TYPE_COUNT; t++) {
        for (unsigned r = 0; r < EMZ_ROLE_COUNT; r++) {
            unsigned width = p->stats->width[t][r], distinct = 0, shift = 0;
            if (!width) continue;
            const uint64_t *sum = p->stats->hist[t][r];
            uint64_t most = 0;
            for (unsigned s = 0; s < 1u << width; s++)
                distinct += sum[s] != 0, most = sum[s] > most ? sum[s] : most;
            if (distinct < 2) continue;
            while ((most >> shift) >= (UINT64_C(1) << 31))
                shift++;
            uint32_t hist[256] = {0};
            for (unsigned s = 0; s < 1u << width; s++)
                hist[s] = sum[s] ? (uint32_t)(sum[s] >> shift) | 1u : 0;
            emz_huff_lengths(hist, 1u << width, p->len[p->count]);
            p->width[p->count++] = (uint8_t)width;
        }
    }
}

/* The small segments' payloads plus the set of the candidates in mask. */
static emz_status cost_of(planner *p, uint64_t mask, uint64_t *cost) {
    p->trial->count = 0;
    for (unsigned i = 0; i < p->count; i++)
        if (mask >> i & 1 && emz_table_set_add(p->trial, p->width[i], p->len[i]) < 0)
            return EMZ_ERROR_CORRUPT; /* cannot happen: emz_huff_lengths makes valid codes */
    emz_status st = encode_small(p, p->trial, NULL, cost);
    *cost += emz_table_set_size(p->trial);
    return st;
}

/* Leaves out, in order, each candidate whose absence makes the total no larger. */
static emz_status choose(planner *p, uint64_t *mask, uint64_t *best) {
    *mask = p->count == 64 ? UINT64_MAX : (UINT64_C(1) << p->count) - 1;
    emz_status st = cost_of(p, *mask, best);
    for (unsigned i = 0; st == EMZ_OK && i < p->count && *mask; i++) {
        uint64_t trial = *mask & ~(UINT64_C(1) << i), cost;
        if (!trial) break;
        st = cost_of(p, trial, &cost);
        if (st == EMZ_OK && cost <= *best) *mask = trial, *best = cost;
    }
    return st;
}

static emz_status plan(planner *p, emz_table_set *set, bool *use) {
    uint64_t plain, best, mask;
    emz_status st = encode_small(p, NULL, p->stats, &plain);
    if (st != EMZ_OK) return st;
    make_candidates(p);
    if (p->count == 0) return EMZ_OK;
    st = choose(p, &mask, &best);
    if (st != EMZ_OK || best >= plain) return st;
    for (unsigned i = 0; i < p->count; i++)
        if (mask >> i & 1) emz_table_set_add(set, p->width[i], p->len[i]);
    *use = true;
    return EMZ_OK;
}

emz_status emz_table_plan(const emz_table_plan_input *in, emz_table_set *set, bool *use) {
    size_t largest = 0;
    set->count = 0, *use = false;
    for (size_t s = 0; s < in->n; s++)
        if (is_small(in, s) && in->seg[s].size > largest) largest = (size_t)in->seg[s].size;
    if (largest == 0) return EMZ_OK;
    planner p = {.in = in};
    p.buf = in->base ? NULL : malloc(largest);
    p.out = malloc(EMZ_CHUNK_OUT_ROOM(largest));
    p.stats = calloc(1, sizeof *p.stats);
    p.trial = malloc(sizeof *p.trial);
    emz_status st = EMZ_ERROR_NO_MEMORY;
    if ((in->base || p.buf) && p.out && p.stats && p.trial) st = plan(&p, set, use);
    if (st != EMZ_OK) set->count = 0, *use = false;
    free(p.buf), free(p.out), free(p.stats), free(p.trial);
    return st;
}
