/* kernels_scalar.h - the scalar kernels: the reference table, and the tails of the SIMD
 * kernels, which hand their last elements to these so that the tail logic exists once. */
#ifndef EMZ_KERNELS_SCALAR_H
#define EMZ_KERNELS_SCALAR_H

#include "kernels/kernels.h"

emz_split_kernel emz_split_bf16_scalar, emz_split_fp16_scalar, emz_split_fp32_scalar,
    emz_split_e4m3_scalar, emz_split_e5m2_scalar, emz_split_fp4_scalar;
emz_merge_kernel emz_merge_bf16_scalar, emz_merge_fp16_scalar, emz_merge_fp32_scalar,
    emz_merge_e4m3_scalar, emz_merge_e5m2_scalar, emz_merge_fp4_scalar;
emz_pack_kernel emz_pack_bits_scalar;
emz_unpack_kernel emz_unpack_bits_scalar;
emz_histogram_kernel emz_histogram_scalar;
emz_huff_encode_kernel emz_huff_encode_scalar;
emz_huff_decode_kernel emz_huff_decode_scalar;

emz_channel_shift_kernel emz_channel_shift_scalar;
emz_delta_kernel emz_delta_scalar;
emz_low_join_kernel emz_low_join_scalar;
emz_permute_rows_kernel emz_permute_rows_scalar;
/* One run of consecutive channels (kernels/channel_shift_rows.h): the SIMD kernels' tails. */
void emz_channel_shift_segment_scalar(const uint8_t *src, uint8_t *dst, size_t count,
                                      unsigned bytes, const uint8_t *shift, const uint8_t *flip,
                                      uint32_t field, bool inverse);

emz_planes_split_kernel emz_fp16_planes_split_scalar, emz_fp32_planes_split_scalar;
emz_planes_merge_kernel emz_bytes2_merge_scalar, emz_bytes4_merge_scalar,
    emz_fp16_planes_merge_scalar, emz_fp32_planes_merge_scalar;

#endif
