/* kernels_avx512.c - the AVX-512 kernel table. */
#include "avx512/kernels_avx512.h"
#include "avx2/kernels_avx2.h"

const emz_kernels emz_kernels_avx512 = {
    .name = "avx512",
    .split =
        {
            [EMZ_TYPE_BF16] = emz_split_bf16_avx512,
            [EMZ_TYPE_FP16] = emz_split_fp16_avx512,
            [EMZ_TYPE_FP32] = emz_split_fp32_avx512,
            [EMZ_TYPE_FP8_E4M3] = emz_split_e4m3_avx512,
            [EMZ_TYPE_FP8_E5M2] = emz_split_e5m2_avx512,
            [EMZ_TYPE_FP4_E2M1] = emz_split_fp4_avx512,
        },
    .merge =
        {
            [EMZ_TYPE_BF16] = emz_merge_bf16_avx512,
            [EMZ_TYPE_FP16] = emz_merge_fp16_avx512,
            [EMZ_TYPE_FP32] = emz_merge_fp32_avx512,
            [EMZ_TYPE_FP8_E4M3] = emz_merge_e4m3_avx512,
            [EMZ_TYPE_FP8_E5M2] = emz_merge_e5m2_avx512,
            [EMZ_TYPE_FP4_E2M1] = emz_merge_fp4_avx512,
        },
    .pack_bits = emz_pack_bits_avx512,
    .unpack_bits = emz_unpack_bits_avx512,
    .histogram = emz_histogram_avx512,     /* compare-count of the commonest values */
    .huff_encode = emz_huff_encode_avx512, /* VBMI code lookup and joins */
    .huff_decode = emz_huff_decode_avx2,   /* the AVX2 folder's: BMI2 and assembly */
    .huff_multi16_ps_per_bit = EMZ_HUFF_AVX2_MULTI16_PS_PER_BIT,
    .checksum32 = emz_checksum32_avx512,
    .fp16_planes_split = emz_fp16_planes_split_avx512,
    .fp32_planes_split = emz_fp32_planes_split_avx512,
    .bytes2_merge = emz_bytes2_merge_avx512,
    .bytes4_merge = emz_bytes4_merge_avx512,
    .fp16_planes_merge = emz_fp16_planes_merge_avx512,
    .fp32_planes_merge = emz_fp32_planes_merge_avx512,
    .channel_shift = emz_channel_shift_avx512,
    .delta = emz_delta_avx512,
    .low_join = emz_low_join_avx512,
    .permute_rows = emz_permute_rows_avx512,
};
