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

/* sb = sign << 8 | b2 (FP32 byte 3's bit 7, byte 2), counted into four tables so that runs of
 * equal values alternate counters rather than wait on one another's stores; small chunks use
 * one table, whose clearing costs less than the counting. */
void emz_fp32_top_hists(const uint8_t *b2, const uint8_t *b3, size_t m, uint32_t b2_hist[256],
                        uint32_t top_hist[256]) {
    uint32_t sb[4][512];
    const unsigned tables = m < 8192 ? 1 : 4;
    memset(sb, 0, tables * sizeof sb[0]);
    size_t j = 0;
    for (; tables == 4 && j + 4 <= m; j += 4) {
        sb[0][(b3[j] & 0x80u) << 1 | b2[j]]++;
        sb[1][(b3[j + 1] & 0x80u) << 1 | b2[j + 1]]++;
        sb[2][(b3[j + 2] & 0x80u) << 1 | b2[j + 2]]++;
        sb[3][(b3[j + 3] & 0x80u) << 1 | b2[j + 3]]++;
    }
    for (; j < m; j++)
        sb[0][(b3[j] & 0x80u) << 1 | b2[j]]++;
    memset(b2_hist, 0, 256 * sizeof *b2_hist);
    memset(top_hist, 0, 256 * sizeof *top_hist);
    for (unsigned v = 0; v < 512; v++) {
        uint32_t b = sb[0][v];
        for (unsigned t = 1; t < tables; t++)
            b += sb[t][v];
        b2_hist[v & 0xFF] += b;
        top_hist[(v >> 1 & 0x80) | (v & 0x7F)] += b;
    }
}
