/* huffman_avx2.c - the shared Huffman lane coder compiled with BMI2 (shlx/shrx: variable
 * shifts without the CL register, which the scalar build's four lanes compete for), with the
 * four- and six-lane multi-code and eight-lane lockstep decode loops in assembly on x86-64 ELF
 * targets. */
#include "avx2/kernels_avx2.h"

#if defined(__x86_64__) && defined(__ELF__)
#include "avx2/huffman_fast_x86_64.h"
#define EMZ_HUFF_FAST4 emz_huff_fast4_x86_64
#define EMZ_HUFF_FAST4_WARM emz_huff_fast4_warm_x86_64
#define EMZ_HUFF_FAST6 emz_huff_fast6_x86_64
#define EMZ_HUFF_FAST6_WARM emz_huff_fast6_warm_x86_64
#define EMZ_HUFF_LOCKSTEP8 emz_huff_lockstep8_x86_64
#define EMZ_HUFF_LOCKSTEP8_WARM emz_huff_lockstep8_warm_x86_64
_Static_assert(EMZ_HUFF_INDEX_MASK == EMZ_HUFF_TABLE_SIZE - 1, "the assembly's table index");
#endif
#define EMZ_HUFF_DECODE emz_huff_decode_avx2
#define EMZ_HUFF_ENCODE emz_huff_encode_avx2
#include "kernels/huffman_decode_template.h"
#include "kernels/huffman_encode_template.h"
