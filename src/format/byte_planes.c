/* byte_planes.c - BYTES planes and FP16/FP32 sign+mantissa planes (see byte_planes.h). */
#include "format/byte_planes.h"

#include <string.h>

void emz_planes_split(const uint8_t *src, size_t m, unsigned B, uint8_t *const plane[4]) {
    if (B == 2) {
        uint8_t *restrict p0 = plane[0], *restrict p1 = plane[1];
        for (size_t j = 0; j < m; j++)
            p0[j] = src[2 * j], p1[j] = src[2 * j + 1];
        return;
    }
    uint8_t *restrict p0 = plane[0], *restrict p1 = plane[1], *restrict p2 = plane[2],
                      *restrict p3 = plane[3];
    for (size_t j = 0; j < m; j++)
        p0[j] = src[4 * j], p1[j] = src[4 * j + 1], p2[j] = src[4 * j + 2], p3[j] = src[4 * j + 3];
}

void emz_planes_merge(const uint8_t *const plane[4], size_t m, unsigned B, uint8_t *dst) {
    if (B == 2) {
        const uint8_t *p0 = plane[0], *p1 = plane[1];
        for (size_t j = 0; j < m; j++)
            dst[2 * j] = p0[j], dst[2 * j + 1] = p1[j];
        return;
    }
    const uint8_t *p0 = plane[0], *p1 = plane[1], *p2 = plane[2], *p3 = plane[3];
    for (size_t j = 0; j < m; j++)
        dst[4 * j] = p0[j], dst[4 * j + 1] = p1[j], dst[4 * j + 2] = p2[j], dst[4 * j + 3] = p3[j];
}

/* FP16 high byte: sign (bit 7), exponent (bits 6..2), mantissa bits 9..8 (bits 1..0). */
void emz_fp16_high_split(const uint8_t *hi, size_t m, uint8_t *restrict exps,
                         uint8_t *restrict top) {
    for (size_t j = 0; j < m; j++) {
        uint8_t b = hi[j];
        exps[j] = (uint8_t)(b >> 2 & 0x1F);
        top[j] = (uint8_t)((b >> 5 & 4) | (b & 3));
    }
}

/* FP32 bytes 2 and 3: byte 3 = sign, exponent bits 7..1; byte 2 = exponent bit 0, mantissa
 * bits 22..16. */
void emz_fp32_high_split(const uint8_t *b2, const uint8_t *b3, size_t m, uint8_t *restrict exps,
                         uint8_t *restrict top) {
    for (size_t j = 0; j < m; j++) {
        exps[j] = (uint8_t)((b3[j] << 1) | (b2[j] >> 7));
        top[j] = (uint8_t)((b3[j] & 0x80) | (b2[j] & 0x7F));
    }
}

void emz_fp16_planes_merge(const uint8_t *exps, const uint8_t *low, const uint8_t *top, size_t m,
                           uint8_t *dst) {
    for (size_t j = 0; j < m; j++) {
        dst[2 * j] = low[j];
        dst[2 * j + 1] = (uint8_t)((top[j] & 4) << 5 | exps[j] << 2 | (top[j] & 3));
    }
}

void emz_fp32_planes_merge(const uint8_t *exps, const uint8_t *low0, const uint8_t *low1,
                           const uint8_t *top, size_t m, uint8_t *dst) {
    for (size_t j = 0; j < m; j++) {
        dst[4 * j] = low0[j];
        dst[4 * j + 1] = low1[j];
        dst[4 * j + 2] = (uint8_t)((exps[j] & 1) << 7 | (top[j] & 0x7F));
        dst[4 * j + 3] = (uint8_t)((top[j] & 0x80) | exps[j] >> 1);
    }
}

void emz_fp16_high_hists(const uint32_t hi_hist[256], uint32_t exp_hist[256],
                         uint32_t top_hist[256]) {
    memset(exp_hist, 0, 256 * sizeof *exp_hist);
    memset(top_hist, 0, 256 * sizeof *top_hist);
    for (unsigned b = 0; b < 256; b++) {
        exp_hist[b >> 2 & 0x1F] += hi_hist[b];
        top_hist[(b >> 5 & 4) | (b & 3)] += hi_hist[b];
    }
}
