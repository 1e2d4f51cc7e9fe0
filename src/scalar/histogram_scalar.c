/* histogram_scalar.c - byte histograms, the reference the compare-count SIMD kernels match. */
#include "kernels/histogram_count.h"
#include "scalar/kernels_scalar.h"

void emz_histogram_scalar(const uint8_t *data, size_t n, uint32_t hist[256]) {
    emz_hist_count(data, n, hist);
}
