/* planes_scalar.c - reference version 2 byte planes: BYTES planes of 2- and 4-byte elements and
 * the FP16 / FP32 sign+mantissa planes (kernels/kernels.h, FORMAT.md "Chunk payload"). */
#include "kernels/histogram_count.h"
#include "kernels/kernels.h"
#include "scalar/kernels_scalar.h"

#include <string.h>

/* FP16 high byte: sign (bit 7), exponent (bits 6..2), mantissa bits 9..8 (bits 1..0). */
void emz_fp16_planes_split_scalar(const uint8_t *src, size_t m, uint8_t *const out[6],
                                  uint32_t *hist) {
    uint8_t *restrict lo = out[0], *restrict hi = out[1], *restrict exps = out[2],
                      *restrict top = out[3];
    for (size_t j = 0; j < m; j++) {
        uint8_t b = src[2 * j + 1];
        lo[j] = src[2 * j];
        hi[j] = b;
        exps[j] = (uint8_t)(b >> 2 & 0x1F);
        top[j] = (uint8_t)((b >> 5 & 4) | (b & 3));
    }
    uint32_t tables[4][256];
    memset(tables, 0, sizeof tables);
    emz_hist_count4(hi, m, tables);
    emz_hist_add_tables((const uint32_t *)tables, 256, hist);
}

/* FP32 bytes 2 and 3: byte 3 = sign, exponent bits 7..1; byte 2 = exponent bit 0, mantissa
 * bits 22..16. restrict parameters, so that the compiler vectorizes the loop without
 * run-time alias checks for its six outputs. */
static void fp32_planes(const uint8_t *restrict src, size_t m, uint8_t *restrict b0,
                        uint8_t *restrict b1, uint8_t *restrict b2, uint8_t *restrict b3,
                        uint8_t *restrict exps, uint8_t *restrict top) {
    for (size_t j = 0; j < m; j++) {
        uint8_t x2 = src[4 * j + 2], x3 = src[4 * j + 3];
        b0[j] = src[4 * j];
        b1[j] = src[4 * j + 1];
        b2[j] = x2;
        b3[j] = x3;
        exps[j] = (uint8_t)(x3 << 1 | x2 >> 7);
        top[j] = (uint8_t)((x3 & 0x80) | (x2 & 0x7F));
    }
}

void emz_fp32_planes_split_scalar(const uint8_t *src, size_t m, uint8_t *const out[6],
                                  uint32_t *hist) {
    fp32_planes(src, m, out[0], out[1], out[2], out[3], out[4], out[5]);
    uint32_t tables[4][512];
    memset(tables, 0, sizeof tables);
    emz_hist_count_sign_b2(out[2], out[3], m, tables);
    emz_hist_add_tables((const uint32_t *)tables, 512, hist);
}

void emz_bytes2_merge_scalar(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    const uint8_t *p0 = in[0], *p1 = in[1];
    for (size_t j = 0; j < m; j++) {
        dst[2 * j] = p0[j];
        dst[2 * j + 1] = p1[j];
    }
}

void emz_bytes4_merge_scalar(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    const uint8_t *p0 = in[0], *p1 = in[1], *p2 = in[2], *p3 = in[3];
    for (size_t j = 0; j < m; j++) {
        dst[4 * j] = p0[j];
        dst[4 * j + 1] = p1[j];
        dst[4 * j + 2] = p2[j];
        dst[4 * j + 3] = p3[j];
    }
}

void emz_fp16_planes_merge_scalar(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    const uint8_t *exps = in[0], *lo = in[1], *top = in[2];
    for (size_t j = 0; j < m; j++) {
        dst[2 * j] = lo[j];
        dst[2 * j + 1] = (uint8_t)((top[j] & 4) << 5 | exps[j] << 2 | (top[j] & 3));
    }
}

void emz_fp32_planes_merge_scalar(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    const uint8_t *exps = in[0], *lo0 = in[1], *lo1 = in[2], *top = in[3];
    for (size_t j = 0; j < m; j++) {
        dst[4 * j] = lo0[j];
        dst[4 * j + 1] = lo1[j];
        dst[4 * j + 2] = (uint8_t)((exps[j] & 1) << 7 | (top[j] & 0x7F));
        dst[4 * j + 3] = (uint8_t)((top[j] & 0x80) | exps[j] >> 1);
    }
}
