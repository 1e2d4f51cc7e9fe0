/* huffman_scalar.h - the scalar Huffman lane encoder and decoder. */
#ifndef EMZ_HUFFMAN_SCALAR_H
#define EMZ_HUFFMAN_SCALAR_H

#include "kernels.h"

size_t emz_huff_encode_scalar(const uint8_t *syms, size_t n, const emz_huff_enc *enc,
                              uint8_t *out, size_t out_cap, uint32_t lane_sizes[EMZ_HUFF_LANES]);
emz_status emz_huff_decode_scalar(const uint8_t *lanes, const uint32_t lane_sizes[EMZ_HUFF_LANES],
                                  const uint8_t *readable_end, const emz_huff_dec *dec,
                                  uint8_t *out, size_t n);

/* The same code compiled with BMI2 (src/avx2), used by the AVX2 and AVX-512 tables. */
size_t emz_huff_encode_bmi2(const uint8_t *syms, size_t n, const emz_huff_enc *enc,
                            uint8_t *out, size_t out_cap, uint32_t lane_sizes[EMZ_HUFF_LANES]);
emz_status emz_huff_decode_bmi2(const uint8_t *lanes, const uint32_t lane_sizes[EMZ_HUFF_LANES],
                                const uint8_t *readable_end, const emz_huff_dec *dec,
                                uint8_t *out, size_t n);

/* The encoder with AVX-512 VBMI code lookup (src/avx512). */
size_t emz_huff_encode_avx512(const uint8_t *syms, size_t n, const emz_huff_enc *enc,
                              uint8_t *out, size_t out_cap, uint32_t lane_sizes[EMZ_HUFF_LANES]);

#endif
