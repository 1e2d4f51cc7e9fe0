/* entropy_estimate.h - integer order-0 entropy, for deciding what is worth coding. */
#ifndef EMZ_ENTROPY_ESTIMATE_H
#define EMZ_ENTROPY_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

/* Order-0 entropy of a histogram, in bits, in 24.8 fixed point. Integer arithmetic only,
 * so every platform makes the same decisions from it (and so writes the same bytes). */
uint64_t emz_entropy_bits_q8(const uint32_t *hist, unsigned alphabet);

/* Whole bits that no prefix code of the histogram's symbols goes below: the entropy less the
 * estimate's error (under 2.44/256 bit a symbol; 3/256 taken off), rounded down. */
uint64_t emz_entropy_bits_floor(const uint32_t *hist, unsigned alphabet);

#endif
