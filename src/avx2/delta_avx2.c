/* delta_avx2.c - a checkpoint's differences from its base and back (kernels/delta_template.h),
 * compiled with this folder's flags. */
#include "avx2/kernels_avx2.h"
#include "kernels/delta_template.h"

void emz_delta_avx2(const uint8_t *src, const uint8_t *base, uint8_t *dst, size_t size,
                    unsigned width, bool undo) {
    emz_delta_run(src, base, dst, size, width, undo);
}
