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

void emz_fp32_top_hists(const uint32_t sign_b2[512], uint32_t b2_hist[256],
                        uint32_t top_hist[256]) {
    memset(b2_hist, 0, 256 * sizeof *b2_hist);
    memset(top_hist, 0, 256 * sizeof *top_hist);
    for (unsigned v = 0; v < 512; v++) {
        b2_hist[v & 0xFF] += sign_b2[v];
        top_hist[(v >> 1 & 0x80) | (v & 0x7F)] += sign_b2[v];
    }
}
