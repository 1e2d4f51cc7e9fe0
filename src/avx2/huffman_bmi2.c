/* huffman_bmi2.c - the shared Huffman lane coder compiled with BMI2 (shlx/shrx: variable
 * shifts without the CL register, which the scalar build's four lanes compete for). */
#include "scalar/huffman_scalar.h"

#define EMZ_HUFF_DECODE emz_huff_decode_bmi2
#define EMZ_HUFF_ENCODE emz_huff_encode_bmi2
#include "scalar/huffman_decode_body.h"
#include "scalar/huffman_encode_body.h"
