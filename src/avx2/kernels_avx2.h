/* kernels_avx2.h - the AVX2 (+BMI2) kernels. */
#ifndef EMZ_KERNELS_AVX2_H
#define EMZ_KERNELS_AVX2_H

#include "kernels/kernels.h"

emz_split_kernel emz_split_bf16_avx2, emz_split_fp16_avx2, emz_split_fp32_avx2, emz_split_e4m3_avx2,
    emz_split_e5m2_avx2, emz_split_fp4_avx2;
emz_merge_kernel emz_merge_bf16_avx2, emz_merge_fp16_avx2, emz_merge_fp32_avx2, emz_merge_e4m3_avx2,
    emz_merge_e5m2_avx2, emz_merge_fp4_avx2;
emz_pack_kernel emz_pack_bits_avx2;
emz_unpack_kernel emz_unpack_bits_avx2;
emz_histogram_kernel emz_histogram_avx2;
/* The shared lane coder built with BMI2 and the assembly decoding loop; the AVX-512 table
 * decodes with it too. */
emz_huff_encode_kernel emz_huff_encode_avx2;
emz_huff_decode_kernel emz_huff_decode_avx2;
/* Its six-lane loop exists where the assembly is built (huffman_avx2.c). */
#if defined(__x86_64__) && defined(__ELF__)
#define EMZ_HUFF_AVX2_MULTI16_PS_PER_BIT EMZ_HUFF_MULTI6_PS_PER_BIT
#else
#define EMZ_HUFF_AVX2_MULTI16_PS_PER_BIT EMZ_HUFF_MULTI_PS_PER_BIT
#endif
emz_checksum_kernel emz_checksum32_avx2;
emz_channel_shift_kernel emz_channel_shift_avx2;
emz_delta_kernel emz_delta_avx2;
emz_low_join_kernel emz_low_join_avx2;

emz_planes_split_kernel emz_fp16_planes_split_avx2, emz_fp32_planes_split_avx2;
emz_planes_merge_kernel emz_bytes2_merge_avx2, emz_bytes4_merge_avx2, emz_fp16_planes_merge_avx2,
    emz_fp32_planes_merge_avx2;

#endif
