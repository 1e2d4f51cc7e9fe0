/* common.h - little-endian loads/stores and small helpers shared by the core and kernels. */
#ifndef EMZ_COMMON_H
#define EMZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define EMZ_LIKELY(x) __builtin_expect(!!(x), 1)
#define EMZ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define EMZ_LIKELY(x) (x)
#define EMZ_UNLIKELY(x) (x)
#endif

/* memcpy-based loads compile to single moves and are free of alignment and aliasing UB. */
static inline uint16_t emz_load16(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint16_t)(b[0] | (uint16_t)b[1] << 8);
}
static inline uint32_t emz_load32(const void *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
#else
    const uint8_t *b = (const uint8_t *)p;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
#endif
}
static inline uint64_t emz_load64(const void *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    return (uint64_t)emz_load32(p) | (uint64_t)emz_load32((const uint8_t *)p + 4) << 32;
#endif
}
/* Single 16-bit moves on little-endian hosts (what lets compilers vectorize element loops). */
static inline uint16_t emz_load16_native(const void *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
#else
    return emz_load16(p);
#endif
}
static inline void emz_store16_native(void *p, uint16_t v);
static inline void emz_store16(void *p, uint16_t v) {
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}
static inline void emz_store16_native(void *p, uint16_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 2);
#else
    emz_store16(p, v);
#endif
}
static inline void emz_store32(void *p, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 4);
#else
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v, b[1] = (uint8_t)(v >> 8), b[2] = (uint8_t)(v >> 16), b[3] = (uint8_t)(v >> 24);
#endif
}
static inline void emz_store64(void *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* One 8-byte move; as two 4-byte stores, GCC 12 merged them through vector registers
     * (vmovq, vpinsrq, vpmovqd) in the Huffman encoder's inner loop. */
    memcpy(p, &v, 8);
#else
    emz_store32(p, (uint32_t)v);
    emz_store32((uint8_t *)p + 4, (uint32_t)(v >> 32));
#endif
}

/* Unsigned LEB128 of a 32-bit value; returns its length (1..5). */
static inline size_t emz_leb128_write(uint8_t *out, uint32_t v) {
    size_t n = 0;
    for (; v >= 0x80; v >>= 7) out[n++] = (uint8_t)(v | 0x80);
    out[n++] = (uint8_t)v;
    return n;
}

/* Reads a minimal LEB128 value below 2^32 from at most avail bytes; returns its length, or 0
 * if it is truncated, too long, too large or not minimal. */
static inline size_t emz_leb128_read(const uint8_t *in, size_t avail, uint32_t *v) {
    uint64_t x = 0;
    for (size_t n = 0; n < avail && n < 5; n++) {
        x |= (uint64_t)(in[n] & 0x7F) << 7 * n;
        if (!(in[n] & 0x80)) {
            if ((n > 0 && in[n] == 0) || x > UINT32_MAX) return 0;
            *v = (uint32_t)x;
            return n + 1;
        }
    }
    return 0;
}

static inline size_t emz_div_ceil(size_t a, size_t b) { return a / b + (a % b != 0); }

#endif
