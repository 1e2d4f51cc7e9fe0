/* bitpack_scalar.c - RAW bit packing of narrow symbols, and byte histograms. */
#include "bit_io.h"
#include "histogram_candidates.h"
#include "split_merge_scalar.h"

void emz_pack_bits_scalar(const uint8_t *syms, size_t n, unsigned width, uint8_t *out) {
    if (width == 8) {
        memcpy(out, syms, n);
        return;
    }
    bit_writer w = {out, 0, 0};
    for (size_t i = 0; i < n; i++) bit_writer_put(&w, syms[i], width);
    bit_writer_finish(&w);
}

void emz_unpack_bits_scalar(const uint8_t *in, size_t n, unsigned width, uint8_t *syms) {
    if (width == 8) {
        memcpy(syms, in, n);
        return;
    }
    bit_reader r = {in, in + emz_div_ceil(n * width, 8), 0, 0};
    for (size_t i = 0; i < n; i++) syms[i] = (uint8_t)bit_reader_get(&r, width);
}

/* Four sub-histograms: runs of equal bytes would otherwise serialize on one counter. */
void emz_histogram_scalar(const uint8_t *data, size_t n, uint32_t hist[256]) {
    uint32_t h[4][256];
    memset(h, 0, sizeof h);
    emz_hist_count4(data, n, h);
    for (unsigned s = 0; s < 256; s++) hist[s] = h[0][s] + h[1][s] + h[2][s] + h[3][s];
}
