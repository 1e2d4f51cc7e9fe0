/* histogram_count.h - what the byte histograms share: the four-table counter (the scalar
 * kernel, and the SIMD ones for the bytes they do not count with vector compares) and which
 * values the compare-count kernels count, chosen from a sample. ISA-independent static
 * functions, included by each folder's kernel (compiled with that folder's flags) and by the
 * chunk encoder, which counts its sign+mantissa samples with them. */
#ifndef EMZ_HISTOGRAM_COUNT_H
#define EMZ_HISTOGRAM_COUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { EMZ_HIST_CANDIDATES = 8, EMZ_HIST_SAMPLE = 2048, EMZ_HIST_MIN_SIZE = 8192 };
enum { EMZ_HIST_PLANE_BLOCK = 2048 };

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

/* The sums of four counter tables, plus add (or NULL), into hist. */
static inline void emz_hist_sum4(uint32_t tables[4][256], const uint32_t *add, uint32_t hist[256]) {
    for (unsigned v = 0; v < 256; v++)
        hist[v] = tables[0][v] + tables[1][v] + tables[2][v] + tables[3][v] + (add ? add[v] : 0);
}

/* The EMZ_HIST_CANDIDATES most frequent values of a sample of n >= EMZ_HIST_MIN_SIZE bytes
 * (EMZ_HIST_SAMPLE bytes in eight pieces spread over the data, emz_hist_piece), distinct (ties
 * and unseen values: the smaller value first), and the sample's counts. Returns how many sample
 * bytes they cover. */
enum { EMZ_HIST_PIECE = EMZ_HIST_SAMPLE / 8 };
static inline size_t emz_hist_piece(size_t n, unsigned piece) {
    return (n - EMZ_HIST_PIECE) / 7 * piece;
}
static inline uint32_t emz_hist_candidates(const uint8_t *data, size_t n,
                                           uint8_t out[EMZ_HIST_CANDIDATES], uint32_t sample[256]) {
    /* Four counter tables, as everywhere: the data these kernels are for (exponents) repeat a
     * few values, and one table made each increment wait for the last one of the same value
     * (a K/V page's 16 KiB of exponents took 2.8 us to count with one table, 1.8 with four). */
    uint32_t tables[4][256];
    memset(tables, 0, sizeof tables);
    for (unsigned piece = 0; piece < 8; piece++)
        emz_hist_count4(data + emz_hist_piece(n, piece), EMZ_HIST_PIECE, tables);
    emz_hist_sum4(tables, NULL, sample);
    /* One pass keeps the leaders sorted by count, then value (a later value enters only with a
     * strictly larger count). Eight passes of "the largest not yet taken" cost ~5 us a call
     * here, their branches mispredicted on flat data: as much as counting a 32 KiB K/V page's
     * sign+mantissa bytes, which such a sample then sends to the scalar count anyway. */
    uint32_t count[EMZ_HIST_CANDIDATES];
    unsigned held = 0;
    for (unsigned v = 0; v < 256; v++) {
        uint32_t c = sample[v];
        if (held == EMZ_HIST_CANDIDATES && c <= count[EMZ_HIST_CANDIDATES - 1]) continue;
        unsigned k = held < EMZ_HIST_CANDIDATES ? held++ : EMZ_HIST_CANDIDATES - 1;
        for (; k > 0 && count[k - 1] < c; k--)
            count[k] = count[k - 1], out[k] = out[k - 1];
        count[k] = c, out[k] = (uint8_t)v;
    }
    uint32_t covered = 0;
    for (unsigned k = 0; k < EMZ_HIST_CANDIDATES; k++)
        covered += count[k];
    return covered;
}

/* hist[256] = occurrences of each byte value in data[0..n), the scalar way: four counter
 * tables, so that runs of equal bytes do not serialize on one counter. */
static inline void emz_hist_count(const uint8_t *data, size_t n, uint32_t hist[256]) {
    uint32_t tables[4][256];
    memset(tables, 0, sizeof tables);
    emz_hist_count4(data, n, tables);
    emz_hist_sum4(tables, NULL, hist);
}

/* The compare-count kernels' start: whether they pay for these n bytes (n >= EMZ_HIST_MIN_SIZE
 * and the candidates cover at least eighths/8 of the sample), the candidates in cand. When they
 * do not, the bytes are counted here the scalar way into hist, those of the sample once only:
 * counting them again cost flat data (sign+mantissa bytes) an eighth more than the scalar
 * kernel on 16 KiB. */
static inline bool emz_hist_pick(const uint8_t *data, size_t n, unsigned eighths,
                                 uint8_t cand[EMZ_HIST_CANDIDATES], uint32_t hist[256]) {
    uint32_t tables[4][256], sample[256];
    if (n < EMZ_HIST_MIN_SIZE) {
        emz_hist_count(data, n, hist);
        return false;
    }
    if (emz_hist_candidates(data, n, cand, sample) * 8 >= EMZ_HIST_SAMPLE * eighths) return true;
    memset(tables, 0, sizeof tables);
    size_t at = 0;
    for (unsigned piece = 0; piece < 8; piece++) {
        size_t start = emz_hist_piece(n, piece);
        emz_hist_count4(data + at, start - at, tables);
        at = start + EMZ_HIST_PIECE;
    }
    emz_hist_count4(data + at, n - at, tables);
    emz_hist_sum4(tables, sample, hist);
    return false;
}

/* Their end: the bytes data[i..n) after the last whole vector, the four tables of the other
 * bytes, and the candidates' totals, into hist. */
static inline void emz_hist_finish(const uint8_t *data, size_t i, size_t n, uint32_t rest[4][256],
                                   const uint8_t cand[EMZ_HIST_CANDIDATES],
                                   const uint64_t total[EMZ_HIST_CANDIDATES], uint32_t hist[256]) {
    for (; i < n; i++)
        rest[0][data[i]]++;
    emz_hist_sum4(rest, NULL, hist);
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
