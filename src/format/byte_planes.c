/* byte_planes.c - the histograms behind the FP16 / FP32 layout choice (see byte_planes.h). */
#include "format/byte_planes.h"

#include <string.h>

void emz_fp16_high_hists(const uint32_t hi_hist[256], uint32_t exp_hist[256],
                         uint32_t top_hist[256]) {
    memset(exp_hist, 0, 256 * sizeof *exp_hist);
    memset(top_hist, 0, 256 * sizeof *top_hist);
    for (unsigned b = 0; b < 256; b++) {
        exp_hist[b >> 2 & 0x1F] += hi_hist[b];
        top_hist[(b >> 5 & 4) | (b & 3)] += hi_hist[b];
    }
}

/* se = sign << 8 | exponent = b3 << 1 | b2 >> 7; sb = sign << 8 | b2. Two tables of each, so
 * that runs of equal values alternate counters. */
void emz_fp32_high_hists(const uint8_t *b2, const uint8_t *b3, size_t m, uint32_t b2_hist[256],
                         uint32_t b3_hist[256], uint32_t exp_hist[256], uint32_t top_hist[256]) {
    uint32_t se[2][512], sb[2][512];
    memset(se, 0, sizeof se);
    memset(sb, 0, sizeof sb);
    size_t j = 0;
    for (; j + 2 <= m; j += 2) {
        unsigned x2 = b2[j], x3 = b3[j], y2 = b2[j + 1], y3 = b3[j + 1];
        se[0][x3 << 1 | x2 >> 7]++;
        sb[0][(x3 & 0x80) << 1 | x2]++;
        se[1][y3 << 1 | y2 >> 7]++;
        sb[1][(y3 & 0x80) << 1 | y2]++;
    }
    if (j < m) {
        se[0][(unsigned)b3[j] << 1 | b2[j] >> 7]++;
        sb[0][(b3[j] & 0x80u) << 1 | b2[j]]++;
    }
    memset(b2_hist, 0, 256 * sizeof *b2_hist);
    memset(b3_hist, 0, 256 * sizeof *b3_hist);
    memset(exp_hist, 0, 256 * sizeof *exp_hist);
    memset(top_hist, 0, 256 * sizeof *top_hist);
    for (unsigned v = 0; v < 512; v++) {
        uint32_t a = se[0][v] + se[1][v], b = sb[0][v] + sb[1][v];
        b3_hist[v >> 1] += a;
        exp_hist[v & 0xFF] += a;
        b2_hist[v & 0xFF] += b;
        top_hist[(v >> 1 & 0x80) | (v & 0x7F)] += b;
    }
}
