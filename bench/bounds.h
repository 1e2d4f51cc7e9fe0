/* bounds.h - order-0 entropy bounds and a model of the smallest frames docs/FORMAT.md allows,
 * for the float tensors of a file (bench only). They tell how far emzip's ratio is from what
 * an order-0 coder, or the format itself, could reach. */
#ifndef EMZIP_BENCH_BOUNDS_H
#define EMZIP_BENCH_BOUNDS_H

#include "emzip.h"

#include <stddef.h>
#include <stdint.h>

typedef struct bounds {
    int valid;
    double wf_exp_h, wf_sm_h; /* whole-file bits per element of each field */
    double wf_split_bits;     /* (a): whole-file exponent H + sign+mantissa H */
    double wf_elem_bits;      /* whole-element order-0 (elements of <= 16 bits), -1 if n/a */
    double ck_exp_raw_bits;   /* (b): per chunk exponent H + M raw bits (+ tail bytes) */
    double ck_exp_sm_bits;    /* per chunk exponent H + sign+mantissa H (its planes if M > 8) */
    double ck_byte_bits;      /* per chunk whole-byte H (the WHOLE layout) */
    double ck_best_bits;      /* per chunk min(SPLIT, WHOLE, BYTES) as the codec may choose */
    double model_bytes;       /* frames as the format allows at best with optimal
                               * length-limited Huffman codes (see model_stream) */
    uint64_t elements;
} bounds;

/* Whole-file histograms, accumulated over the tensors of one group. */
typedef struct bounds_acc bounds_acc;

/* Starts the bounds of a group of type t (NULL when memory is exhausted). */
bounds_acc *bounds_begin(emz_type t);
/* Adds one tensor (one frame: its own chunks) to b and the whole-file histograms of w. */
void bounds_add(bounds *b, bounds_acc *w, const uint8_t *p, size_t size, emz_type t, size_t chunk);
/* Computes the whole-file figures of b and releases w. */
void bounds_finish(bounds *b, bounds_acc *w, emz_type t);

/* Bounds of one buffer cut into chunks as ONE frame cuts it (the emzip-stream layout).
 * 0, or -1 when memory is exhausted. */
int buffer_bounds(bounds *b, const uint8_t *p, size_t size, emz_type t, size_t chunk);

/* Percent of bytes that bits amount to. */
static inline double pct(double bits, uint64_t bytes) {
    return bytes ? 100.0 * bits / (8.0 * (double)bytes) : 0;
}

#endif
