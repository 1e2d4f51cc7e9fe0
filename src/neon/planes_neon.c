/* planes_neon.c - version 2 byte planes with Advanced SIMD: the structure loads and stores
 * (vld2/vld4, vst2/vst4) are the byte transposes, 16 elements a step; tails go to scalar. */
#include <arm_neon.h>

#include "kernels/histogram_count.h"
#include "neon/kernels_neon.h"
#include "scalar/kernels_scalar.h"

#include <string.h>

void emz_fp16_planes_split_neon(const uint8_t *src, size_t m, uint8_t *const out[6],
                                uint32_t *hist) {
    uint32_t tables[4][256];
    memset(tables, 0, sizeof tables);
    uint8_t *lo = out[0], *hi = out[1], *exps = out[2], *top = out[3];
    const uint8x16_t m5 = vdupq_n_u8(0x1F), m3 = vdupq_n_u8(3), b2 = vdupq_n_u8(4);
    size_t j = 0, counted = 0;
    for (; j + 16 <= m; j += 16) {
        uint8x16x2_t v = vld2q_u8(src + 2 * j);
        vst1q_u8(lo + j, v.val[0]);
        vst1q_u8(hi + j, v.val[1]);
        vst1q_u8(exps + j, vandq_u8(vshrq_n_u8(v.val[1], 2), m5));
        /* bit 2 = sign (bit 7 >> 5), bits 1..0 = mantissa bits 9..8 */
        vst1q_u8(top + j, vorrq_u8(vandq_u8(vshrq_n_u8(v.val[1], 5), b2), vandq_u8(v.val[1], m3)));
        if (j + 16 - counted >= EMZ_HIST_PLANE_BLOCK) {
            emz_hist_count4(hi + counted, j + 16 - counted, tables);
            counted = j + 16;
        }
    }
    emz_hist_count4(hi + counted, j - counted, tables);
    uint8_t *const rest[6] = {lo + j, hi + j, exps + j, top + j};
    emz_fp16_planes_split_scalar(src + 2 * j, m - j, rest, hist);
    emz_hist_add_tables((const uint32_t *)tables, 256, hist);
}

void emz_fp32_planes_split_neon(const uint8_t *src, size_t m, uint8_t *const out[6],
                                uint32_t *hist) {
    uint32_t tables[4][512];
    memset(tables, 0, sizeof tables);
    const uint8x16_t low7 = vdupq_n_u8(0x7F);
    size_t j = 0, counted = 0;
    for (; j + 16 <= m; j += 16) {
        uint8x16x4_t v = vld4q_u8(src + 4 * j);
        for (unsigned k = 0; k < 4; k++)
            vst1q_u8(out[k] + j, v.val[k]);
        vst1q_u8(out[4] + j, vsraq_n_u8(vshlq_n_u8(v.val[3], 1), v.val[2], 7));
        vst1q_u8(out[5] + j, vbslq_u8(low7, v.val[2], v.val[3]));
        if (j + 16 - counted >= EMZ_HIST_PLANE_BLOCK) {
            emz_hist_count_sign_b2(out[2] + counted, out[3] + counted, j + 16 - counted, tables);
            counted = j + 16;
        }
    }
    emz_hist_count_sign_b2(out[2] + counted, out[3] + counted, j - counted, tables);
    uint8_t *const rest[6] = {out[0] + j, out[1] + j, out[2] + j,
                              out[3] + j, out[4] + j, out[5] + j};
    emz_fp32_planes_split_scalar(src + 4 * j, m - j, rest, hist);
    emz_hist_add_tables((const uint32_t *)tables, 512, hist);
}

void emz_bytes2_merge_neon(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    size_t j = 0;
    for (; j + 16 <= m; j += 16) {
        uint8x16x2_t v = {{vld1q_u8(in[0] + j), vld1q_u8(in[1] + j)}};
        vst2q_u8(dst + 2 * j, v);
    }
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j};
    emz_bytes2_merge_scalar(rest, m - j, dst + 2 * j);
}

void emz_bytes4_merge_neon(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    size_t j = 0;
    for (; j + 16 <= m; j += 16) {
        uint8x16x4_t v = {
            {vld1q_u8(in[0] + j), vld1q_u8(in[1] + j), vld1q_u8(in[2] + j), vld1q_u8(in[3] + j)}};
        vst4q_u8(dst + 4 * j, v);
    }
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j, in[2] + j, in[3] + j};
    emz_bytes4_merge_scalar(rest, m - j, dst + 4 * j);
}

void emz_fp16_planes_merge_neon(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    const uint8x16_t m3 = vdupq_n_u8(3), sign = vdupq_n_u8(0x80);
    size_t j = 0;
    for (; j + 16 <= m; j += 16) {
        uint8x16_t e = vld1q_u8(in[0] + j), t = vld1q_u8(in[2] + j);
        /* (t & 4) << 5 | e << 2 | (t & 3) */
        uint8x16_t hi = vorrq_u8(vandq_u8(vshlq_n_u8(t, 5), sign), vandq_u8(t, m3));
        uint8x16x2_t v = {{vld1q_u8(in[1] + j), vorrq_u8(hi, vshlq_n_u8(e, 2))}};
        vst2q_u8(dst + 2 * j, v);
    }
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j, in[2] + j};
    emz_fp16_planes_merge_scalar(rest, m - j, dst + 2 * j);
}

void emz_fp32_planes_merge_neon(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    const uint8x16_t low7 = vdupq_n_u8(0x7F);
    size_t j = 0;
    for (; j + 16 <= m; j += 16) {
        uint8x16_t e = vld1q_u8(in[0] + j), t = vld1q_u8(in[3] + j);
        uint8x16x4_t v = {{vld1q_u8(in[1] + j), vld1q_u8(in[2] + j),
                           vbslq_u8(low7, t, vshlq_n_u8(e, 7)),   /* (e & 1) << 7 | (t & 0x7F) */
                           vbslq_u8(low7, vshrq_n_u8(e, 1), t)}}; /* (t & 0x80) | e >> 1 */
        vst4q_u8(dst + 4 * j, v);
    }
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j, in[2] + j, in[3] + j};
    emz_fp32_planes_merge_scalar(rest, m - j, dst + 4 * j);
}
