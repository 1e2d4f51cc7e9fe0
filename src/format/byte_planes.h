/* byte_planes.h - the version 2 chunk layouts' element <-> stream transforms for 2- and 4-byte
 * types (FORMAT.md, "Chunk payload"): BYTES (byte k of every element in plane k) and SPLIT
 * with sign+mantissa planes (FP16: exponent, low mantissa byte, sign and two high mantissa
 * bits; FP32: exponent, two low mantissa bytes, sign and seven high mantissa bits).
 *
 * Plain C over byte arrays, written so that compilers vectorize it; being ISA-independent it
 * is bit-identical on every implementation by construction. */
#ifndef EMZ_BYTE_PLANES_H
#define EMZ_BYTE_PLANES_H

#include <stddef.h>
#include <stdint.h>

/* BYTES: plane[k][j] = byte k of element j, for m elements of B (2 or 4) bytes. */
void emz_planes_split(const uint8_t *src, size_t m, unsigned B, uint8_t *const plane[4]);
void emz_planes_merge(const uint8_t *const plane[4], size_t m, unsigned B, uint8_t *dst);

/* The SPLIT symbols of the high byte(s) of FP16 / FP32 elements, from their BYTES planes:
 * exps = the exponent, top = the top sign+mantissa plane (FP16: sign << 2 | mantissa bits
 * 9..8, 3 bits; FP32: sign << 7 | mantissa bits 22..16, 8 bits). */
void emz_fp16_high_split(const uint8_t *hi, size_t m, uint8_t *exps, uint8_t *top);
void emz_fp32_high_split(const uint8_t *b2, const uint8_t *b3, size_t m, uint8_t *exps,
                         uint8_t *top);

/* The inverse, straight into elements: low[] are the low planes (FP16: 1, FP32: 2). exps
 * and top must be below 2^E and 2^width (decoders check every symbol they decode). */
void emz_fp16_planes_merge(const uint8_t *exps, const uint8_t *low, const uint8_t *top, size_t m,
                           uint8_t *dst);
void emz_fp32_planes_merge(const uint8_t *exps, const uint8_t *low0, const uint8_t *low1,
                           const uint8_t *top, size_t m, uint8_t *dst);

/* Histograms of exps and top derived from the histogram of the FP16 high byte, so that the
 * encoder can weigh SPLIT against BYTES without a pass over the symbols. */
void emz_fp16_high_hists(const uint32_t hi_hist[256], uint32_t exp_hist[256],
                         uint32_t top_hist[256]);

#endif
