/* histogram_avx512.c - byte histograms for skewed data: exponent streams, where a handful of
 * values make up nearly every byte.
 *
 * A scalar histogram does a load-increment-store per byte, about one byte a cycle here. This
 * kernel counts the eight most frequent values of a sample with byte compares into vector
 * counters (two instructions per value per 64 bytes) and hands only the other bytes to the
 * scalar counters. The result is exact whatever the sample says; the sample only decides
 * whether the fast path pays: when the candidates cover less than half of it, the data is
 * counted the scalar way. */
#include <immintrin.h>

#include "avx512/kernels_avx512.h"
#include "common/common.h"
#include "kernels/histogram_count.h"
#include "scalar/kernels_scalar.h"

enum { REST_BUFFER = 4096 };

void emz_histogram_avx512(const uint8_t *data, size_t n, uint32_t hist[256]) {
    uint8_t cand[EMZ_HIST_CANDIDATES];
    if (!emz_hist_pick(data, n, 4, cand, hist)) return; /* counted the scalar way */
    __m512i value[EMZ_HIST_CANDIDATES], count[EMZ_HIST_CANDIDATES];
    uint64_t total[EMZ_HIST_CANDIDATES] = {0};
    for (unsigned k = 0; k < EMZ_HIST_CANDIDATES; k++)
        value[k] = _mm512_set1_epi8((char)cand[k]);
    uint32_t rest[4][256];
    memset(rest, 0, sizeof rest);
    /* The other bytes are packed (vpcompressb) into a buffer and counted in bulk: counting
     * them where they are found needed a loop of varying length per block, whose branch
     * mispredictions cost more than the compares. */
    uint8_t pending[REST_BUFFER + 64];
    size_t held = 0;
    size_t i = 0;
    while (n - i >= 64) {
        /* Byte counters hold up to 255: flush them every 255 blocks. */
        size_t blocks = (n - i) / 64;
        if (blocks > 255) blocks = 255;
        for (unsigned k = 0; k < EMZ_HIST_CANDIDATES; k++)
            count[k] = _mm512_setzero_si512();
        for (size_t b = 0; b < blocks; b++, i += 64) {
            __m512i x = _mm512_loadu_si512((const void *)(data + i));
            __mmask64 hit = 0;
            for (unsigned k = 0; k < EMZ_HIST_CANDIDATES; k++) {
                __mmask64 m = _mm512_cmpeq_epi8_mask(x, value[k]);
                count[k] = _mm512_mask_sub_epi8(count[k], m, count[k], _mm512_set1_epi8(-1));
                hit |= m;
            }
            _mm512_storeu_si512((void *)(pending + held), _mm512_maskz_compress_epi8(~hit, x));
            held += (size_t)_mm_popcnt_u64(~hit);
            if (held >= REST_BUFFER) emz_hist_count4(pending, held, rest), held = 0;
        }
        for (unsigned k = 0; k < EMZ_HIST_CANDIDATES; k++) {
            __m512i sums = _mm512_sad_epu8(count[k], _mm512_setzero_si512());
            total[k] += (uint64_t)_mm512_reduce_add_epi64(sums);
        }
    }
    emz_hist_count4(pending, held, rest);
    emz_hist_finish(data, i, n, rest, cand, total, hist);
}
