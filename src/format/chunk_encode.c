/* chunk_encode.c - chooses each chunk's layout and each stream's mode, and writes the payload.
 * Every choice is made here, in ISA-independent integer code, so that all implementations
 * write identical bytes. */
#include "common/common.h"
#include "format/chunk_codec.h"
#include "format/entropy_estimate.h"
#include "format/huffman_build.h"

/* What a stream will be written as, decided from its histogram. */
typedef struct stream_plan {
    size_t n;       /* symbols */
    unsigned width; /* bits per symbol */
    int mode;
    uint32_t value; /* CONSTANT */
    size_t cost;    /* estimated bytes, mode byte included */
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

/* Huffman's estimate leaves out lane padding (< 16 bytes); writing falls back to RAW when
 * the real size does not beat it. */
static void plan_stream(stream_plan *p, const uint32_t *hist, size_t n, unsigned width) {
    p->n = n, p->width = width, p->mode = EMZ_MODE_RAW;
    p->cost = 1 + raw_bytes(n, width);
    if (n == 0 || !hist) return;
    unsigned distinct = 0, alphabet = 1u << width, last = 0;
    for (unsigned s = 0; s < alphabet; s++)
        if (hist[s]) distinct++, last = s;
    if (distinct == 1) {
        plan_constant(p, last);
        return;
    }
    uint64_t bits = emz_huff_lengths(hist, alphabet, p->len);
    size_t huff = 1 + emz_huff_table_size(p->len, alphabet) + 2 * emz_huff_lane_count(n) +
                  (size_t)emz_div_ceil(bits, 8);
    if (huff < p->cost) p->mode = EMZ_MODE_HUFFMAN, p->cost = huff;
}

/* A stream whose symbols are wider than 8 bits can only be RAW or CONSTANT. */
static void plan_wide_stream(stream_plan *p, size_t n, unsigned width, bool constant,
                             uint32_t value) {
    plan_stream(p, NULL, n, width);
    if (n && constant) plan_constant(p, value);
}

/* syms: one symbol per byte (needed for HUFFMAN, and for RAW when raw is NULL);
 * raw: the RAW bit string, or NULL to pack syms. Returns bytes written. */
static size_t write_stream(const emz_kernels *k, const stream_plan *p, const uint8_t *syms,
                           const uint8_t *raw, uint8_t *out, emz_chunk_scratch *s) {
    size_t raw_size = raw_bytes(p->n, p->width);
    if (p->mode == EMZ_MODE_CONSTANT) {
        out[0] = EMZ_MODE_CONSTANT;
        size_t vb = emz_div_ceil(p->width, 8);
        for (size_t i = 0; i < vb; i++)
            out[1 + i] = (uint8_t)(p->value >> 8 * i);
        return 1 + vb;
    }
    if (p->mode == EMZ_MODE_HUFFMAN) {
        unsigned alphabet = 1u << p->width, lanes = emz_huff_lane_count(p->n);
        size_t table = emz_huff_table_size(p->len, alphabet);
        /* Lanes are written after room for the largest lane table, then moved down once
         * their sizes, and so the table's length, are known. */
        size_t head_max = 1 + table + 5 * (size_t)lanes, head_min = 1 + table + lanes;
        if (head_min < raw_size) {
            uint32_t lane_sizes[EMZ_HUFF_LANES];
            emz_huff_enc_init(p->len, &s->enc);
            size_t bytes = k->huff_encode(syms, p->n, &s->enc, out + head_max, raw_size - head_min,
                                          lane_sizes);
            if (bytes != SIZE_MAX) {
                size_t head = 1 + table;
                for (unsigned l = 0; l < lanes; l++)
                    head += emz_leb128_write(out + head, lane_sizes[l]);
                /* Only a result strictly smaller than RAW is worth it. */
                if (head + bytes <= raw_size) {
                    out[0] = EMZ_MODE_HUFFMAN;
                    emz_huff_table_write(p->len, alphabet, out + 1);
                    memmove(out + head, out + head_max, bytes);
                    return head + bytes;
                }
            }
        }
    }
    out[0] = EMZ_MODE_RAW;
    if (raw)
        memcpy(out + 1, raw, raw_size);
    else
        k->pack_bits(syms, p->n, p->width, out + 1);
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

/* For 11- and 24-bit sign+mantissa symbols: is the whole chunk one value? Stops at the first
 * difference, which in real data is the second element. */
static bool wide_signmant_constant(emz_type type, const uint8_t *src, size_t m, uint32_t *value) {
    uint32_t first = 0;
    for (size_t j = 0; j < m; j++) {
        uint32_t s;
        if (type == EMZ_TYPE_FP16) {
            uint16_t v = emz_load16(src + 2 * j);
            s = (uint32_t)(v >> 15) << 10 | (v & 0x3FF);
        } else {
            uint32_t v = emz_load32(src + 4 * j);
            s = (v >> 31) << 23 | (v & 0x7FFFFF);
        }
        if (j == 0)
            first = s;
        else if (s != first)
            return false;
    }
    *value = first;
    return true;
}

/* BF16 sign+mantissa bytes of real weights are nearly uniform (order-0 entropy ~7.96 of 8
 * bits), so the full histogram and the 256-symbol code they need rarely pay. A 1/16 sample
 * decides: when even its entropy, a lower bound for any Huffman code, saves less than 1% of
 * RAW, the stream stays RAW. */
static bool signmant_may_pay(const emz_kernels *k, const uint8_t *sm, size_t m) {
    enum { BLOCKS = 16 };
    if (m < 16 * 1024) return true;
    uint32_t hist[256] = {0}, part[256];
    size_t stride = m / BLOCKS, block = stride / 16;
    for (unsigned b = 0; b < BLOCKS; b++) {
        k->histogram(sm + b * stride, block, part);
        for (unsigned s = 0; s < 256; s++)
            hist[s] += part[s];
    }
    uint64_t entropy_q8 = emz_entropy_bits_q8(hist, 256);
    uint64_t raw_q8 = (uint64_t)BLOCKS * block * 8 * 256;
    return entropy_q8 * 100 < raw_q8 * 99;
}

size_t emz_chunk_encode(const emz_kernels *k, emz_type type, const uint8_t *src, size_t len,
                        uint8_t *out, emz_chunk_scratch *s) {
    const emz_type_desc *d = emz_type_desc_get(type);
    size_t m = emz_chunk_slots(d, len), tail = emz_chunk_tail(d, len);
    uint32_t byte_hist[256], exp_hist[256], sm_hist[256];
    stream_plan whole, ep, sp;
    uint8_t *p = out + 1;

    bool split = d->can_split;
    if (d->can_whole) {
        k->histogram(src, len, byte_hist);
        plan_stream(&whole, byte_hist, len, 8);
        if (split) {
            derive_split_hists(type, byte_hist, exp_hist, sm_hist);
            plan_stream(&ep, exp_hist, m, d->exp_bits);
            plan_stream(&sp, sm_hist, m, d->signmant_bits);
            split = ep.cost + sp.cost < whole.cost;
        }
    }
    if (!split) {
        out[0] = EMZ_LAYOUT_WHOLE;
        p += write_stream(k, &whole, src, src, p, s);
        return (size_t)(p - out);
    }

    out[0] = EMZ_LAYOUT_SPLIT;
    k->split[type](src, m, s->exps, s->sm_packed);
    if (!d->can_whole) {
        k->histogram(s->exps, m, exp_hist);
        plan_stream(&ep, exp_hist, m, d->exp_bits);
        if (d->signmant_bits == 8 && signmant_may_pay(k, s->sm_packed, m)) {
            k->histogram(s->sm_packed, m, sm_hist);
            plan_stream(&sp, sm_hist, m, 8);
        } else if (d->signmant_bits == 8) {
            plan_stream(&sp, NULL, m, 8);
        } else {
            uint32_t value = 0;
            bool constant = wide_signmant_constant(type, src, m, &value);
            plan_wide_stream(&sp, m, d->signmant_bits, constant, value);
        }
    }
    p += write_stream(k, &ep, s->exps, NULL, p, s);
    const uint8_t *sm_syms = s->sm_packed;
    if (sp.mode == EMZ_MODE_HUFFMAN && d->signmant_bits < 8) {
        k->unpack_bits(s->sm_packed, m, d->signmant_bits, s->sm_syms);
        sm_syms = s->sm_syms;
    }
    p += write_stream(k, &sp, sm_syms, s->sm_packed, p, s);
    memcpy(p, src + len - tail, tail);
    return (size_t)(p - out) + tail;
}
