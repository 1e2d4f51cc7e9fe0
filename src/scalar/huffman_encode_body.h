/* huffman_encode_body.h - writes the lanes of a Huffman stream (FORMAT.md, "Lanes"). Included
 * by one file per instruction set, which defines EMZ_HUFF_ENCODE (the function's name).
 *
 * A lane's bit writer is one serial dependency chain (the bit count), so lanes are encoded
 * four at a time. That needs each lane's place before it is written: a first pass sums the
 * code lengths per lane, which also rejects, before any encoding, a code that would not fit
 * in out_cap. */
#include "common.h"
#include "kernels.h"

typedef struct lane_writer {
    const uint8_t *sym, *sym_end;
    uint8_t *out, *out_end; /* out_end: exactly where the lane's bytes end */
    uint64_t acc;
    unsigned count;
} lane_writer;

static inline void put(lane_writer *w, uint32_t code_and_len) {
    w->acc |= (uint64_t)(code_and_len & 0xFFFF) << w->count;
    w->count += code_and_len >> 16;
}

/* Four codes of at most 11 bits fit between 64-bit flushes (7 + 44 < 64). */
static inline void put4_flush(lane_writer *w, const uint32_t *code_len) {
    put(w, code_len[w->sym[0]]);
    put(w, code_len[w->sym[1]]);
    put(w, code_len[w->sym[2]]);
    put(w, code_len[w->sym[3]]);
    w->sym += 4;
    emz_store64(w->out, w->acc);
    w->out += w->count >> 3;
    w->acc >>= w->count & ~7u;
    w->count &= 7;
}

/* Rounds of put4_flush that neither run out of symbols nor store past out_end (a flush
 * stores 8 bytes and advances at most 6). */
static size_t writer_safe_rounds(const lane_writer *w) {
    size_t by_sym = (size_t)(w->sym_end - w->sym) / 4;
    size_t room = (size_t)(w->out_end - w->out);
    size_t by_out = room >= 8 ? (room - 8) / 6 : 0;
    return by_sym < by_out ? by_sym : by_out;
}

/* The rest of a lane, byte by byte, so that it never touches the next lane's bytes. */
static void finish_lane(lane_writer *w, const uint32_t *code_len) {
    for (; w->sym < w->sym_end; w->sym++) {
        put(w, code_len[*w->sym]);
        for (; w->count >= 8; w->count -= 8, w->acc >>= 8) *w->out++ = (uint8_t)w->acc;
    }
    if (w->count) *w->out++ = (uint8_t)w->acc;
}

static void encode_four(lane_writer *w, const uint32_t *code_len) {
    for (;;) {
        size_t rounds = SIZE_MAX;
        for (unsigned k = 0; k < 4; k++) {
            size_t r = writer_safe_rounds(&w[k]);
            if (r < rounds) rounds = r;
        }
        if (rounds == 0) break;
        lane_writer a = w[0], b = w[1], c = w[2], d = w[3];
        while (rounds--) {
            put4_flush(&a, code_len);
            put4_flush(&b, code_len);
            put4_flush(&c, code_len);
            put4_flush(&d, code_len);
        }
        w[0] = a, w[1] = b, w[2] = c, w[3] = d;
    }
    for (unsigned k = 0; k < 4; k++) finish_lane(&w[k], code_len);
}

static uint64_t lane_bits(const uint8_t *sym, const uint8_t *end, const uint8_t *len) {
    uint64_t b0 = 0, b1 = 0;
    for (; end - sym >= 2; sym += 2) b0 += len[sym[0]], b1 += len[sym[1]];
    if (sym < end) b0 += len[*sym];
    return b0 + b1;
}

size_t EMZ_HUFF_ENCODE(const uint8_t *syms, size_t n, const emz_huff_enc *enc,
                              uint8_t *out, size_t out_cap, uint32_t lane_sizes[EMZ_HUFF_LANES]) {
    unsigned lanes = emz_huff_lane_count(n);
    size_t per_lane = emz_div_ceil(n, lanes), total = 0;
    lane_writer w[EMZ_HUFF_LANES];
    for (unsigned k = 0; k < lanes; k++) {
        size_t lo = k * per_lane < n ? k * per_lane : n;
        size_t hi = lo + per_lane < n ? lo + per_lane : n;
        size_t bytes = (size_t)emz_div_ceil(lane_bits(syms + lo, syms + hi, enc->len), 8);
        if (bytes > out_cap - total) return SIZE_MAX;
        w[k] = (lane_writer){syms + lo, syms + hi, out + total, out + total + bytes, 0, 0};
        lane_sizes[k] = (uint32_t)bytes;
        total += bytes;
    }
    /* code | length << 16: one load per symbol instead of two. */
    uint32_t code_len[256];
    for (unsigned s = 0; s < 256; s++) code_len[s] = enc->code[s] | (uint32_t)enc->len[s] << 16;
    if (lanes == 1) {
        finish_lane(&w[0], code_len);
    } else {
        for (unsigned g = 0; g < lanes; g += 4) encode_four(w + g, code_len);
    }
    return total;
}
