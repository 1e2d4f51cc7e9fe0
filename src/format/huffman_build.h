/* huffman_build.h - length-limited canonical Huffman codes: construction and decoder tables
 * (their serialization: code_table.h). */
#ifndef EMZ_HUFFMAN_BUILD_H
#define EMZ_HUFFMAN_BUILD_H

#include "kernels/kernels.h"
#include <stdbool.h>

/* Huffman code lengths limited to EMZ_HUFF_MAX_LEN for the symbols 0..alphabet-1 with
 * non-zero counts; needs at least two such symbols. Deterministic: ties are broken by symbol
 * value. Returns the coded size in bits. */
uint64_t emz_huff_lengths(const uint32_t *hist, unsigned alphabet, uint8_t len[256]);

/* Canonical LSB-first codes from lengths (DEFLATE assignment, bit-reversed). */
void emz_huff_enc_init(const uint8_t len[256], emz_huff_enc *enc);

/* Decoder tables from valid lengths for a stream of n symbols. The multi-code table is built
 * when multi is set, and then only for streams of more than one lane (n >= 4096): for a single
 * lane its 2048 entries cost more to build than they save (measured on a 4 KiB BF16 frame: two
 * thirds of the call), and the decoder reads only single[] there. emz_huff_dec_wants_multi
 * says when it pays. */
/* For a decoder built once and used for many streams (a table file's): whether the multi-code
 * loop beats lockstep for a code of these lengths, by the cost model above without the build,
 * from the mean length the code implies (BF16 exponents: yes; FP8 whole bytes: no). It takes
 * the four-lane loop's cost on every implementation: a table's pages have 4 lanes or 16. */
bool emz_huff_dec_multi_pays(const uint8_t len[256]);

void emz_huff_dec_init(const uint8_t len[256], size_t n, bool multi, emz_huff_dec *dec);

/* Whether a stream of n symbols in lane_bytes bytes of lanes decodes faster with the
 * multi-code table than with single codes in lockstep (huffman_decode_template.h), for a
 * decoder whose 16-lane multi-code loop costs multi16_ps_per_bit (emz_kernels). */
bool emz_huff_dec_wants_multi(size_t n, uint64_t lane_bytes, unsigned multi16_ps_per_bit);

#endif
