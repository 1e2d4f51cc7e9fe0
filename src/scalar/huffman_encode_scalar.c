/* huffman_encode_scalar.c - writes the 16 lanes of a Huffman stream (FORMAT.md, "Lanes"). */
#include "common.h"
#include "huffman_scalar.h"

/* A lane's bit writer. Four codes of at most 11 bits fit between 64-bit flushes
 * (7 + 44 < 64), so it flushes once per four symbols with one unaligned store; the output
 * therefore needs 8 bytes of slack. */
typedef struct lane_writer {
    const uint8_t *sym, *sym_end;
    uint8_t *out;
    uint64_t acc;
    unsigned count;
} lane_writer;

static inline void put(lane_writer *w, uint32_t code_and_len) {
    w->acc |= (uint64_t)(code_and_len & 0xFFFF) << w->count;
    w->count += code_and_len >> 16;
}
#define PUT(w, s) put(&(w), code_len[s])
#define FLUSH(w)                                                                                  \
    do {                                                                                          \
        emz_store64((w).out, (w).acc);                                                            \
        (w).out += (w).count >> 3;                                                                \
        (w).acc >>= (w).count & ~7u;                                                              \
        (w).count &= 7;                                                                           \
    } while (0)
#define PUT4(w)                                                                                   \
    do {                                                                                          \
        PUT(w, (w).sym[0]), PUT(w, (w).sym[1]), PUT(w, (w).sym[2]), PUT(w, (w).sym[3]);           \
        (w).sym += 4;                                                                             \
        FLUSH(w);                                                                                 \
    } while (0)

/* Writes lane w to completion at its final place, checking the limit once per flush. */
static int finish_lane(lane_writer *w, const uint32_t *code_len, const uint8_t *limit) {
    while (w->sym_end - w->sym >= 4) {
        PUT4(*w);
        if (EMZ_UNLIKELY(w->out > limit)) return 0;
    }
    for (; w->sym < w->sym_end; w->sym++) PUT(*w, *w->sym);
    emz_store64(w->out, w->acc);
    w->out += (w->count + 7) >> 3;
    return w->out <= limit;
}

size_t emz_huff_encode_scalar(const uint8_t *syms, size_t n, const emz_huff_enc *enc,
                              uint8_t *out, size_t out_cap, uint32_t lane_sizes[EMZ_HUFF_LANES]) {
    /* code | length << 16: one load per symbol instead of two. */
    uint32_t code_len[256];
    for (unsigned s = 0; s < 256; s++) code_len[s] = enc->code[s] | (uint32_t)enc->len[s] << 16;
    unsigned lanes = emz_huff_lane_count(n);
    size_t per_lane = emz_div_ceil(n, lanes);
    uint8_t *p = out, *limit = out + out_cap;
    for (unsigned k = 0; k < lanes; k++) {
        size_t lo = k * per_lane < n ? k * per_lane : n;
        size_t hi = lo + per_lane < n ? lo + per_lane : n;
        lane_writer w = {syms + lo, syms + hi, p, 0, 0};
        if (!finish_lane(&w, code_len, limit)) return SIZE_MAX;
        lane_sizes[k] = (uint32_t)(w.out - p);
        p = w.out;
    }
    return (size_t)(p - out);
}
