/* kernels_neon.h - the AArch64 Advanced SIMD kernels (baseline on AArch64: no extra compiler
 * flags). */
#ifndef EMZ_KERNELS_NEON_H
#define EMZ_KERNELS_NEON_H

#include "kernels/kernels.h"

emz_split_kernel emz_split_bf16_neon, emz_split_fp16_neon, emz_split_fp32_neon, emz_split_e4m3_neon,
    emz_split_e5m2_neon, emz_split_fp4_neon;
emz_merge_kernel emz_merge_bf16_neon, emz_merge_fp16_neon, emz_merge_fp32_neon, emz_merge_e4m3_neon,
    emz_merge_e5m2_neon, emz_merge_fp4_neon;
emz_pack_kernel emz_pack_bits_neon;
emz_unpack_kernel emz_unpack_bits_neon;
emz_checksum_kernel emz_checksum32_neon;
emz_channel_shift_kernel emz_channel_shift_neon;
emz_delta_kernel emz_delta_neon;
emz_low_join_kernel emz_low_join_neon;

emz_planes_split_kernel emz_fp16_planes_split_neon, emz_fp32_planes_split_neon;
emz_planes_merge_kernel emz_bytes2_merge_neon, emz_bytes4_merge_neon, emz_fp16_planes_merge_neon,
    emz_fp32_planes_merge_neon;

#endif
