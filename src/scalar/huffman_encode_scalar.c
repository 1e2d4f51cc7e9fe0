/* huffman_encode_scalar.c - writes the 16 lanes of a Huffman stream (FORMAT.md, "Lanes"). */
#include "common.h"
#include "huffman_scalar.h"

/* Four codes of at most 11 bits fit between 64-bit flushes (7 + 44 < 64), so the loop flushes
 * once per four symbols with one unaligned store; out therefore needs 8 bytes of slack. */
size_t emz_huff_encode_scalar(const uint8_t *syms, size_t n, const emz_huff_enc *enc,
                              uint8_t *out, size_t out_cap, uint32_t lane_sizes[EMZ_HUFF_LANES]) {
    size_t per_lane = emz_div_ceil(n, EMZ_HUFF_LANES);
    uint8_t *p = out, *limit = out + out_cap;
    for (unsigned k = 0; k < EMZ_HUFF_LANES; k++) {
        size_t lo = k * per_lane < n ? k * per_lane : n;
        size_t hi = lo + per_lane < n ? lo + per_lane : n;
        uint8_t *lane_start = p;
        uint64_t acc = 0;
        unsigned count = 0;
        size_t i = lo;
#define PUT(s) (acc |= (uint64_t)enc->code[s] << count, count += enc->len[s])
        for (; i + 4 <= hi; i += 4) {
            PUT(syms[i]);
            PUT(syms[i + 1]);
            PUT(syms[i + 2]);
            PUT(syms[i + 3]);
            emz_store64(p, acc);
            p += count >> 3;
            acc = count >= 8 ? acc >> (count & ~7u) : acc;
            count &= 7;
            if (EMZ_UNLIKELY(p > limit)) return SIZE_MAX;
        }
        for (; i < hi; i++) PUT(syms[i]);
#undef PUT
        emz_store64(p, acc);
        p += (count + 7) >> 3;
        if (p > limit) return SIZE_MAX;
        lane_sizes[k] = (uint32_t)(p - lane_start);
    }
    return (size_t)(p - out);
}
