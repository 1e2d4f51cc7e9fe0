/* kernels_avx2.c - the AVX2 kernel table. */
#include "avx2/kernels_avx2.h"
#include "scalar/kernels_scalar.h"

const emz_kernels emz_kernels_avx2 = {
    .name = "avx2",
    .split =
        {
            [EMZ_TYPE_BF16] = emz_split_bf16_avx2,
            [EMZ_TYPE_FP16] = emz_split_fp16_avx2,
            [EMZ_TYPE_FP32] = emz_split_fp32_avx2,
            [EMZ_TYPE_FP8_E4M3] = emz_split_e4m3_avx2,
            [EMZ_TYPE_FP8_E5M2] = emz_split_e5m2_avx2,
            [EMZ_TYPE_FP4_E2M1] = emz_split_fp4_avx2,
        },
    .merge =
        {
            [EMZ_TYPE_BF16] = emz_merge_bf16_avx2,
            [EMZ_TYPE_FP16] = emz_merge_fp16_avx2,
            [EMZ_TYPE_FP32] = emz_merge_fp32_avx2,
            [EMZ_TYPE_FP8_E4M3] = emz_merge_e4m3_avx2,
            [EMZ_TYPE_FP8_E5M2] = emz_merge_e5m2_avx2,
            [EMZ_TYPE_FP4_E2M1] = emz_merge_fp4_avx2,
        },
    .pack_bits = emz_pack_bits_avx2,
    .unpack_bits = emz_unpack_bits_avx2,
    .histogram = emz_histogram_avx2,     /* compare-count of the commonest values */
    .huff_encode = emz_huff_encode_avx2, /* the shared lane coder, BMI2 build */
    .huff_decode = emz_huff_decode_avx2,
    .huff_multi16_ps_per_bit = EMZ_HUFF_AVX2_MULTI16_PS_PER_BIT,
    .checksum32 = emz_checksum32_avx2,
    .fp16_planes_split = emz_fp16_planes_split_avx2,
    .fp32_planes_split = emz_fp32_planes_split_avx2,
    .bytes2_merge = emz_bytes2_merge_avx2,
    .bytes4_merge = emz_bytes4_merge_avx2,
    .fp16_planes_merge = emz_fp16_planes_merge_avx2,
    .fp32_planes_merge = emz_fp32_planes_merge_avx2,
    .channel_shift = emz_channel_shift_avx2,
    .delta = emz_delta_avx2,
    .low_join = emz_low_join_avx2,
    .permute_rows = emz_permute_rows_scalar, /* no lookup as wide as a row's pairs: the reference */
};
