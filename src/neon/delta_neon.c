/* delta_neon.c - a checkpoint's differences from its base and back, and the LOW layout's join
 * (kernels/delta_template.h),
 * compiled with this folder's flags. */
#include "kernels/delta_template.h"
#include "neon/kernels_neon.h"

void emz_delta_neon(const uint8_t *src, const uint8_t *base, uint8_t *dst, size_t size,
                    unsigned width, bool undo) {
    emz_delta_run(src, base, dst, size, width, undo);
}

size_t emz_low_join_neon(const uint8_t *const planes[4], size_t m, unsigned width, unsigned k,
                         const uint8_t *esc, size_t esc_size, const uint8_t *base, uint8_t *dst) {
    return emz_low_join_run(planes, 0, m, width, k, esc, esc_size, base, dst, emz_unpack_bits_neon);
}
