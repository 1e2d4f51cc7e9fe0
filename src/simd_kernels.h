/* simd_kernels.h - kernels of the SIMD folders, for their tables and for the tests. */
#ifndef EMZ_SIMD_KERNELS_H
#define EMZ_SIMD_KERNELS_H

#include <stddef.h>
#include <stdint.h>

void emz_split_bf16_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_bf16_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp32_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp32_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp16_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp16_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_e4m3_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_e4m3_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_e5m2_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_e5m2_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp4_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp4_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_pack_bits_avx2(const uint8_t *syms, size_t n, unsigned width, uint8_t *out);
void emz_unpack_bits_avx2(const uint8_t *in, size_t n, unsigned width, uint8_t *syms);
uint32_t emz_checksum32_avx2(const void *data, size_t size);
void emz_histogram_avx2(const uint8_t *data, size_t n, uint32_t hist[256]);

void emz_split_bf16_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_bf16_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp32_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp32_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp16_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp16_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_e4m3_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_e4m3_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_e5m2_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_e5m2_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp4_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp4_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_pack_bits_avx512(const uint8_t *syms, size_t n, unsigned width, uint8_t *out);
void emz_unpack_bits_avx512(const uint8_t *in, size_t n, unsigned width, uint8_t *syms);
uint32_t emz_checksum32_avx512(const void *data, size_t size);
void emz_histogram_avx512(const uint8_t *data, size_t n, uint32_t hist[256]);

/* AArch64: Advanced SIMD is baseline, so src/neon needs no extra compiler flags. */
void emz_split_bf16_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_bf16_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp16_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp16_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp32_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp32_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_e4m3_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_e4m3_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_e5m2_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_e5m2_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_split_fp4_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
void emz_merge_fp4_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
void emz_pack_bits_neon(const uint8_t *syms, size_t n, unsigned width, uint8_t *out);
void emz_unpack_bits_neon(const uint8_t *in, size_t n, unsigned width, uint8_t *syms);
uint32_t emz_checksum32_neon(const void *data, size_t size);

#endif
