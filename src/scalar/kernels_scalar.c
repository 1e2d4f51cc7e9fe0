/* kernels_scalar.c - the scalar kernel table: the reference every other ISA is tested against. */
#include "scalar/kernels_scalar.h"
#include "common/checksum.h"

const emz_kernels emz_kernels_scalar = {
    .name = "scalar",
    .split =
        {
            [EMZ_TYPE_BF16] = emz_split_bf16_scalar,
            [EMZ_TYPE_FP16] = emz_split_fp16_scalar,
            [EMZ_TYPE_FP32] = emz_split_fp32_scalar,
            [EMZ_TYPE_FP8_E4M3] = emz_split_e4m3_scalar,
            [EMZ_TYPE_FP8_E5M2] = emz_split_e5m2_scalar,
            [EMZ_TYPE_FP4_E2M1] = emz_split_fp4_scalar,
        },
    .merge =
        {
            [EMZ_TYPE_BF16] = emz_merge_bf16_scalar,
            [EMZ_TYPE_FP16] = emz_merge_fp16_scalar,
            [EMZ_TYPE_FP32] = emz_merge_fp32_scalar,
            [EMZ_TYPE_FP8_E4M3] = emz_merge_e4m3_scalar,
            [EMZ_TYPE_FP8_E5M2] = emz_merge_e5m2_scalar,
            [EMZ_TYPE_FP4_E2M1] = emz_merge_fp4_scalar,
        },
    .pack_bits = emz_pack_bits_scalar,
    .unpack_bits = emz_unpack_bits_scalar,
    .histogram = emz_histogram_scalar,
    .huff_encode = emz_huff_encode_scalar,
    .huff_decode = emz_huff_decode_scalar,
    .huff_multi16_ps_per_bit = EMZ_HUFF_MULTI_PS_PER_BIT,
    .checksum32 = emz_checksum32,
    .fp16_planes_split = emz_fp16_planes_split_scalar,
    .fp32_planes_split = emz_fp32_planes_split_scalar,
    .bytes2_merge = emz_bytes2_merge_scalar,
    .bytes4_merge = emz_bytes4_merge_scalar,
    .fp16_planes_merge = emz_fp16_planes_merge_scalar,
    .fp32_planes_merge = emz_fp32_planes_merge_scalar,
    .channel_shift = emz_channel_shift_scalar,
    .delta = emz_delta_scalar,
    .low_join = emz_low_join_scalar,
    .permute_rows = emz_permute_rows_scalar,
};
