/* kernels_neon.c - the AArch64 NEON kernel table. Entries marked "scalar" are not specialized
 * for NEON yet and run the reference code; they produce identical results by construction.
 * The NEON kernels match scalar for the inputs the table's contract allows: any element bits
 * and any sign+mantissa bytes, exponent symbols below 2^E and packed symbols below 2^width
 * (what split produces and every decoder path delivers). */
#include "neon/kernels_neon.h"
#include "scalar/kernels_scalar.h"

const emz_kernels emz_kernels_neon = {
    .name = "neon",
    .split =
        {
            [EMZ_TYPE_BF16] = emz_split_bf16_neon,
            [EMZ_TYPE_FP16] = emz_split_fp16_neon,
            [EMZ_TYPE_FP32] = emz_split_fp32_neon,
            [EMZ_TYPE_FP8_E4M3] = emz_split_e4m3_neon,
            [EMZ_TYPE_FP8_E5M2] = emz_split_e5m2_neon,
            [EMZ_TYPE_FP4_E2M1] = emz_split_fp4_neon,
        },
    .merge =
        {
            [EMZ_TYPE_BF16] = emz_merge_bf16_neon,
            [EMZ_TYPE_FP16] = emz_merge_fp16_neon,
            [EMZ_TYPE_FP32] = emz_merge_fp32_neon,
            [EMZ_TYPE_FP8_E4M3] = emz_merge_e4m3_neon,
            [EMZ_TYPE_FP8_E5M2] = emz_merge_e5m2_neon,
            [EMZ_TYPE_FP4_E2M1] = emz_merge_fp4_neon,
        },
    .pack_bits = emz_pack_bits_neon,
    .unpack_bits = emz_unpack_bits_neon,
    .histogram = emz_histogram_scalar,     /* scalar */
    .huff_encode = emz_huff_encode_scalar, /* scalar */
    .huff_decode = emz_huff_decode_scalar, /* scalar */
    .huff_multi16_ps_per_bit = EMZ_HUFF_MULTI_PS_PER_BIT,
    .checksum32 = emz_checksum32_neon,
    .fp16_planes_split = emz_fp16_planes_split_neon,
    .fp32_planes_split = emz_fp32_planes_split_neon,
    .bytes2_merge = emz_bytes2_merge_neon,
    .bytes4_merge = emz_bytes4_merge_neon,
    .fp16_planes_merge = emz_fp16_planes_merge_neon,
    .fp32_planes_merge = emz_fp32_planes_merge_neon,
    .channel_shift = emz_channel_shift_neon,
    .delta = emz_delta_neon,
    .low_join = emz_low_join_neon,
    .permute_rows = emz_permute_rows_scalar, /* no lookup as wide as a row's pairs: the reference */
};
