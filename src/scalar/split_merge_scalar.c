/* split_merge_scalar.c - reference exponent / sign+mantissa split and merge for each type. */
#include "kernels/bit_io.h"
#include "kernels/kernels.h"
#include "scalar/kernels_scalar.h"

/* BF16: both symbols are whole bytes, so the sign+mantissa RAW stream is one byte a slot. */
void emz_split_bf16_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    for (size_t j = 0; j < m; j++) {
        uint16_t v = emz_load16(src + 2 * j);
        exps[j] = (uint8_t)(v >> 7);
        sm[j] = (uint8_t)((v >> 8 & 0x80) | (v & 0x7F));
    }
}

void emz_merge_bf16_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    for (size_t j = 0; j < m; j++) {
        uint16_t v = (uint16_t)((sm[j] & 0x80) << 8 | exps[j] << 7 | (sm[j] & 0x7F));
        emz_store16(dst + 2 * j, v);
    }
}

/* FP32: the 24-bit sign+mantissa symbol is three bytes of the RAW stream. */
void emz_split_fp32_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    for (size_t j = 0; j < m; j++) {
        uint32_t v = emz_load32(src + 4 * j);
        uint32_t s = (v >> 31) << 23 | (v & 0x7FFFFF);
        exps[j] = (uint8_t)(v >> 23);
        sm[3 * j] = (uint8_t)s;
        sm[3 * j + 1] = (uint8_t)(s >> 8);
        sm[3 * j + 2] = (uint8_t)(s >> 16);
    }
}

void emz_merge_fp32_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    for (size_t j = 0; j < m; j++) {
        uint32_t s = sm[3 * j] | (uint32_t)sm[3 * j + 1] << 8 | (uint32_t)sm[3 * j + 2] << 16;
        uint32_t v = (s >> 23) << 31 | (uint32_t)exps[j] << 23 | (s & 0x7FFFFF);
        emz_store32(dst + 4 * j, v);
    }
}

/* FP16: 5-bit exponent, 11-bit sign+mantissa packed at 11 bits a symbol. */
void emz_split_fp16_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    bit_writer w = {sm, 0, 0};
    for (size_t j = 0; j < m; j++) {
        uint16_t v = emz_load16(src + 2 * j);
        exps[j] = (uint8_t)(v >> 10 & 0x1F);
        bit_writer_put(&w, (uint32_t)(v >> 15) << 10 | (v & 0x3FF), 11);
    }
    bit_writer_finish(&w);
}

void emz_merge_fp16_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    bit_reader r = {sm, sm + emz_div_ceil(m * 11, 8), 0, 0};
    for (size_t j = 0; j < m; j++) {
        uint32_t s = bit_reader_get(&r, 11);
        emz_store16(dst + 2 * j,
                    (uint16_t)((s >> 10) << 15 | (uint32_t)exps[j] << 10 | (s & 0x3FF)));
    }
}

/* One-byte types: element = sign | exponent (E bits) | mantissa (E + mant = 7 bits). */
static inline void split_byte_elements(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm,
                                       unsigned mant_bits) {
    bit_writer w = {sm, 0, 0};
    for (size_t j = 0; j < m; j++) {
        uint8_t v = src[j];
        exps[j] = (uint8_t)((v & 0x7F) >> mant_bits);
        bit_writer_put(&w, (uint32_t)(v >> 7) << mant_bits | (v & ((1u << mant_bits) - 1)),
                       mant_bits + 1);
    }
    bit_writer_finish(&w);
}

static inline void merge_byte_elements(const uint8_t *exps, const uint8_t *sm, size_t m,
                                       uint8_t *dst, unsigned mant_bits) {
    bit_reader r = {sm, sm + emz_div_ceil(m * (mant_bits + 1), 8), 0, 0};
    for (size_t j = 0; j < m; j++) {
        uint32_t s = bit_reader_get(&r, mant_bits + 1);
        dst[j] = (uint8_t)((s >> mant_bits) << 7 | (uint32_t)exps[j] << mant_bits |
                           (s & ((1u << mant_bits) - 1)));
    }
}

void emz_split_e4m3_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    split_byte_elements(src, m, exps, sm, 3);
}
void emz_merge_e4m3_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    merge_byte_elements(exps, sm, m, dst, 3);
}
void emz_split_e5m2_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    split_byte_elements(src, m, exps, sm, 2);
}
void emz_merge_e5m2_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    merge_byte_elements(exps, sm, m, dst, 2);
}

/* FP4 E2M1: m is the number of nibbles (always even: two per source byte, low first). */
void emz_split_fp4_scalar(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    bit_writer w = {sm, 0, 0};
    for (size_t j = 0; j < m; j++) {
        unsigned x = (src[j / 2] >> (4 * (j & 1))) & 0xF;
        exps[j] = (uint8_t)(x >> 1 & 3);
        bit_writer_put(&w, (x >> 3) << 1 | (x & 1), 2);
    }
    bit_writer_finish(&w);
}

void emz_merge_fp4_scalar(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    /* m is always even: a chunk holds whole bytes, two nibbles each. */
    bit_reader r = {sm, sm + emz_div_ceil(m * 2, 8), 0, 0};
    for (size_t j = 0; j < m; j += 2) {
        unsigned lo_s = bit_reader_get(&r, 2), hi_s = bit_reader_get(&r, 2);
        unsigned lo = (lo_s >> 1) << 3 | (unsigned)exps[j] << 1 | (lo_s & 1);
        unsigned hi = (hi_s >> 1) << 3 | (unsigned)exps[j + 1] << 1 | (hi_s & 1);
        dst[j / 2] = (uint8_t)(lo | hi << 4);
    }
}
