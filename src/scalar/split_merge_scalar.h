/* split_merge_scalar.h - the scalar split/merge kernels, one pair per element type. */
#ifndef EMZ_SPLIT_MERGE_SCALAR_H
#define EMZ_SPLIT_MERGE_SCALAR_H

#include <stddef.h>
#include <stdint.h>

void emz_split_bf16_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_bf16_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp16_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp16_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp32_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp32_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_e4m3_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_e4m3_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_e5m2_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_e5m2_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp4_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp4_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_pack_bits_scalar(const uint8_t *syms, size_t n, unsigned width, uint8_t *out);
void emz_unpack_bits_scalar(const uint8_t *in, size_t n, unsigned width, uint8_t *syms);
void emz_histogram_scalar(const uint8_t *data, size_t n, uint32_t hist[256]);

#endif
