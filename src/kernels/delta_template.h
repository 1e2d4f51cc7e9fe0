/* delta_template.h - the difference of a checkpoint's element from its base's (FORMAT.md,
 * "Delta segments"), one plain loop per element width that each ISA folder compiles with its
 * own flags (the compiler vectorizes it: the loop has no carried state). Each folder defines
 * its kernel as emz_delta_run with its name. */
#ifndef EMZ_DELTA_TEMPLATE_H
#define EMZ_DELTA_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Unaligned, aliasing views of the buffers: elements need not be aligned in a chunk buffer. */
typedef uint16_t __attribute__((aligned(1), may_alias)) emz_delta_u16;
typedef uint32_t __attribute__((aligned(1), may_alias)) emz_delta_u32;

/* zigzag(new - base): a small difference of either sign becomes a small number whose high
 * bits are zero, which the split then codes like an exponent near zero. */
#define EMZ_DELTA_LOOP(T, BITS)                                                                    \
    do {                                                                                           \
        const T *a = (const T *)src, *b = (const T *)base;                                         \
        T *o = (T *)dst;                                                                           \
        if (undo) {                                                                                \
            for (size_t i = 0; i < count; i++) {                                                   \
                T z = a[i];                                                                        \
                o[i] = (T)(b[i] + (T)((z >> 1) ^ (T)(0u - (z & 1u))));                             \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t i = 0; i < count; i++) {                                                   \
                T d = (T)(a[i] - b[i]);                                                            \
                o[i] = (T)((T)(d << 1) ^ (T)(0u - (T)(d >> (BITS - 1))));                          \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static inline void emz_delta_bytes(const uint8_t *src, const uint8_t *base, uint8_t *dst,
                                   size_t count, bool undo) {
    EMZ_DELTA_LOOP(uint8_t, 8);
}

static inline void emz_delta_words(const uint8_t *src, const uint8_t *base, uint8_t *dst,
                                   size_t count, bool undo) {
    EMZ_DELTA_LOOP(emz_delta_u16, 16);
}

static inline void emz_delta_dwords(const uint8_t *src, const uint8_t *base, uint8_t *dst,
                                    size_t count, bool undo) {
    EMZ_DELTA_LOOP(emz_delta_u32, 32);
}

/* size bytes as elements of `width` bytes (1, 2 or 4), the last size % width bytes as bytes. */
static inline void emz_delta_run(const uint8_t *src, const uint8_t *base, uint8_t *dst, size_t size,
                                 unsigned width, bool undo) {
    size_t whole = width == 4 ? size / 4 : width == 2 ? size / 2 : 0;
    if (width == 4) emz_delta_dwords(src, base, dst, whole, undo);
    if (width == 2) emz_delta_words(src, base, dst, whole, undo);
    size_t done = whole * width;
    emz_delta_bytes(src + done, base + done, dst + done, size - done, undo);
}

#endif
