/* byte_planes.h - what the encoder needs to choose between the version 2 layouts of FP16 and
 * FP32 (FORMAT.md, "Chunk payload"): the histograms of the SPLIT symbols and of the BYTES
 * planes, derived from as few passes as possible. The planes themselves are made and merged by
 * the kernels (kernels/kernels.h: fp16_planes_split, fp32_planes_split, *_merge). */
#ifndef EMZ_BYTE_PLANES_H
#define EMZ_BYTE_PLANES_H

#include <stddef.h>
#include <stdint.h>

/* Histograms of the FP16 exponent and top plane derived from the histogram of the high byte,
 * so that the encoder can weigh SPLIT against BYTES without a pass over the symbols. */
void emz_fp16_high_hists(const uint32_t hi_hist[256], uint32_t exp_hist[256],
                         uint32_t top_hist[256]);

/* The histograms of FP32 byte 2 and of the top plane (sign and mantissa bits 22..16) from the
 * joint counts of sign << 8 | byte 2 that fp32_planes_split makes. Byte 3 and the exponent
 * are skewed, where the histogram kernels' compare-count is faster. */
void emz_fp32_top_hists(const uint32_t sign_b2[512], uint32_t b2_hist[256], uint32_t top_hist[256]);

#endif
