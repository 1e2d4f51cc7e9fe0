/* huffman_scalar.c - the Huffman lane coder for baseline x86-64 / any C11 target. */
#include "scalar/kernels_scalar.h"

#define EMZ_HUFF_DECODE emz_huff_decode_scalar
#define EMZ_HUFF_ENCODE emz_huff_encode_scalar
#include "kernels/huffman_decode_template.h"
#include "kernels/huffman_encode_template.h"
