/* histogram_count.h - what the byte histograms share: the four-table counter (the scalar
 * kernel, and the SIMD ones for the bytes they do not count with vector compares) and which
 * values the compare-count kernels count, chosen from a sample. ISA-independent static
 * functions, included by each folder's kernel (compiled with that folder's flags). */
#ifndef EMZ_HISTOGRAM_COUNT_H
#define EMZ_HISTOGRAM_COUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { EMZ_HIST_CANDIDATES = 8, EMZ_HIST_SAMPLE = 2048, EMZ_HIST_MIN_SIZE = 8192 };
enum { EMZ_HIST_PLANE_BLOCK = 2048 };

/* The EMZ_HIST_CANDIDATES most frequent values of a sample of n >= EMZ_HIST_MIN_SIZE bytes
 * (EMZ_HIST_SAMPLE bytes in eight pieces spread over the data), distinct (ties and unseen
 * values: the smaller value first). Returns how many sample bytes they cover. */
static inline uint32_t emz_hist_candidates(const uint8_t *data, size_t n,
                                           uint8_t out[EMZ_HIST_CANDIDATES]) {
    uint32_t sample[256] = {0};
    for (unsigned piece = 0; piece < 8; piece++) {
        const uint8_t *p = data + (n - EMZ_HIST_SAMPLE / 8) / 7 * piece;
        for (unsigned i = 0; i < EMZ_HIST_SAMPLE / 8; i++)
            sample[p[i]]++;
    }
    uint32_t covered = 0;
    bool taken[256] = {false};
    for (unsigned k = 0; k < EMZ_HIST_CANDIDATES; k++) {
        int best = -1;
        for (int v = 0; v < 256; v++)
            if (!taken[v] && (best < 0 || sample[v] > sample[best])) best = v;
        taken[best] = true;
        out[k] = (uint8_t)best;
        covered += sample[best];
    }
    return covered;
}

/* Adds the n bytes at p to four counter tables (runs of equal values alternate tables). */
static inline void emz_hist_count4(const uint8_t *p, size_t n, uint32_t tables[4][256]) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        tables[0][p[i]]++;
        tables[1][p[i + 1]]++;
        tables[2][p[i + 2]]++;
        tables[3][p[i + 3]]++;
    }
    for (; i < n; i++)
        tables[0][p[i]]++;
}

/* The compare-count kernels' start: whether they pay for these n bytes (n >= EMZ_HIST_MIN_SIZE
 * and the candidates cover at least eighths/8 of the sample), the candidates in cand. When they
 * do not, the caller counts the scalar way. */
static inline bool emz_hist_pick(const uint8_t *data, size_t n, unsigned eighths,
                                 uint8_t cand[EMZ_HIST_CANDIDATES]) {
    if (n < EMZ_HIST_MIN_SIZE) return false;
    return emz_hist_candidates(data, n, cand) * 8 >= EMZ_HIST_SAMPLE * eighths;
}

/* Their end: the bytes data[i..n) after the last whole vector, the four tables of the other
 * bytes, and the candidates' totals, into hist. */
static inline void emz_hist_finish(const uint8_t *data, size_t i, size_t n, uint32_t rest[4][256],
                                   const uint8_t cand[EMZ_HIST_CANDIDATES],
                                   const uint64_t total[EMZ_HIST_CANDIDATES], uint32_t hist[256]) {
    for (; i < n; i++)
        rest[0][data[i]]++;
    for (unsigned v = 0; v < 256; v++)
        hist[v] = rest[0][v] + rest[1][v] + rest[2][v] + rest[3][v];
    for (unsigned k = 0; k < EMZ_HIST_CANDIDATES; k++)
        hist[cand[k]] += (uint32_t)total[k];
}

/* The byte planes' counts (kernels.h, emz_planes_split_kernel), four tables as above. The SIMD
 * kernels count each EMZ_HIST_PLANE_BLOCK elements once they are written: still in L1, no
 * longer in the store buffer (counting each vector's bytes straight after its store was up to
 * 1.3x slower, the loads waiting on the stores). FP32:
 * sign << 8 | byte 2 of n elements from their planes b2 and b3. */
static inline void emz_hist_count_sign_b2(const uint8_t *b2, const uint8_t *b3, size_t n,
                                          uint32_t tables[4][512]) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        tables[0][(b3[i] & 0x80u) << 1 | b2[i]]++;
        tables[1][(b3[i + 1] & 0x80u) << 1 | b2[i + 1]]++;
        tables[2][(b3[i + 2] & 0x80u) << 1 | b2[i + 2]]++;
        tables[3][(b3[i + 3] & 0x80u) << 1 | b2[i + 3]]++;
    }
    for (; i < n; i++)
        tables[0][(b3[i] & 0x80u) << 1 | b2[i]]++;
}

/* Adds the four tables of width entries to hist. */
static inline void emz_hist_add_tables(const uint32_t *tables, unsigned width, uint32_t *hist) {
    for (unsigned v = 0; v < width; v++)
        hist[v] += tables[v] + tables[width + v] + tables[2 * width + v] + tables[3 * width + v];
}

#endif
