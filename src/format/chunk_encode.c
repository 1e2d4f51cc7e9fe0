/* chunk_encode.c - chooses each chunk's layout and each stream's mode, and writes the payload.
 * Every choice is made here, in ISA-independent integer code, so that all implementations
 * write identical bytes. */
#include "common/common.h"
#include "format/byte_planes.h"
#include "format/chunk_codec.h"
#include "format/code_table.h"
#include "format/entropy_estimate.h"
#include "format/frame.h"
#include "format/huffman_build.h"
#include "kernels/histogram_count.h"

/* One chunk's encoding: the kernels, the worker's scratch, and the table set and statistics
 * of emz_chunk_encode (either may be NULL). */
typedef struct encoder {
    const emz_kernels *k;
    emz_chunk_scratch *s;
    const emz_chunk_tables *set; /* NULL: none */
    emz_stream_stats *stats;
    emz_type type;
} encoder;

/* What a stream will be written as, decided from its histogram. */
typedef struct stream_plan {
    size_t n;       /* symbols */
    unsigned width; /* bits per symbol */
    int mode;
    uint32_t value;      /* CONSTANT */
    unsigned table;      /* SHARED: the table's number in the set */
    size_t record;       /* its emz_stream_record + 1, or 0 */
    const uint8_t *code; /* HUFFMAN, SHARED: the code lengths (len, or the set's table) */
    size_t cost;         /* estimated bytes, mode byte included */
    uint8_t len[256];
} stream_plan;

static size_t raw_bytes(size_t n, unsigned width) {
    return emz_div_ceil(n * width, 8);
}

static void plan_constant(stream_plan *p, uint32_t value) {
    p->mode = EMZ_MODE_CONSTANT;
    p->value = value;
    p->cost = 1 + emz_div_ceil(p->width, 8);
}

/* The layouts a stream of this role belongs to (emz_stream_record): whole bytes and exponent
 * holders to the whole-byte layout, exponents and sign+mantissa to SPLIT, and the low mantissa
 * bytes of FP16 and FP32 to both (see encode_fp16, encode_fp32, emz_chunk_encode). */
static uint32_t layouts_of(emz_type type, int role) {
    if (role == EMZ_ROLE_EXP || role == EMZ_ROLE_SIGNMANT) return 2;
    if (role == EMZ_ROLE_BYTE0 || (role == EMZ_ROLE_BYTE1 && type == EMZ_TYPE_FP32)) return 3;
    return 1;
}

/* Into e->stats: the histogram (of a stream that may be coded), or (with records) a new record
 * of what the plan costs so far, whose table costs plan_shared fills in (hist may then be NULL:
 * a stream that is not coded). */
static void record(const encoder *e, stream_plan *p, int role, const uint32_t *hist) {
    emz_stream_stats *st = e->stats;
    if (!st->rec) {
        uint64_t *sum = st->hist[e->type][role];
        for (unsigned s = 0; s < 1u << p->width; s++)
            sum[s] += hist[s];
        st->width[e->type][role] = (uint8_t)p->width;
    } else if (st->rec_count < st->rec_cap) {
        st->rec[st->rec_count] =
            (emz_stream_record){(uint32_t)p->cost, st->chunks, layouts_of(e->type, role)};
        for (unsigned i = 0; i < st->tables; i++)
            st->cost[st->rec_count * st->tables + i] = UINT32_MAX;
        p->record = ++st->rec_count;
    }
}

/* Table i of the set as SHARED, estimated as HUFFMAN is (mode, table number, lane table of
 * about 2 bytes a lane, the codes); SIZE_MAX when it is for another width or lacks a code for
 * a symbol present. */
/* The bits table i of the set codes hist's symbols of width bits in; UINT64_MAX when it is for
 * another width or lacks a code for a symbol present. */
static uint64_t shared_bits(const encoder *e, unsigned i, unsigned width, const uint32_t *hist) {
    const uint8_t *len = e->set->len[i];
    uint64_t bits = 0;
    unsigned s = 0;
    if (e->set->width[i] != width) return UINT64_MAX;
    for (; s < 1u << width && (!hist[s] || len[s]); s++)
        bits += (uint64_t)hist[s] * len[s];
    return s < 1u << width ? UINT64_MAX : bits;
}

static size_t shared_cost(const encoder *e, unsigned i, const stream_plan *p,
                          const uint32_t *hist) {
    uint64_t bits = shared_bits(e, i, p->width, hist);
    if (bits == UINT64_MAX) return SIZE_MAX;
    return 2 + 2 * emz_huff_lane_count(p->n) + (size_t)emz_div_ceil(bits, 8);
}

/* The least a code must save against RAW, in percent: any saving for exponents and whole bytes,
 * 1% for a plane of mantissa bytes (less is not worth its decoding time), 5% for FP32's bytes 0
 * and 1 of a difference (LOW): their codes of 7-8 bits decode in the lockstep loop, about 0.4 ns
 * a symbol, as long as the rest of the chunk's decoding. On the FP32 fine-tune of bench/delta,
 * 5% instead of 1% made decompression with the base 3.7-3.9% faster for 0.06% more bytes (an
 * A/B in one process); a difference's ratio has a wide margin (bench/delta/README.md), its
 * decoding speed does not. */
enum { SAVE_ANY = 0, SAVE_PLANE = 1, SAVE_LOW_PLANE = 5 };

/* Whether cost beats RAW (raw bytes) by the saving a stream must make. */
static bool beats_raw(size_t cost, size_t raw, unsigned saving) {
    return saving ? cost * 100 < raw * (100 - saving) : cost < raw;
}

/* Table i of the set, costing `cost` (SIZE_MAX: it cannot code the stream), for plan p: taken
 * when, as HUFFMAN, it is cheaper than RAW (by the stream's saving) and cheaper than the plan
 * so far (by more than 1/shared_slack when that is not SHARED, the set's slack); its cost
 * recorded for table training when it beats RAW. */
static void consider_shared(const encoder *e, stream_plan *p, unsigned i, size_t cost,
                            unsigned saving) {
    size_t raw = 1 + raw_bytes(p->n, p->width);
    if (cost == SIZE_MAX || !beats_raw(cost, raw, saving)) return;
    if (p->record && i < e->stats->tables)
        e->stats->cost[(p->record - 1) * e->stats->tables + i] = (uint32_t)cost;
    size_t slack =
        e->set->shared_slack && p->mode != EMZ_MODE_SHARED ? p->cost / e->set->shared_slack : 0;
    if (cost >= p->cost + slack) return;
    p->mode = EMZ_MODE_SHARED, p->table = i, p->code = e->set->len[i], p->cost = cost;
}

/* SHARED with the cheapest table of the set that codes every symbol present, lowest number
 * first among equals, where consider_shared takes it. */
static void plan_shared(const encoder *e, stream_plan *p, const uint32_t *hist, unsigned saving) {
    for (unsigned i = 0; e->set && i < e->set->count; i++)
        consider_shared(e, p, i, shared_cost(e, i, p, hist), saving);
}

/* Whether building the stream's own code cannot change what plan_stream chooses, so that
 * consider_shared with the set's cheapest table (*best, the lowest number among equals, costing
 * *best_cost; SIZE_MAX when no table codes every symbol present) decides alone. It cannot when a
 * lower bound of the own code's cost does not beat RAW (the own code would not be taken), or
 * when that table beats RAW and costs less than the bound with the set's slack added
 * (plan_shared's test: the table would be taken over any own code). The bound: no prefix code
 * goes below the entropy (emz_entropy_bits_floor), no code table of the symbols present below
 * emz_huff_table_size_floor (a whole-byte stream of a K/V page's FP8 values: 20-30 bytes), then
 * the mode byte and the lane table. Building the code costs emz_huff_lengths, ~2 us for a K/V
 * page's exponents and more for near-uniform sign+mantissa bytes. */
static bool own_code_needless(const encoder *e, const stream_plan *p, const uint32_t *hist,
                              size_t n, unsigned first, unsigned last, unsigned coded,
                              unsigned saving, unsigned *best, size_t *best_cost) {
    if (!e->set || !e->set->shared_slack || e->stats) return false;
    unsigned alphabet = 1u << p->width;
    *best = 0, *best_cost = SIZE_MAX;
    for (unsigned i = 0; i < e->set->count; i++) {
        size_t cost = shared_cost(e, i, p, hist);
        if (cost < *best_cost) *best = i, *best_cost = cost;
    }
    size_t raw = 1 + raw_bytes(p->n, p->width);
    size_t table = emz_huff_table_size_floor(first, last, coded, EMZ_FORMAT_VERSION);
    size_t bound = 1 + table + 2 * emz_huff_lane_count(n) +
                   (size_t)(emz_entropy_bits_floor(hist, alphabet) / 8);
    if (!beats_raw(bound, raw, saving)) return true;
    return *best_cost != SIZE_MAX && beats_raw(*best_cost, raw, saving) &&
           *best_cost < bound + bound / e->set->shared_slack;
}

/* Huffman's estimate leaves out lane padding (< 16 bytes); writing falls back to RAW when
 * the real size does not beat it. A sign+mantissa plane (nearly uniform in real weights) is
 * coded only when that saves at least 1%: less is not worth its decoding time. Any other stream
 * (exponents, whole bytes, bytes that hold the exponent) is coded whenever that is smaller, as
 * emzip 0.1 did: a stream of near-uniform FP4 bytes can save 0.6% that way. */
static void plan_stream(const encoder *e, stream_plan *p, const uint32_t *hist, size_t n,
                        unsigned width, int role, unsigned saving) {
    bool records = e->stats && e->stats->rec; /* every stream then has a record */
    p->n = n, p->width = width, p->mode = EMZ_MODE_RAW, p->record = 0;
    p->cost = 1 + raw_bytes(n, width);
    if (n == 0 || !hist) {
        if (records) record(e, p, role, hist);
        return;
    }
    unsigned distinct = 0, alphabet = 1u << width, first = alphabet, last = 0;
    for (unsigned s = 0; s < alphabet; s++)
        if (hist[s]) first = distinct++ ? first : s, last = s;
    if (distinct == 1) {
        plan_constant(p, last);
        if (records) record(e, p, role, hist);
        return;
    }
    unsigned best;
    size_t best_cost;
    if (own_code_needless(e, p, hist, n, first, last, distinct, saving, &best, &best_cost)) {
        /* RAW or a table of the set: plan_shared would end at the cheapest (its tests pass for
         * some table exactly when they pass for the cheapest), so only that one is weighed */
        consider_shared(e, p, best, best_cost, saving);
        return;
    }
    uint64_t bits = emz_huff_lengths(hist, alphabet, p->len);
    size_t huff = 1 + emz_huff_table_size(p->len, alphabet, EMZ_FORMAT_VERSION) +
                  2 * emz_huff_lane_count(n) + (size_t)emz_div_ceil(bits, 8);
    if (beats_raw(huff, p->cost, saving))
        p->mode = EMZ_MODE_HUFFMAN, p->cost = huff, p->code = p->len;
    if (e->stats) record(e, p, role, hist);
    plan_shared(e, p, hist, saving);
}

/* HUFFMAN or SHARED: the head (mode, then the code table or the table number, then the lane
 * table) and the lanes; 0 when that is not smaller than RAW. */
static size_t write_coded(const encoder *e, const stream_plan *p, const uint8_t *syms,
                          uint8_t *out) {
    size_t raw_size = raw_bytes(p->n, p->width);
    unsigned alphabet = 1u << p->width, lanes = emz_huff_lane_count(p->n);
    bool shared = p->mode == EMZ_MODE_SHARED;
    size_t table = shared ? 1 : emz_huff_table_size(p->code, alphabet, EMZ_FORMAT_VERSION);
    /* Lanes are written after room for the largest lane table, then moved down once their
     * sizes, and so the table's length, are known. */
    size_t head_max = 1 + table + 5 * (size_t)lanes, head_min = 1 + table + lanes;
    if (head_min >= raw_size) return 0;
    uint32_t lane_sizes[EMZ_HUFF_LANES];
    const emz_huff_enc *enc = &e->s->enc; /* a set's prebuilt encoder, or built here */
    if (shared && e->set->enc)
        enc = &e->set->enc[p->table];
    else
        emz_huff_enc_init(p->code, &e->s->enc);
    size_t bytes =
        e->k->huff_encode(syms, p->n, enc, out + head_max, raw_size - head_min, lane_sizes);
    if (bytes == SIZE_MAX) return 0;
    size_t head = 1 + table;
    for (unsigned l = 0; l < lanes; l++)
        head += emz_leb128_write(out + head, lane_sizes[l]);
    /* Only a result strictly smaller than RAW is worth it. */
    if (head + bytes > raw_size) return 0;
    out[0] = (uint8_t)p->mode;
    if (shared)
        out[1] = (uint8_t)p->table;
    else
        emz_huff_table_write(p->code, alphabet, EMZ_FORMAT_VERSION, out + 1);
    memmove(out + head, out + head_max, bytes);
    return head + bytes;
}

/* syms: one symbol per byte (needed for HUFFMAN and SHARED, and for RAW when raw is NULL);
 * raw: the RAW bit string, or NULL to pack syms. Returns bytes written. */
static size_t write_stream(const encoder *e, const stream_plan *p, const uint8_t *syms,
                           const uint8_t *raw, uint8_t *out) {
    size_t raw_size = raw_bytes(p->n, p->width);
    if (p->mode == EMZ_MODE_CONSTANT) {
        out[0] = EMZ_MODE_CONSTANT;
        size_t vb = emz_div_ceil(p->width, 8);
        for (size_t i = 0; i < vb; i++)
            out[1 + i] = (uint8_t)(p->value >> 8 * i);
        return 1 + vb;
    }
    if (p->mode == EMZ_MODE_HUFFMAN || p->mode == EMZ_MODE_SHARED) {
        size_t coded = write_coded(e, p, syms, out);
        if (coded) return coded;
    }
    out[0] = EMZ_MODE_RAW;
    if (raw)
        memcpy(out + 1, raw, raw_size);
    else
        e->k->pack_bits(syms, p->n, p->width, out + 1);
    return 1 + raw_size;
}

/* Histograms of the exponent and sign+mantissa symbols of one-byte and FP4 elements, derived
 * from the byte histogram instead of a second pass over the data. */
static void derive_split_hists(emz_type type, const uint32_t *bytes, uint32_t *exp_hist,
                               uint32_t *sm_hist) {
    memset(exp_hist, 0, 256 * sizeof *exp_hist);
    memset(sm_hist, 0, 256 * sizeof *sm_hist);
    for (unsigned b = 0; b < 256; b++) {
        if (!bytes[b]) continue;
        if (type == EMZ_TYPE_FP4_E2M1) {
            for (unsigned x = b & 0xF, half = 0; half < 2; half++, x = b >> 4) {
                exp_hist[x >> 1 & 3] += bytes[b];
                sm_hist[(x >> 3) << 1 | (x & 1)] += bytes[b];
            }
        } else {
            unsigned mant = type == EMZ_TYPE_FP8_E4M3 ? 3 : 2;
            exp_hist[(b & 0x7F) >> mant] += bytes[b];
            sm_hist[(b >> 7) << mant | (b & ((1u << mant) - 1))] += bytes[b];
        }
    }
}

/* Whether a coded stream of m bytes may beat RAW as a plane must, judged from a sample of n of
 * them (hist, its entropy entropy_q8 in 1/256 bits): with its own code, whose table costs at
 * least emz_huff_table_size_floor for the symbols the sample has (no more than the stream
 * has), or with a table of the set. Both estimates are taken 0.35% of RAW lower than they
 * come out, for the sample's noise: on pages of 16 and 32 Ki symbols whose bytes a Huffman
 * code reaches exactly (lengths 7, 8 and 9) and which save 1.5-2%, 300 pages each, without
 * that margin up to 25 pages went RAW that the whole histogram codes (losing up to 1.6% of
 * the plane), with 0.25% 2 pages, with 0.35% none; BF16 K/V pages compress 5% slower with it
 * than without (emzip-kv-bench). */
static bool sample_may_pay(const encoder *e, const uint32_t *hist, size_t n, uint64_t entropy_q8,
                           size_t m) {
    unsigned first = 256, last = 0, coded = 0;
    for (unsigned s = 0; s < 256; s++)
        if (hist[s]) first = coded++ ? first : s, last = s;
    if (coded < 2) return true; /* the full histogram tells CONSTANT from the rest */
    size_t raw = 1 + m, lanes = 2 * emz_huff_lane_count(m), margin = raw * 35 / 10000;
    size_t own = 1 + lanes + emz_huff_table_size_floor(first, last, coded, EMZ_FORMAT_VERSION) +
                 (size_t)(entropy_q8 * m / ((uint64_t)n * 256 * 8));
    if (own <= margin || beats_raw(own - margin, raw, SAVE_PLANE)) return true;
    for (unsigned i = 0; e->set && i < e->set->count; i++) {
        uint64_t bits = shared_bits(e, i, 8, hist);
        if (bits == UINT64_MAX) continue;
        size_t cost = 2 + lanes + (size_t)(bits * m / ((uint64_t)n * 8));
        if (cost <= margin || beats_raw(cost - margin, raw, SAVE_PLANE)) return true;
    }
    return false;
}

/* BF16 sign+mantissa bytes of real weights are nearly uniform (order-0 entropy ~7.96 of 8
 * bits), so the full histogram and the 256-symbol code they need rarely pay. A 1/16 sample
 * decides: when even its entropy, a lower bound for any Huffman code, saves less than 1% of
 * RAW, the stream stays RAW. A small sample's entropy is biased low by about (K - 1) / (2 N ln 2)
 * bits a symbol (K symbols seen in N): 0.18 bits, 2.2%, for the 1,024 values of a 32 KiB BF16
 * block, enough to send every block of uniform bytes through the full histogram and a code.
 * Below 64 Ki elements (blocks and small chunks; default chunks are not affected) the bias is
 * added back (Miller-Madow), which made 32 KiB BF16 K/V pages compress 1.5 times faster
 * (emzip-kv-bench, 31 -> 20 us a page). Outside training (which records every stream some
 * table might code), the sample must also say that an own code, its table included, or a table
 * of the set may pay (sample_may_pay): of the BF16 K/V pages of bench/kv, 30% passed the
 * entropy test alone, and none of them was then coded; their histogram (4.5 us a page) went
 * for nothing. */
static bool signmant_may_pay(const encoder *e, const uint8_t *sm, size_t m) {
    enum { BLOCKS = 16 };
    if (m < 16 * 1024) return true;
    /* One set of counters for the whole sample: a histogram call per block (64 bytes in a
     * 32 KiB page) zeroed and summed four 256-entry tables sixteen times, more work than the
     * counting. */
    uint32_t tables[4][256], hist[256];
    memset(tables, 0, sizeof tables);
    size_t stride = m / BLOCKS, block = stride / 16;
    for (unsigned b = 0; b < BLOCKS; b++)
        emz_hist_count4(sm + b * stride, block, tables);
    emz_hist_sum4(tables, NULL, hist);
    uint64_t entropy_q8 = emz_entropy_bits_q8(hist, 256);
    uint64_t raw_q8 = (uint64_t)BLOCKS * block * 8 * 256;
    if (m < 64 * 1024) {
        unsigned seen = 0;
        for (unsigned s = 0; s < 256; s++)
            seen += hist[s] != 0;
        /* (seen - 1) / (2 ln 2) bits over the sample, in 1/256 bit: 256 / 1.386 = 184.7. */
        entropy_q8 += (uint64_t)(seen - 1) * 185;
    }
    if (entropy_q8 * 100 >= raw_q8 * 99) return false;
    return e->stats || sample_may_pay(e, hist, BLOCKS * block, entropy_q8, m);
}

/* An 8-bit plane of low mantissa bytes that a code must save `saving` percent on (at least
 * SAVE_PLANE): histogrammed only when a sample says coding may pay. */
static void plan_byte_plane(const encoder *e, const uint8_t *plane, size_t m, int role,
                            unsigned saving, stream_plan *p) {
    uint32_t hist[256];
    if (!signmant_may_pay(e, plane, m)) {
        plan_stream(e, p, NULL, m, 8, role, saving);
        return;
    }
    e->k->histogram(plane, m, hist);
    plan_stream(e, p, hist, m, 8, role, saving);
}

/* FP16 (version 2): SPLIT into exponent, low mantissa byte and a 3-bit sign+mantissa plane, or
 * BYTES (low byte, high byte). The low byte is the same stream in both, so the choice weighs
 * the exponent and top plane against the high byte, whose histogram gives all three. */
static uint8_t *encode_fp16(const encoder *e, const uint8_t *src, size_t m, uint8_t *p) {
    emz_chunk_scratch *s = e->s;
    size_t stride = EMZ_PLANE_STRIDE(m);
    uint8_t *lo = s->planes, *hi = lo + stride, *top = hi + stride;
    uint32_t hi_hist[256] = {0}, exp_hist[256], top_hist[256];
    stream_plan low, high, ep, tp;
    e->k->fp16_planes_split(src, m, (uint8_t *const[6]){lo, hi, s->exps, top}, hi_hist);
    plan_byte_plane(e, lo, m, EMZ_ROLE_BYTE0, SAVE_PLANE, &low);
    plan_stream(e, &high, hi_hist, m, 8, EMZ_ROLE_BYTE1, SAVE_ANY);
    emz_fp16_high_hists(hi_hist, exp_hist, top_hist);
    plan_stream(e, &ep, exp_hist, m, 5, EMZ_ROLE_EXP, SAVE_ANY);
    plan_stream(e, &tp, top_hist, m, 3, EMZ_ROLE_SIGNMANT, SAVE_PLANE);
    if (ep.cost + tp.cost >= high.cost) {
        *p++ = EMZ_LAYOUT_BYTES;
        p += write_stream(e, &low, lo, lo, p);
        return p + write_stream(e, &high, hi, hi, p);
    }
    *p++ = EMZ_LAYOUT_SPLIT;
    p += write_stream(e, &ep, s->exps, NULL, p);
    p += write_stream(e, &low, lo, lo, p);
    return p + write_stream(e, &tp, top, NULL, p);
}

/* FP32 (version 2): SPLIT into exponent, two low mantissa bytes and the sign with the seven
 * high mantissa bits, or BYTES (the four bytes). The two low planes are common to both. */
static uint8_t *encode_fp32(const encoder *e, const uint8_t *src, size_t m, uint8_t *p) {
    emz_chunk_scratch *s = e->s;
    size_t stride = EMZ_PLANE_STRIDE(m);
    uint8_t *b0 = s->planes, *b1 = b0 + stride, *b2 = b1 + stride, *b3 = b2 + stride;
    uint8_t *top = b3 + stride;
    uint32_t sign_b2[512] = {0}, h2[256], h3[256], he[256], ht[256];
    stream_plan lo0, lo1, hi2, hi3, ep, tp;
    e->k->fp32_planes_split(src, m, (uint8_t *const[6]){b0, b1, b2, b3, s->exps, top}, sign_b2);
    plan_byte_plane(e, b0, m, EMZ_ROLE_BYTE0, SAVE_PLANE, &lo0);
    plan_byte_plane(e, b1, m, EMZ_ROLE_BYTE1, SAVE_PLANE, &lo1);
    emz_fp32_top_hists(sign_b2, h2, ht);
    e->k->histogram(b3, m, h3);
    e->k->histogram(s->exps, m, he);
    plan_stream(e, &hi2, h2, m, 8, EMZ_ROLE_BYTE2, SAVE_ANY);
    plan_stream(e, &hi3, h3, m, 8, EMZ_ROLE_BYTE3, SAVE_ANY);
    plan_stream(e, &ep, he, m, 8, EMZ_ROLE_EXP, SAVE_ANY);
    plan_stream(e, &tp, ht, m, 8, EMZ_ROLE_SIGNMANT, SAVE_PLANE);
    if (ep.cost + tp.cost >= hi2.cost + hi3.cost) {
        *p++ = EMZ_LAYOUT_BYTES;
        p += write_stream(e, &lo0, b0, b0, p);
        p += write_stream(e, &lo1, b1, b1, p);
        p += write_stream(e, &hi2, b2, b2, p);
        return p + write_stream(e, &hi3, b3, b3, p);
    }
    *p++ = EMZ_LAYOUT_SPLIT;
    p += write_stream(e, &ep, s->exps, s->exps, p);
    p += write_stream(e, &lo0, b0, b0, p);
    p += write_stream(e, &lo1, b1, b1, p);
    return p + write_stream(e, &tp, top, top, p);
}

/* The SPLIT chunk of BF16 (the only split type without WHOLE) and of the split one-byte and
 * FP4 types (their plans ep and sp already made from the byte histogram); p after the layout
 * byte. */
static uint8_t *encode_split(const encoder *e, const emz_type_desc *d, const uint8_t *src, size_t m,
                             uint8_t *p, stream_plan *ep, stream_plan *sp) {
    const emz_kernels *k = e->k;
    emz_chunk_scratch *s = e->s;
    uint32_t exp_hist[256], sm_hist[256];
    k->split[e->type](src, m, s->exps, s->sm_packed);
    if (!d->can_whole) {
        k->histogram(s->exps, m, exp_hist);
        plan_stream(e, ep, exp_hist, m, d->exp_bits, EMZ_ROLE_EXP, SAVE_ANY);
        if (signmant_may_pay(e, s->sm_packed, m)) {
            k->histogram(s->sm_packed, m, sm_hist);
            plan_stream(e, sp, sm_hist, m, 8, EMZ_ROLE_SIGNMANT, SAVE_PLANE);
        } else {
            plan_stream(e, sp, NULL, m, 8, EMZ_ROLE_SIGNMANT, SAVE_PLANE);
        }
    }
    p += write_stream(e, ep, s->exps, NULL, p);
    const uint8_t *sm_syms = s->sm_packed;
    bool coded = sp->mode == EMZ_MODE_HUFFMAN || sp->mode == EMZ_MODE_SHARED;
    if (coded && d->signmant_bits < 8) {
        k->unpack_bits(s->sm_packed, m, d->signmant_bits, s->sm_syms);
        sm_syms = s->sm_syms;
    }
    return p + write_stream(e, sp, sm_syms, s->sm_packed, p);
}

size_t emz_chunk_encode(const emz_kernels *k, emz_type type, const uint8_t *src, size_t len,
                        uint8_t *out, emz_chunk_scratch *s, const emz_chunk_tables *tables,
                        emz_stream_stats *stats) {
    const emz_type_desc *d = emz_type_desc_get(type);
    size_t m = emz_chunk_slots(d, len), tail = emz_chunk_tail(d, len);
    uint32_t byte_hist[256], exp_hist[256], sm_hist[256];
    stream_plan whole, ep, sp;
    encoder e = {k, s, tables && tables->count ? tables : NULL, stats, type};
    uint8_t *p = out;
    if (stats && stats->rec) stats->chunks++;

    if (type == EMZ_TYPE_FP16 || type == EMZ_TYPE_FP32) {
        p = type == EMZ_TYPE_FP16 ? encode_fp16(&e, src, m, p) : encode_fp32(&e, src, m, p);
        memcpy(p, src + len - tail, tail);
        return (size_t)(p - out) + tail;
    }
    p++;
    bool split = d->can_split;
    if (d->can_whole) {
        k->histogram(src, len, byte_hist);
        plan_stream(&e, &whole, byte_hist, len, 8, EMZ_ROLE_WHOLE, SAVE_ANY);
        if (split) {
            derive_split_hists(type, byte_hist, exp_hist, sm_hist);
            plan_stream(&e, &ep, exp_hist, m, d->exp_bits, EMZ_ROLE_EXP, SAVE_ANY);
            plan_stream(&e, &sp, sm_hist, m, d->signmant_bits, EMZ_ROLE_SIGNMANT, SAVE_PLANE);
            split = ep.cost + sp.cost < whole.cost;
        }
    }
    if (!split) {
        out[0] = EMZ_LAYOUT_WHOLE;
        p += write_stream(&e, &whole, src, src, p);
        return (size_t)(p - out);
    }
    out[0] = EMZ_LAYOUT_SPLIT;
    p = encode_split(&e, d, src, m, p, &ep, &sp);
    memcpy(p, src + len - tail, tail);
    return (size_t)(p - out) + tail;
}

/* ---- LOW: the DIFF chunks of a version 5 container (FORMAT.md, "Delta segments") ---- */

/* The part of element i above its two low bytes (4-byte elements) or the whole element. */
static uint32_t low_value(const uint8_t *src, size_t i, unsigned width) {
    return width == 2 ? emz_load16(src + 2 * i) : emz_load32(src + 4 * i) >> 16;
}

/* Into high, min(v >> k, 255) of each element's value v (low_value), and into low (when k > 0)
 * its k low bits; returns how many elements escape (v >> k >= 255). */
static size_t low_planes(const uint8_t *src, size_t m, unsigned width, unsigned k, uint8_t *high,
                         uint8_t *low) {
    size_t escapes = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t v = low_value(src, i, width), h = v >> k;
        escapes += h >= 255;
        high[i] = (uint8_t)(h < 255 ? h : 255);
        if (low) low[i] = (uint8_t)(v & ((1u << k) - 1));
    }
    return escapes;
}

/* Histograms from which the high symbols of every shift follow: fine[v] of the values v below
 * 4096, coarse[v >> 4] of all (v < 2^16); the high symbols of shift k <= 4 are sums of fine's
 * bins (255 << 4 < 4096), those of k >= 4 sums of coarse's. */
typedef struct low_hists {
    uint32_t fine[4096], coarse[4096];
} low_hists;

static void low_count(const uint8_t *src, size_t m, unsigned width, low_hists *h) {
    memset(h, 0, sizeof *h);
    for (size_t i = 0; i < m; i++) {
        uint32_t v = low_value(src, i, width);
        h->fine[v < 4096 ? v : 4095] += v < 4096;
        h->coarse[v >> 4]++;
    }
}

/* The histogram of the high symbols of shift k (min(v >> k, 255)); returns the escapes. */
static size_t low_symbols(const low_hists *h, size_t m, unsigned k, uint32_t hist[256]) {
    memset(hist, 0, 256 * sizeof *hist);
    size_t below = 0;
    if (k <= 4) {
        for (unsigned v = 0; v < 255u << k; v++)
            hist[v >> k] += h->fine[v];
    } else {
        for (unsigned v = 0; v < 255u << (k - 4); v++)
            hist[v >> (k - 4)] += h->coarse[v];
    }
    for (unsigned s = 0; s < 255; s++)
        below += hist[s];
    hist[255] = (uint32_t)(m - below);
    return m - below;
}

/* The escapes (the join kernel reads them): the high part of each element whose high symbol
 * is 255, in order, two bytes each. */
static size_t write_escapes(const uint8_t *src, size_t m, unsigned width, unsigned k,
                            uint8_t *out) {
    uint8_t *p = out;
    for (size_t i = 0; i < m; i++) {
        uint32_t v = low_value(src, i, width) >> k;
        if (v >= 255) emz_store16(p, (uint16_t)v), p += 2;
    }
    return (size_t)(p - out);
}

/* Bits the Huffman code of plan p gives the symbols of hist (0 unless HUFFMAN or SHARED: the
 * other modes need no lookups). */
static uint64_t code_bits(const stream_plan *p, const uint32_t hist[256]) {
    if (p->mode != EMZ_MODE_HUFFMAN && p->mode != EMZ_MODE_SHARED) return 0;
    uint64_t bits = 0;
    for (unsigned s = 0; s < 256; s++)
        bits += (uint64_t)hist[s] * p->code[s];
    return bits;
}

/* LOW's shift k, from each shift's estimated cost (least: the smallest) and the code bits of
 * its high symbols. Decoding speed sets a floor: the multi-code table yields up to
 * EMZ_HUFF_MULTI_CODES codes an 11-bit lookup, so high symbols of at most 11/4 bits on average
 * decode about four a lookup, and longer ones slower (a BF16 attention output projection's
 * difference, whose smallest shifts code smallest, left codes of 4.3-4.9 bits, which decoded
 * at 0.27-0.31 ns a symbol against 0.15 for its exponents). The floor is the smallest shift
 * whose codes are that short (RAW and CONSTANT count as none: code_bits), unless it costs over
 * 10% more than the smallest (the floor is then 0). From there up, the largest shift within 3%
 * of the cheapest shift at or above the floor: a larger one still leaves shorter codes (on the
 * BF16 checkpoints of bench/delta, 3% instead of 1% made LOW decoding about 6% faster for 0.9%
 * more bytes; the floor made BF16 deltas decode 3-6% faster for 0.5% more bytes). */
static unsigned low_shift(const size_t cost[9], size_t least, const uint64_t bits[9], size_t m) {
    unsigned floor = 0;
    for (unsigned k = 0; k <= 8; k++)
        if (bits[k] * EMZ_HUFF_MULTI_CODES <= (uint64_t)EMZ_HUFF_MAX_LEN * m) {
            if ((uint64_t)cost[k] * 100 <= (uint64_t)least * 110) floor = k;
            break;
        }
    size_t low = SIZE_MAX;
    for (unsigned k = floor; k <= 8; k++)
        low = cost[k] < low ? cost[k] : low;
    unsigned best = 8;
    while (best > floor && (uint64_t)cost[best] * 100 > (uint64_t)low * 103)
        best--;
    return best;
}

/* A LOW payload of the m elements (and tail) at src into out (EMZ_CHUNK_LOW_ROOM(len) bytes),
 * or 0 when it would not fit the payload bound. */
static size_t encode_low(const encoder *e, const uint8_t *src, size_t len, unsigned width,
                         uint8_t *out) {
    emz_chunk_scratch *s = e->s;
    size_t m = len / width, tail = len % width, stride = EMZ_PLANE_STRIDE(m);
    uint8_t *b0 = s->planes, *b1 = b0 + stride, *high = s->exps, *low = s->sm_syms;
    stream_plan p0, p1, hp[9], lp; /* hp: the high symbols' plan for each shift */
    size_t fixed = 2 + tail;       /* layout and shift bytes, tail */
    if (width == 4) {
        for (size_t i = 0; i < m; i++)
            b0[i] = src[4 * i], b1[i] = src[4 * i + 1];
        plan_byte_plane(e, b0, m, EMZ_ROLE_BYTE0, SAVE_LOW_PLANE, &p0);
        plan_byte_plane(e, b1, m, EMZ_ROLE_BYTE1, SAVE_LOW_PLANE, &p1);
        fixed += p0.cost + p1.cost;
    }
    low_hists lh; /* 32 KiB of stack, as package-merge takes 14 */
    low_count(src, m, width, &lh);
    size_t cost[9], least = SIZE_MAX;
    uint64_t bits[9]; /* the high symbols' code bits */
    uint32_t hist[256];
    for (unsigned k = 0; k <= 8; k++) { /* every shift, each estimated with its own code */
        size_t escapes = low_symbols(&lh, m, k, hist);
        plan_stream(e, &hp[k], hist, m, 8, EMZ_ROLE_BYTE1, SAVE_ANY);
        cost[k] = hp[k].cost + (k ? 1 + raw_bytes(m, k) : 0) + 2 * escapes;
        least = cost[k] < least ? cost[k] : least;
        bits[k] = code_bits(&hp[k], hist);
    }
    unsigned best = low_shift(cost, least, bits, m);
    size_t best_cost = cost[best];
    if (fixed + best_cost > EMZ_CHUNK_PAYLOAD_BOUND(len)) return 0;
    size_t escapes = low_planes(src, m, width, best, high, best ? low : NULL);
    /* What the streams write at most (RAW, or a code attempt's slack past it) must fit out. */
    size_t most = 2 + tail + (width == 4 ? 2 * (1 + m) : 0) + 1 + raw_bytes(m, best) + 1 + m +
                  2 * escapes + 128;
    if (most > EMZ_CHUNK_LOW_ROOM(len)) return 0;
    plan_stream(e, &lp, NULL, m, best, EMZ_ROLE_BYTE0, SAVE_PLANE);
    uint8_t *p = out;
    *p++ = EMZ_LAYOUT_LOW;
    *p++ = (uint8_t)best;
    if (width == 4) {
        p += write_stream(e, &p0, b0, b0, p);
        p += write_stream(e, &p1, b1, b1, p);
    }
    if (best) p += write_stream(e, &lp, low, NULL, p);
    p += write_stream(e, &hp[best], high, high, p);
    p += write_escapes(src, m, width, best, p);
    memcpy(p, src + len - tail, tail);
    size_t size = (size_t)(p - out) + tail;
    return size <= EMZ_CHUNK_PAYLOAD_BOUND(len) ? size : 0;
}

size_t emz_chunk_encode_diff(const emz_kernels *k, emz_type type, const uint8_t *src, size_t len,
                             uint8_t *out, uint8_t *room, emz_chunk_scratch *s,
                             const emz_chunk_tables *tables) {
    size_t size = emz_chunk_encode(k, type, src, len, out, s, tables, NULL);
    unsigned width = emz_type_desc_get(type)->element_bits / 8;
    if (width != 2 && width != 4) return size;
    encoder e = {k, s, tables && tables->count ? tables : NULL, NULL, type};
    size_t low = encode_low(&e, src, len, width, room);
    if (low == 0 || low >= size) return size;
    memcpy(out, room, low);
    return low;
}
