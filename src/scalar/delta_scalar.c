/* delta_scalar.c - a checkpoint's differences from its base and back (kernels/delta_template.h),
 * compiled with this folder's flags. */
#include "kernels/delta_template.h"
#include "scalar/kernels_scalar.h"

void emz_delta_scalar(const uint8_t *src, const uint8_t *base, uint8_t *dst, size_t size,
                      unsigned width, bool undo) {
    emz_delta_run(src, base, dst, size, width, undo);
}
