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

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define EMZ_LITTLE_ENDIAN 1
#else
#define EMZ_LITTLE_ENDIAN 0
#endif

/* Copies an n-byte integer between a little-endian byte string and its native form, either
 * way. On little-endian hosts a memcpy of a constant size once inlined: a single move, free of
 * alignment and aliasing UB, that lets compilers vectorize element loops. (As two 4-byte
 * stores, a 64-bit store was once merged by GCC 12 through vector registers in the Huffman
 * encoder's inner loop.) On big-endian hosts a byte reversal, its own inverse. */
static inline void emz_copy_le(void *dst, const void *src, size_t n) {
#if EMZ_LITTLE_ENDIAN
    memcpy(dst, src, n);
#else
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)dst)[i] = ((const uint8_t *)src)[n - 1 - i];
#endif
}

static inline uint16_t emz_load16(const void *p) {
    uint16_t v;
    emz_copy_le(&v, p, sizeof v);
    return v;
}
static inline uint32_t emz_load32(const void *p) {
    uint32_t v;
    emz_copy_le(&v, p, sizeof v);
    return v;
}
static inline uint64_t emz_load64(const void *p) {
    uint64_t v;
    emz_copy_le(&v, p, sizeof v);
    return v;
}
static inline void emz_store16(void *p, uint16_t v) {
    emz_copy_le(p, &v, sizeof v);
}
static inline void emz_store32(void *p, uint32_t v) {
    emz_copy_le(p, &v, sizeof v);
}
static inline void emz_store64(void *p, uint64_t v) {
    emz_copy_le(p, &v, sizeof v);
}

/* Unsigned LEB128 of a 32-bit value; returns its length (1..5). */
static inline size_t emz_leb128_write(uint8_t *out, uint32_t v) {
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        out[n++] = (uint8_t)(v | 0x80);
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

/* Unsigned LEB128 of a 64-bit value; returns its length (1..10). */
static inline size_t emz_leb128_write64(uint8_t *out, uint64_t v) {
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        out[n++] = (uint8_t)(v | 0x80);
    out[n++] = (uint8_t)v;
    return n;
}

/* Reads a minimal LEB128 value of at most max from at most avail bytes; returns its length, or
 * 0 if it is truncated, too long, above max or not minimal. */
static inline size_t emz_leb128_read64(const uint8_t *in, size_t avail, uint64_t max, uint64_t *v) {
    uint64_t x = 0;
    for (size_t n = 0; n < avail && n < 10; n++) {
        uint64_t group = in[n] & 0x7F;
        if (n == 9 && group > 1) return 0; /* beyond 64 bits */
        x |= group << 7 * n;
        if (!(in[n] & 0x80)) {
            if ((n > 0 && in[n] == 0) || x > max) return 0;
            *v = x;
            return n + 1;
        }
    }
    return 0;
}

static inline size_t emz_div_ceil(size_t a, size_t b) {
    return a / b + (a % b != 0);
}

#endif
