/* huffman_encode_template.h - writes the lanes of a Huffman stream (FORMAT.md, "Lanes").
 * Included by one file per instruction set (scalar/, avx2/, avx512/huffman_*.c), which defines
 * EMZ_HUFF_ENCODE (the function's name) and may define EMZ_HUFF_SIMD_JOIN, providing before the
 * include: a type simd_tables with simd_tables_init(simd_tables *, const emz_huff_enc *);
 * join64(tables, 64 symbols, code[16], bits[16], &total), which joins the 64 codes into 8 or 16 bit
 * strings of at most 56 bits each, in stream order, sets total to their bits and returns how
 * many; and simd_lane_bits(tables, sym, end), the code bits of a lane.
 *
 * A lane's bit writer is one serial dependency chain (the bit count), so lanes are encoded
 * two at a time. That needs each lane's place before it is written: a first pass sums the
 * code lengths per lane, which also rejects, before any encoding, a code that would not fit
 * in out_cap. */
#include "common/common.h"
#include "kernels/kernels.h"

typedef struct lane_writer {
    const uint8_t *sym, *sym_end;
    uint8_t *out, *out_end; /* out_end: exactly where the lane's bytes end */
    uint64_t acc;
    unsigned count;
    uint64_t bits_left; /* code bits of the lane not yet appended (kept by the SIMD steps) */
} lane_writer;

/* The codes of four symbols joined into one bit string of at most 44 bits. Joining pairs
 * first keeps the lane's serial chain (its bit count) at one addition per four symbols. */
static inline uint64_t join4(const uint8_t *sym, const emz_huff_enc *t, unsigned *bits) {
    unsigned l0 = t->len[sym[0]], l1 = t->len[sym[1]], l2 = t->len[sym[2]], l3 = t->len[sym[3]];
    uint64_t v01 = t->code[sym[0]] | (uint64_t)t->code[sym[1]] << l0;
    uint64_t v23 = t->code[sym[2]] | (uint64_t)t->code[sym[3]] << l2;
    *bits = l0 + l1 + l2 + l3;
    return v01 | v23 << (l0 + l1);
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
static void finish_lane(lane_writer *w, const emz_huff_enc *t) {
    for (; w->sym < w->sym_end; w->sym++) {
        w->acc |= (uint64_t)t->code[*w->sym] << w->count;
        w->count += t->len[*w->sym];
        for (; w->count >= 8; w->count -= 8, w->acc >>= 8)
            *w->out++ = (uint8_t)w->acc;
    }
    if (w->count) *w->out++ = (uint8_t)w->acc;
}

/* Appends one joined string of codes (at most 56 bits: with 7 pending, the count stays below
 * 64, the widest shift the flush may do) and flushes the whole bytes. */
static inline void put_joined(lane_writer *w, uint64_t v, unsigned bits) {
    w->acc |= v << w->count;
    w->count += bits;
    emz_store64(w->out, w->acc);
    w->out += w->count >> 3;
    w->acc >>= w->count & ~7u;
    w->count &= 7;
}

/* 44 bits after at most 7 pending ones fit in the 64-bit accumulator. */
static inline void put4_flush(lane_writer *w, const emz_huff_enc *t) {
    unsigned bits;
    uint64_t v = join4(w->sym, t, &bits);
    w->sym += 4;
    put_joined(w, v, bits);
}

#ifdef EMZ_HUFF_SIMD_JOIN
/* 64 symbols of each of two lanes a step, their codes joined by SIMD code, while a step's last
 * store (8 bytes where the lane's next byte is) ends inside the lane: at least 64 of its bits
 * come after the step. The exact count lets the steps go on until about 64 bits before the
 * lane's end; a bound from the longest code (11 bits a symbol) stopped them about 100 bytes
 * before it, and the scalar loop then coded a third of a 32 KiB K/V page's exponents. */
static void encode_two_simd(lane_writer *w, const simd_tables *st) {
    lane_writer a = w[0], b = w[1];
    while (a.sym_end - a.sym >= 64 && b.sym_end - b.sym >= 64) {
        uint64_t ca[16], cb[16], ba[16], bb[16], ta, tb;
        unsigned na = join64(st, a.sym, ca, ba, &ta), nb = join64(st, b.sym, cb, bb, &tb);
        if (a.bits_left < ta + 64 || b.bits_left < tb + 64) break;
        a.sym += 64, b.sym += 64, a.bits_left -= ta, b.bits_left -= tb;
        if (na == nb) {
            for (unsigned i = 0; i < na; i++) {
                put_joined(&a, ca[i], (unsigned)ba[i]);
                put_joined(&b, cb[i], (unsigned)bb[i]);
            }
        } else {
            for (unsigned i = 0; i < na; i++)
                put_joined(&a, ca[i], (unsigned)ba[i]);
            for (unsigned i = 0; i < nb; i++)
                put_joined(&b, cb[i], (unsigned)bb[i]);
        }
    }
    w[0] = a, w[1] = b;
}
#endif

/* Two lanes at a time: with the joined codes the work per symbol, not the chain, limits the
 * speed, and two lanes' state stays in registers where four spilled. */
static void encode_two(lane_writer *w, const emz_huff_enc *t) {
    for (;;) {
        size_t r0 = writer_safe_rounds(&w[0]), r1 = writer_safe_rounds(&w[1]);
        size_t rounds = r0 < r1 ? r0 : r1;
        if (rounds == 0) break;
        lane_writer a = w[0], b = w[1];
        while (rounds--) {
            put4_flush(&a, t);
            put4_flush(&b, t);
        }
        w[0] = a, w[1] = b;
    }
    finish_lane(&w[0], t);
    finish_lane(&w[1], t);
}

static uint64_t lane_bits(const uint8_t *sym, const uint8_t *end, const uint8_t *len) {
    uint64_t b0 = 0, b1 = 0;
    for (; end - sym >= 2; sym += 2)
        b0 += len[sym[0]], b1 += len[sym[1]];
    if (sym < end) b0 += len[*sym];
    return b0 + b1;
}

#ifdef EMZ_HUFF_SIMD_JOIN
#define EMZ_LANE_BITS(sym, end, enc) simd_lane_bits(&st, sym, end)
#else
#define EMZ_LANE_BITS(sym, end, enc) lane_bits(sym, end, (enc)->len)
#endif

size_t EMZ_HUFF_ENCODE(const uint8_t *syms, size_t n, const emz_huff_enc *enc, uint8_t *out,
                       size_t out_cap, uint32_t lane_sizes[EMZ_HUFF_LANES]) {
    unsigned lanes = emz_huff_lane_count(n);
    size_t per_lane = emz_div_ceil(n, lanes), total = 0;
    lane_writer w[EMZ_HUFF_LANES];
#ifdef EMZ_HUFF_SIMD_JOIN
    simd_tables st;
    simd_tables_init(&st, enc);
#endif
    for (unsigned k = 0; k < lanes; k++) {
        size_t lo = k * per_lane < n ? k * per_lane : n;
        size_t hi = lo + per_lane < n ? lo + per_lane : n;
        uint64_t bits = EMZ_LANE_BITS(syms + lo, syms + hi, enc);
        size_t bytes = (size_t)emz_div_ceil(bits, 8);
        if (bytes > out_cap - total) return SIZE_MAX;
        w[k] = (lane_writer){syms + lo, syms + hi, out + total, out + total + bytes, 0, 0, bits};
        lane_sizes[k] = (uint32_t)bytes;
        total += bytes;
    }
    /* A local copy of the tables: as far as the compiler knows, stores to the output
     * (uint8_t) may alias the caller's tables, and it would reload them after each flush. */
    emz_huff_enc t = *enc;
    if (lanes == 1) {
        finish_lane(&w[0], &t);
    } else {
        for (unsigned g = 0; g < lanes; g += 2) {
#ifdef EMZ_HUFF_SIMD_JOIN
            encode_two_simd(w + g, &st);
#endif
            encode_two(w + g, &t);
        }
    }
    return total;
}
