/* table_plan.c - the writer's first pass over a checkpoint: which code tables a table set
 * holds, and whether it is written at all.
 *
 * Small segments (one chunk of at most EMZ_SHARED_SEGMENT_MAX bytes) are encoded three times:
 *  1. without a set, gathering the histograms of every stream the encoder weighs, by element
 *     type, stream role (emz_stream_stats) and size class of the segment. Each (type, role)
 *     seen with at least two symbols gives a candidate table per class and one for all
 *     classes together: the Huffman code of the summed histogram;
 *  2. with every candidate, each stream recording its estimated cost on its own and with each
 *     table (emz_stream_record). From these, by arithmetic alone, each candidate in turn is
 *     left out when the estimate (each chunk in its cheaper layout, plus the set) is no larger;
 *  3. with the candidates kept: the set is written only when these payloads plus the set are
 *     smaller than the payloads of pass 1.
 * Every decision comes from histograms and payload sizes, which every implementation makes the
 * same, so the set and the container are the same too. */
#include "engine/table_plan.h"

#include "common/common.h"
#include "format/huffman_build.h"

#include <stdlib.h>

/* Segments of one chunk up to this size take part (larger chunks carry their own tables at
 * little relative cost; see docs/FORMAT.md, "How emzip chooses", for the measurement). */
enum { EMZ_SHARED_SEGMENT_MAX = 64 * 1024 };

/* Small segments are told apart by size: each class gives candidate tables of its own, and
 * the classes together one more (MERGED). */
static const uint32_t class_max[] = {256, 1024, 4096, 16384, EMZ_SHARED_SEGMENT_MAX};
enum { CLASSES = sizeof class_max / sizeof class_max[0], MERGED = CLASSES, RECORDS, STATS };
enum { CANDIDATES_MAX = EMZ_TYPE_COUNT * EMZ_ROLE_COUNT * (CLASSES + 1) };
/* The most streams an encoder plans with a histogram for one chunk (FP32: six), and the most
 * stream costs recorded (4 bytes each): streams beyond are left out of the estimates. */
enum { STREAMS_PER_CHUNK = 6, COSTS_MAX = 1 << 24 };

typedef struct planner {
    const emz_table_plan_input *in;
    uint8_t *buf;            /* a small segment's bytes, when read from the source */
    uint8_t *out;            /* its payload */
    emz_stream_stats *stats; /* per class, MERGED, and RECORDS: the costs of each stream */
    emz_table_set *trial;
    unsigned count; /* candidate tables */
    bool keep[CANDIDATES_MAX];
    uint8_t width[CANDIDATES_MAX];
    uint8_t len[CANDIDATES_MAX][256];
} planner;

static unsigned class_of(uint64_t size) {
    unsigned c = 0;
    while (size > class_max[c])
        c++;
    return c;
}

/* A delta's unchanged (SAME) segments are never coded: no table is chosen for them. */
static bool is_small(const emz_table_plan_input *in, size_t s) {
    uint64_t size = in->seg[s].size;
    return in->seg[s].base_kind != EMZ_BASE_SAME && size > 0 && size <= EMZ_SHARED_SEGMENT_MAX &&
           size <= (UINT64_C(1) << in->log2[s]);
}

/* Encodes every small segment with the tables of set (may be NULL), reporting to stats (may
 * be NULL; by_class: to stats[the segment's class]); *total receives the sum of their payload
 * sizes. */
static emz_status encode_small(planner *p, const emz_table_set *set, emz_stream_stats *stats,
                               bool by_class, uint64_t *total) {
    const emz_table_plan_input *in = p->in;
    emz_chunk_tables tables = emz_chunk_tables_of(set, NULL);
    *total = 0;
    for (size_t s = 0; s < in->n; s++) {
        if (!is_small(in, s)) continue;
        const emz_segment *seg = &in->seg[s];
        size_t len = (size_t)seg->size;
        const uint8_t *data = in->base ? in->base + seg->offset : p->buf;
        if (!in->base && in->src->read(in->src->opaque, p->buf, len, seg->offset) != 0)
            return EMZ_ERROR_IO;
        *total += emz_chunk_encode(in->k, seg->type, data, len, p->out, in->scratch, &tables,
                                   stats && by_class ? &stats[class_of(len)] : stats);
    }
    return EMZ_OK;
}

/* A candidate table from the streams of one type and role of a class (or all), if they had
 * at least two symbols: the code of their summed histogram (scaled down to 32-bit counts, no
 * count falling to 0). */
static void add_candidate(planner *p, const uint64_t *sum, unsigned width) {
    unsigned distinct = 0, shift = 0;
    uint64_t most = 0;
    if (p->count == EMZ_TABLE_SET_MAX) return;
    for (unsigned s = 0; s < 1u << width; s++)
        distinct += sum[s] != 0, most = sum[s] > most ? sum[s] : most;
    if (distinct < 2) return;
    while ((most >> shift) >= (UINT64_C(1) << 31))
        shift++;
    uint32_t hist[256] = {0};
    for (unsigned s = 0; s < 1u << width; s++)
        hist[s] = sum[s] ? (uint32_t)(sum[s] >> shift) | 1u : 0;
    emz_huff_lengths(hist, 1u << width, p->len[p->count]);
    p->width[p->count] = (uint8_t)width;
    p->keep[p->count++] = true;
}

/* Candidates by type and role: one for each class, then one for all classes together. */
static void make_candidates(planner *p) {
    emz_stream_stats *all = &p->stats[MERGED];
    for (unsigned t = 0; t < EMZ_TYPE_COUNT; t++) {
        for (unsigned r = 0; r < EMZ_ROLE_COUNT; r++) {
            for (unsigned c = 0; c < CLASSES; c++) {
                unsigned width = p->stats[c].width[t][r];
                if (!width) continue;
                add_candidate(p, p->stats[c].hist[t][r], width);
                all->width[t][r] = (uint8_t)width;
                for (unsigned s = 0; s < 256; s++)
                    all->hist[t][r][s] += p->stats[c].hist[t][r][s];
            }
            if (all->width[t][r]) add_candidate(p, all->hist[t][r], all->width[t][r]);
        }
    }
}

/* The set of the kept candidates into set. */
static void kept_set(const planner *p, emz_table_set *set) {
    set->count = 0;
    for (unsigned i = 0; i < p->count; i++)
        if (p->keep[i]) emz_table_set_add(set, p->width[i], p->len[i]);
}

/* The estimated bytes of one recorded stream: the cheapest of its own modes and the kept
 * candidates. */
static uint64_t stream_estimate(const planner *p, const emz_stream_stats *rec, size_t j) {
    uint32_t best = rec->rec[j].own;
    const uint32_t *cost = rec->cost + j * rec->tables;
    for (unsigned i = 0; i < p->count; i++)
        if (p->keep[i] && cost[i] < best) best = cost[i];
    return best;
}

/* The estimated bytes of the recorded chunks, each in the cheaper of its layouts (as the
 * encoder chooses), plus the set of the kept candidates. */
static uint64_t estimate(planner *p, const emz_stream_stats *rec) {
    uint64_t total = 0;
    for (size_t j = 0; j < rec->rec_count;) {
        uint64_t sum[2] = {0, 0};
        uint32_t chunk = rec->rec[j].chunk, layouts = 0;
        for (; j < rec->rec_count && rec->rec[j].chunk == chunk; j++) {
            uint64_t bytes = stream_estimate(p, rec, j);
            layouts |= rec->rec[j].layouts;
            for (unsigned l = 0; l < 2; l++)
                sum[l] += rec->rec[j].layouts >> l & 1 ? bytes : 0;
        }
        total += layouts == 3 ? (sum[0] < sum[1] ? sum[0] : sum[1]) : sum[layouts >> 1];
    }
    kept_set(p, p->trial);
    return total + emz_table_set_size(p->trial);
}

/* Leaves out, in order, each candidate whose absence makes the estimate no larger (the last
 * one is never left out). The estimates come from one encoding with every candidate, in which
 * each stream records its cost with each table. */
static emz_status choose(planner *p, size_t streams) {
    emz_stream_stats *rec = &p->stats[RECORDS];
    rec->tables = p->count;
    rec->rec_cap = streams < COSTS_MAX / p->count ? streams : COSTS_MAX / p->count;
    rec->rec = malloc(rec->rec_cap * sizeof *rec->rec);
    rec->cost = malloc(rec->rec_cap * p->count * sizeof *rec->cost);
    if (!rec->rec || !rec->cost) return EMZ_ERROR_NO_MEMORY;
    uint64_t ignored, best, cost;
    kept_set(p, p->trial);
    emz_status st = encode_small(p, p->trial, rec, false, &ignored);
    if (st != EMZ_OK) return st;
    best = estimate(p, rec);
    for (unsigned i = 0, kept = p->count; i < p->count && kept > 1; i++) {
        p->keep[i] = false;
        if ((cost = estimate(p, rec)) <= best)
            best = cost, kept--;
        else
            p->keep[i] = true;
    }
    return EMZ_OK;
}

/* Histograms, candidates, the choice among them, and the set written only if the small
 * segments' payloads with it, plus the set, are smaller than without. */
static emz_status plan(planner *p, size_t streams, emz_table_set *set, bool *use) {
    uint64_t plain, with;
    emz_status st = encode_small(p, NULL, p->stats, true, &plain);
    if (st != EMZ_OK) return st;
    make_candidates(p);
    if (p->count == 0) return EMZ_OK;
    st = choose(p, streams);
    if (st != EMZ_OK) return st;
    kept_set(p, set);
    st = encode_small(p, set, NULL, false, &with);
    if (st != EMZ_OK) return st;
    *use = with + emz_table_set_size(set) < plain;
    return EMZ_OK;
}

emz_status emz_table_plan(const emz_table_plan_input *in, emz_table_set *set, bool *use) {
    size_t largest = 0, streams = 0;
    set->count = 0, *use = false;
    for (size_t s = 0; s < in->n; s++) {
        if (!is_small(in, s)) continue;
        streams += STREAMS_PER_CHUNK;
        if (in->seg[s].size > largest) largest = (size_t)in->seg[s].size;
    }
    if (largest == 0) return EMZ_OK;
    planner *p = calloc(1, sizeof *p);
    if (!p) return EMZ_ERROR_NO_MEMORY;
    p->in = in;
    p->buf = in->base ? NULL : malloc(largest);
    p->out = malloc(EMZ_CHUNK_OUT_ROOM(largest));
    p->stats = calloc(STATS, sizeof *p->stats);
    p->trial = malloc(sizeof *p->trial);
    emz_status st = EMZ_ERROR_NO_MEMORY;
    if ((in->base || p->buf) && p->out && p->stats && p->trial) st = plan(p, streams, set, use);
    if (st != EMZ_OK || !*use) set->count = 0, *use = false;
    if (p->stats) free(p->stats[RECORDS].rec), free(p->stats[RECORDS].cost);
    free(p->buf), free(p->out), free(p->stats), free(p->trial), free(p);
    return st;
}
