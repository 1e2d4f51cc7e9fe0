/* histogram_scalar.c - byte histograms, the reference the compare-count SIMD kernels match. */
#include "kernels/histogram_count.h"
#include "scalar/kernels_scalar.h"

#include <string.h>

/* Four sub-histograms: runs of equal bytes would otherwise serialize on one counter. */
void emz_histogram_scalar(const uint8_t *data, size_t n, uint32_t hist[256]) {
    uint32_t h[4][256];
    memset(h, 0, sizeof h);
    emz_hist_count4(data, n, h);
    for (unsigned s = 0; s < 256; s++)
        hist[s] = h[0][s] + h[1][s] + h[2][s] + h[3][s];
}
