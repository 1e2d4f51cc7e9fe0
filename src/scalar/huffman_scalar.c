/* huffman_scalar.c - the Huffman lane coder for baseline x86-64 / any C11 target. */
#include "huffman_scalar.h"

#define EMZ_HUFF_DECODE emz_huff_decode_scalar
#define EMZ_HUFF_ENCODE emz_huff_encode_scalar
#include "huffman_decode_body.h"
#include "huffman_encode_body.h"
