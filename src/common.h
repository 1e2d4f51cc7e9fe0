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
static inline void emz_store16(void *p, uint16_t v) {
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
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
    emz_store32(p, (uint32_t)v);
    emz_store32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

static inline size_t emz_div_ceil(size_t a, size_t b) { return a / b + (a % b != 0); }

#endif
