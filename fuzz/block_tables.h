/* block_tables.h - the tables fuzz_block decodes with: trained once per type from fixed
 * synthetic data (two groups of K/V-cache-like values of two scales), so that make_seeds writes
 * tagged blocks and table files that name exactly these sets. Public API only. */
#ifndef EMZ_FUZZ_BLOCK_TABLES_H
#define EMZ_FUZZ_BLOCK_TABLES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emzip.h"

static inline uint64_t fb_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A roughly Gaussian value of the given scale, as float bits. */
static inline uint32_t fb_gauss_bits(uint64_t *s, float scale) {
    float acc = 0;
    for (int i = 0; i < 4; i++)
        acc += (float)(fb_next(s) >> 40) * (1.0f / 16777216.0f);
    float x = (acc - 2.0f) * scale;
    uint32_t u;
    memcpy(&u, &x, 4);
    return u;
}

/* Float bits as a minifloat of E exponent and M mantissa bits (truncated, flushed, clamped). */
static inline unsigned fb_mini(uint32_t u, unsigned E, unsigned M) {
    unsigned emax = (1u << E) - 1, m = (u >> (23 - M)) & ((1u << M) - 1);
    int e = (int)((u >> 23) & 0xFF) - 127 + (int)((1u << (E - 1)) - 1);
    if (e <= 0) e = 0, m = 0;
    if (e >= (int)emax) e = (int)emax - 1;
    return (u >> 31) << (E + M) | (unsigned)e << M | m;
}

/* The layout fb_train gives: channels (FB_HEADS x FB_HEAD_DIM values a token) whose scales
 * differ, so that the tables of types with an exponent hold channel shifts and their blocks are
 * of version 2; and whose spreads differ (every fourth channel mostly one value), so that FP8's
 * hold channel clusters too and their blocks are of version 3. */
#define FB_HEADS 2
#define FB_HEAD_DIM 32

/* n bytes of values of the type (a partial element at the end: random); element i's scale is
 * scale x 2^(c % 9 - 4), c = i % (FB_HEADS x FB_HEAD_DIM) its channel. */
static inline void fb_fill(uint8_t *p, size_t n, emz_type t, uint64_t seed, float scale) {
    uint64_t s = seed;
    size_t i = 0, w = t == EMZ_TYPE_FP32 ? 4 : t == EMZ_TYPE_BF16 || t == EMZ_TYPE_FP16 ? 2 : 1;
    for (; i + w <= n; i += w) {
        unsigned c = (unsigned)(i / w % (FB_HEADS * FB_HEAD_DIM));
        uint32_t u = fb_gauss_bits(&s, scale * (float)(1u << c % 9) / 16.0f), v;
        if (c % 4 == 0 && (fb_next(&s) & 7)) u = fb_gauss_bits(&s, 0.0f) ^ 0x3F800000u; /* 1.0 */
        switch (t) {
        case EMZ_TYPE_BF16:
            v = u >> 16;
            break;
        case EMZ_TYPE_FP16:
            v = fb_mini(u, 5, 10);
            break;
        case EMZ_TYPE_FP32:
            v = u;
            break;
        case EMZ_TYPE_FP8_E4M3:
            v = fb_mini(u, 4, 3);
            break;
        case EMZ_TYPE_FP8_E5M2:
            v = fb_mini(u, 5, 2);
            break;
        case EMZ_TYPE_FP4_E2M1:
            v = fb_mini(u, 2, 1) | fb_mini(fb_gauss_bits(&s, scale), 2, 1) << 4;
            break;
        default:
            v = (u >> 20) & 0x8F;
            break;
        }
        for (size_t b = 0; b < w; b++)
            p[i + b] = (uint8_t)(v >> 8 * b);
    }
    for (; i < n; i++)
        p[i] = (uint8_t)fb_next(&s);
}

#define FB_GROUPS 2
#define FB_SAMPLE (16 * 1024)

/* The tables of type t (NULL when training fails, which it must not). */
static inline emz_tables *fb_train(emz_type t) {
    uint8_t *data = malloc(2 * FB_GROUPS * FB_SAMPLE);
    emz_tables_sample samples[2 * FB_GROUPS];
    if (!data) return NULL;
    for (unsigned i = 0; i < 2 * FB_GROUPS; i++) {
        uint32_t g = i % FB_GROUPS;
        fb_fill(data + i * FB_SAMPLE, FB_SAMPLE, t, 1000 + i, g ? 8.0f : 0.5f);
        samples[i] = (emz_tables_sample){data + i * FB_SAMPLE, FB_SAMPLE, g};
    }
    /* blocks of 8 KiB: FP8 clusters are trained for streams of 4 KiB (kv_cluster_train.h) */
    emz_tables_options o = {t, FB_GROUPS, FB_HEADS, FB_HEAD_DIM, 8192};
    emz_tables *tables = NULL;
    if (emz_tables_train(&o, samples, 2 * FB_GROUPS, &tables, NULL, 0) != EMZ_OK) tables = NULL;
    free(data);
    return tables;
}

#endif
