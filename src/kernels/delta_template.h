/* delta_template.h - the difference of a checkpoint's element from its base's (FORMAT.md,
 * "Delta segments"), one plain loop per element width that each ISA folder compiles with its
 * own flags (the compiler vectorizes it: the loop has no carried state). Each folder defines
 * its kernel as emz_delta_run with its name. */
#ifndef EMZ_DELTA_TEMPLATE_H
#define EMZ_DELTA_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernels/kernels.h"

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

/* Element i of a LOW chunk (its high symbol 255) takes the escape at esc (kernels.h,
 * emz_low_join_kernel): false when the value is out of range. */
static inline bool emz_low_escape(uint8_t *dst, size_t i, unsigned width, unsigned shift,
                                  const uint8_t *esc) {
    uint32_t value = (uint32_t)esc[0] | (uint32_t)esc[1] << 8;
    if (value < 255 || (uint64_t)value >> (8 * width - shift)) return false;
    if (width == 2) {
        emz_delta_u16 *o = (emz_delta_u16 *)dst + i;
        *o = (uint16_t)((*o & ((1u << shift) - 1)) | value << shift);
    } else {
        emz_delta_u32 *o = (emz_delta_u32 *)dst + i;
        *o = (uint32_t)((*o & (uint32_t)((UINT64_C(1) << shift) - 1)) | (uint64_t)value << shift);
    }
    return true;
}

/* The escapes of elements [from, m) after their join: the high symbols scanned eight at a
 * time (a word without a 0xFF byte is passed with one test). Returns escape bytes used or
 * SIZE_MAX. */
static inline size_t emz_low_escapes(const uint8_t *high, size_t from, size_t m, unsigned width,
                                     unsigned shift, const uint8_t *esc, size_t esc_size,
                                     uint8_t *dst) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t used = 0, i = from;
    for (; i < m; i += 8) {
        uint64_t x = 0;
        size_t n = m - i < 8 ? m - i : 8;
        memcpy(&x, high + i, n);
        x = ~x & (n == 8 ? ~UINT64_C(0) : (UINT64_C(1) << 8 * n) - 1); /* 0xFF: a zero byte */
        x |= n == 8 ? 0 : ~((UINT64_C(1) << 8 * n) - 1);               /* past m: never */
        if (!((x - ones) & ~x & highs)) continue; /* no zero byte: no 0xFF symbol */
        /* a byte at a time then (no count-trailing-zeros: the scalar objects must run on
         * baseline x86-64, where it would be tzcnt) */
        for (size_t at = i; at < i + n; at++) {
            if (high[at] != 255) continue;
            if (esc_size - used < 2 || !emz_low_escape(dst, at, width, shift, esc + used))
                return SIZE_MAX;
            used += 2;
        }
    }
    return used;
}

/* The joins of n elements of a block, the low bits unpacked, one byte each (NULL when k is 0):
 * plain loops, which the compiler vectorizes (the shift is the same for every element). */
static inline void emz_low_join_block(const uint8_t *const planes[4], const uint8_t *low, size_t i,
                                      size_t n, unsigned width, unsigned k, uint8_t *dst) {
    if (width == 2) {
        emz_delta_u16 *o = (emz_delta_u16 *)dst + i;
        const uint8_t *high = planes[1] + i;
        if (low)
            for (size_t j = 0; j < n; j++)
                o[j] = (uint16_t)((unsigned)high[j] << k | low[j]);
        else
            for (size_t j = 0; j < n; j++)
                o[j] = (uint16_t)((unsigned)high[j] << k);
    } else {
        emz_delta_u32 *o = (emz_delta_u32 *)dst + i;
        const uint8_t *b0 = planes[0] + i, *b1 = planes[1] + i, *high = planes[3] + i;
        if (low)
            for (size_t j = 0; j < n; j++)
                o[j] = (uint32_t)b0[j] | (uint32_t)b1[j] << 8 | (uint32_t)low[j] << 16 |
                       (uint32_t)high[j] << (16 + k);
        else
            for (size_t j = 0; j < n; j++)
                o[j] = (uint32_t)b0[j] | (uint32_t)b1[j] << 8 | (uint32_t)high[j] << 16;
    }
}

/* Elements a block of the portable join takes: its unpacked low bits stay in L1. */
#define EMZ_LOW_JOIN_BLOCK 1024

/* The LOW layout's join (kernels.h, emz_low_join_kernel) of elements [from, m), from a multiple
 * of 8 (a SIMD kernel's tail, or 0), a block at a time: the low bits unpacked by the folder's
 * own unpack kernel, the join, the block's escapes, then its base. */
static inline size_t emz_low_join_run(const uint8_t *const planes[4], size_t from, size_t m,
                                      unsigned width, unsigned k, const uint8_t *esc,
                                      size_t esc_size, const uint8_t *base, uint8_t *dst,
                                      emz_unpack_kernel *unpack) {
    const uint8_t *packed = planes[width == 4 ? 2 : 0], *high = planes[width == 4 ? 3 : 1];
    unsigned shift = width == 4 ? 16 + k : k;
    uint8_t low[EMZ_LOW_JOIN_BLOCK];
    size_t used = 0;
    for (size_t i = from; i < m; i += EMZ_LOW_JOIN_BLOCK) {
        size_t n = m - i < EMZ_LOW_JOIN_BLOCK ? m - i : EMZ_LOW_JOIN_BLOCK;
        if (k) unpack(packed + i / 8 * k, n, k, low);
        emz_low_join_block(planes, k ? low : NULL, i, n, width, k, dst);
        size_t got =
            emz_low_escapes(high, i, i + n, width, shift, esc + used, esc_size - used, dst);
        if (got == SIZE_MAX) return SIZE_MAX;
        used += got;
        if (base)
            emz_delta_run(dst + i * width, base + i * width, dst + i * width, n * width, width,
                          true);
    }
    return used;
}

#endif
