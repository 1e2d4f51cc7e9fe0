/* permute_scalar.c - rows through a fixed byte permutation, one byte at a time: the reference,
 * and the kernel of the ISAs without a table lookup as wide as a row's pairs. */
#include "scalar/kernels_scalar.h"

void emz_permute_rows_scalar(const uint8_t *in, uint8_t *out, size_t rows, const emz_byte_perm *p) {
    size_t width = p->width;
    for (size_t r = 0; r < rows; r++, in += width, out += width)
        for (size_t i = 0; i < width; i++)
            out[i] = in[p->from[i]];
}
