/* bitpack_scalar.c - RAW bit packing of narrow symbols. */
#include "kernels/bit_io.h"
#include "scalar/kernels_scalar.h"

void emz_pack_bits_scalar(const uint8_t *syms, size_t n, unsigned width, uint8_t *out) {
    if (width == 8) {
        memcpy(out, syms, n);
        return;
    }
    bit_writer w = {out, 0, 0};
    for (size_t i = 0; i < n; i++)
        bit_writer_put(&w, syms[i], width);
    bit_writer_finish(&w);
}

void emz_unpack_bits_scalar(const uint8_t *in, size_t n, unsigned width, uint8_t *syms) {
    if (width == 8) {
        memcpy(syms, in, n);
        return;
    }
    bit_reader r = {in, in + emz_div_ceil(n * width, 8), 0, 0};
    for (size_t i = 0; i < n; i++)
        syms[i] = (uint8_t)bit_reader_get(&r, width);
}
