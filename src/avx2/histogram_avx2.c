/* histogram_avx2.c - byte histograms for skewed data: exponent streams, where a handful of
 * values make up nearly every byte.
 *
 * A scalar histogram does a load-increment-store per byte, about one byte a cycle here. This
 * kernel counts the eight most frequent values of a sample with byte compares into vector
 * counters (three instructions per value per 32 bytes) and hands only the other bytes to the
 * scalar counters. The result is exact whatever the sample says; the sample only decides
 * whether the fast path pays: when the candidates cover less than 7/8 of it, the data is
 * counted the scalar way. */
#include <immintrin.h>

#include "avx2/kernels_avx2.h"
#include "common/common.h"
#include "kernels/histogram_count.h"
#include "scalar/kernels_scalar.h"

void emz_histogram_avx2(const uint8_t *data, size_t n, uint32_t hist[256]) {
    uint8_t cand[EMZ_HIST_CANDIDATES];
    if (!emz_hist_pick(data, n, 7, cand, hist)) return; /* counted the scalar way */
    __m256i value[EMZ_HIST_CANDIDATES], count[EMZ_HIST_CANDIDATES];
    uint64_t total[EMZ_HIST_CANDIDATES] = {0};
    for (unsigned k = 0; k < EMZ_HIST_CANDIDATES; k++)
        value[k] = _mm256_set1_epi8((char)cand[k]);
    uint32_t rest[4][256];
    memset(rest, 0, sizeof rest);
    size_t i = 0;
    while (n - i >= 32) {
        /* Byte counters hold up to 255: flush them every 255 blocks. */
        size_t blocks = (n - i) / 32;
        if (blocks > 255) blocks = 255;
        for (unsigned k = 0; k < EMZ_HIST_CANDIDATES; k++)
            count[k] = _mm256_setzero_si256();
        for (size_t b = 0; b < blocks; b++, i += 32) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(data + i));
            __m256i hit = _mm256_setzero_si256();
            for (unsigned k = 0; k < EMZ_HIST_CANDIDATES; k++) {
                __m256i m = _mm256_cmpeq_epi8(x, value[k]); /* 0xFF = -1 where equal */
                count[k] = _mm256_sub_epi8(count[k], m);
                hit = _mm256_or_si256(hit, m);
            }
            /* The rest one by one, four counter tables against runs of equal values. */
            uint32_t other = ~(uint32_t)_mm256_movemask_epi8(hit);
            for (unsigned t = 0; other; other &= other - 1, t = (t + 1) & 3)
                rest[t][data[i + (size_t)_tzcnt_u32(other)]]++;
        }
        for (unsigned k = 0; k < EMZ_HIST_CANDIDATES; k++) {
            __m256i sums = _mm256_sad_epu8(count[k], _mm256_setzero_si256());
            total[k] +=
                (uint64_t)_mm256_extract_epi64(sums, 0) + (uint64_t)_mm256_extract_epi64(sums, 1) +
                (uint64_t)_mm256_extract_epi64(sums, 2) + (uint64_t)_mm256_extract_epi64(sums, 3);
        }
    }
    emz_hist_finish(data, i, n, rest, cand, total, hist);
}
