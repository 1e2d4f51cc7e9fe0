/* test_data.h - test data generators (PRNG, weight-like data), free of Criterion so that the
 * plain-C portable check (tests/check_portable.c) shares them with the Criterion suite. */
#ifndef EMZ_TEST_DATA_H
#define EMZ_TEST_DATA_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "emzip.h"

static const emz_type all_types[EMZ_TYPE_COUNT] = {
    EMZ_TYPE_BYTES,    EMZ_TYPE_BF16,     EMZ_TYPE_FP16,     EMZ_TYPE_FP32,
    EMZ_TYPE_FP8_E4M3, EMZ_TYPE_FP8_E5M2, EMZ_TYPE_FP4_E2M1,
};

/* splitmix64: small, seedable, good enough for test data. */
static inline uint64_t tu_rand(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline void tu_fill_random(void *p, size_t n, uint64_t seed) {
    uint8_t *b = p;
    uint64_t s = seed;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t r = tu_rand(&s);
        memcpy(b + i, &r, 8);
    }
    if (i < n) {
        uint64_t r = tu_rand(&s);
        memcpy(b + i, &r, n - i);
    }
}

/* A roughly Gaussian value (Irwin-Hall of 4 uniforms), scaled like a weight. */
static inline float tu_gauss(uint64_t *s) {
    double acc = 0;
    for (int i = 0; i < 4; i++)
        acc += (double)(tu_rand(s) >> 11) * (1.0 / 9007199254740992.0);
    return (float)((acc - 2.0) * 0.05);
}

static inline uint32_t tu_f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static inline void tu_put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void tu_put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void tu_put64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t tu_get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t tu_get64(const uint8_t *p) {
    return (uint64_t)tu_get32(p) | (uint64_t)tu_get32(p + 4) << 32;
}

/* Weight-like data of the given type: smooth distribution, so exponents compress. */
static inline void tu_fill_smooth(void *p, size_t n, emz_type type, uint64_t seed) {
    uint8_t *b = p;
    uint64_t s = seed;
    size_t i = 0;
    switch (type) {
    case EMZ_TYPE_BF16:
        for (; i + 2 <= n; i += 2)
            tu_put16(b + i, (uint16_t)((tu_f32_bits(tu_gauss(&s)) + 0x8000u) >> 16));
        break;
    case EMZ_TYPE_FP16:
        for (; i + 2 <= n; i += 2) {
            /* crude float -> half: good enough to get realistic exponent statistics */
            uint32_t u = tu_f32_bits(tu_gauss(&s));
            int e = (int)((u >> 23) & 0xFF) - 127 + 15;
            uint16_t h = (uint16_t)((u >> 16) & 0x8000);
            if (e > 0 && e < 31) h |= (uint16_t)(e << 10 | ((u >> 13) & 0x3FF));
            tu_put16(b + i, h);
        }
        break;
    case EMZ_TYPE_FP32:
        for (; i + 4 <= n; i += 4)
            tu_put32(b + i, tu_f32_bits(tu_gauss(&s)));
        break;
    case EMZ_TYPE_FP8_E4M3:
    case EMZ_TYPE_FP8_E5M2:
    case EMZ_TYPE_FP4_E2M1:
    case EMZ_TYPE_BYTES:
    default:
        for (; i < n; i++) {
            /* skewed byte distribution: small magnitudes frequent */
            uint64_t r = tu_rand(&s);
            unsigned mag = (unsigned)__builtin_ctzll(r | (1ull << 40));
            if (mag > 7) mag = 7;
            unsigned v;
            if (type == EMZ_TYPE_FP4_E2M1)
                v = (mag & 7) | ((r >> 50) & 8) |
                    ((((unsigned)(r >> 56) % 6u) & 7) | ((r >> 60) & 8)) << 4;
            else if (type == EMZ_TYPE_BYTES)
                v = (unsigned)((r >> 48) % (mag * 4 + 1));
            else
                v = ((7 - mag) << 3 | (unsigned)(r >> 61)) | ((r >> 50) & 1) << 7;
            b[i] = (uint8_t)v;
        }
        break;
    }
    for (; i < n; i++)
        b[i] = (uint8_t)tu_rand(&s);
}

#endif
