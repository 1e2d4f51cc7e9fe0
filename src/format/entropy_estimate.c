/* entropy_estimate.c - order-0 entropy in fixed point: log2 from the leading bit and a
 * 256-step table of the fraction, accurate to about 1/256 bit a symbol. */
#include "format/entropy_estimate.h"

/* round(256 * log2(1 + i / 256)) for i = 0..256, sixteen a row. */
// clang-format off
static const uint16_t log2_frac_q8[257] = {
      0,   1,   3,   4,   6,   7,   9,  10,  11,  13,  14,  16,  17,  18,  20,  21,
     22,  24,  25,  26,  28,  29,  30,  32,  33,  34,  36,  37,  38,  40,  41,  42,
     44,  45,  46,  47,  49,  50,  51,  52,  54,  55,  56,  57,  59,  60,  61,  62,
     63,  65,  66,  67,  68,  69,  71,  72,  73,  74,  75,  77,  78,  79,  80,  81,
     82,  84,  85,  86,  87,  88,  89,  90,  92,  93,  94,  95,  96,  97,  98,  99,
    100, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 116, 117,
    118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133,
    134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149,
    150, 151, 152, 153, 154, 155, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164,
    165, 166, 167, 168, 169, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 178,
    179, 180, 181, 182, 183, 184, 185, 185, 186, 187, 188, 189, 190, 191, 192, 192,
    193, 194, 195, 196, 197, 198, 198, 199, 200, 201, 202, 203, 203, 204, 205, 206,
    207, 208, 208, 209, 210, 211, 212, 212, 213, 214, 215, 216, 216, 217, 218, 219,
    220, 220, 221, 222, 223, 224, 224, 225, 226, 227, 228, 228, 229, 230, 231, 231,
    232, 233, 234, 234, 235, 236, 237, 238, 238, 239, 240, 241, 241, 242, 243, 244,
    244, 245, 246, 247, 247, 248, 249, 249, 250, 251, 252, 252, 253, 254, 255, 255,
    256,
};
// clang-format on

/* log2(x) in 24.8 fixed point, x >= 1. */
static uint64_t log2_q8(uint64_t x) {
    unsigned e = 63 - (unsigned)__builtin_clzll(x);
    /* The 8 bits below the leading one, rounded by the table's neighbour. */
    uint64_t frac = e >= 8 ? (x >> (e - 8)) & 0xFF : (x << (8 - e)) & 0xFF;
    return (uint64_t)e * 256 + log2_frac_q8[frac];
}

uint64_t emz_entropy_bits_q8(const uint32_t *hist, unsigned alphabet) {
    uint64_t total = 0, sum = 0;
    for (unsigned s = 0; s < alphabet; s++)
        total += hist[s];
    if (total == 0) return 0;
    uint64_t log_total = log2_q8(total);
    for (unsigned s = 0; s < alphabet; s++)
        if (hist[s]) sum += (uint64_t)hist[s] * (log_total - log2_q8(hist[s]));
    return sum;
}

uint64_t emz_entropy_bits_floor(const uint32_t *hist, unsigned alphabet) {
    /* log2_q8 is within [-1.94, +0.5] of 256 log2(x): the fraction is truncated to 8 bits
     * (at most 256 log2(1 + 1/256) = 1.44 low) and its table rounded (0.5 either way). */
    uint64_t total = 0;
    for (unsigned s = 0; s < alphabet; s++)
        total += hist[s];
    uint64_t q8 = emz_entropy_bits_q8(hist, alphabet), margin = 3 * total;
    return q8 > margin ? (q8 - margin) / 256 : 0;
}
