/* dispatch.c - picks the kernel table. Only the scalar reference exists so far; the SIMD
 * tables plug in here, chosen once from the CPU's features. */
#include "kernels.h"

const emz_kernels *emz_kernels_active(void) { return &emz_kernels_scalar; }
