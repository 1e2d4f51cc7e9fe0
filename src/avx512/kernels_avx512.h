/* kernels_avx512.h - the AVX-512 (F/BW/VL/VBMI/VBMI2) kernels. */
#ifndef EMZ_KERNELS_AVX512_H
#define EMZ_KERNELS_AVX512_H

#include "kernels/kernels.h"

emz_split_kernel emz_split_bf16_avx512, emz_split_fp16_avx512, emz_split_fp32_avx512,
    emz_split_e4m3_avx512, emz_split_e5m2_avx512, emz_split_fp4_avx512;
emz_merge_kernel emz_merge_bf16_avx512, emz_merge_fp16_avx512, emz_merge_fp32_avx512,
    emz_merge_e4m3_avx512, emz_merge_e5m2_avx512, emz_merge_fp4_avx512;
emz_pack_kernel emz_pack_bits_avx512;
emz_unpack_kernel emz_unpack_bits_avx512;
emz_histogram_kernel emz_histogram_avx512;
emz_huff_encode_kernel emz_huff_encode_avx512;
emz_checksum_kernel emz_checksum32_avx512;
emz_channel_shift_kernel emz_channel_shift_avx512;
emz_delta_kernel emz_delta_avx512;
emz_low_join_kernel emz_low_join_avx512;
emz_permute_rows_kernel emz_permute_rows_avx512;

emz_planes_split_kernel emz_fp16_planes_split_avx512, emz_fp32_planes_split_avx512;
emz_planes_merge_kernel emz_bytes2_merge_avx512, emz_bytes4_merge_avx512,
    emz_fp16_planes_merge_avx512, emz_fp32_planes_merge_avx512;

#endif
