/* channel_shift_rows.h - the row walk every ISA's channel shift kernel shares: a block's
 * elements cut into runs of consecutive channels (to the end of a row, or of the block), each
 * handed to the ISA's segment function, so that only the run's arithmetic differs by ISA. */
#ifndef EMZ_CHANNEL_SHIFT_ROWS_H
#define EMZ_CHANNEL_SHIFT_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* count elements of channels 0.. (shift and flip point at the run's first channel; flip may be
 * NULL). */
typedef void emz_channel_shift_segment(const uint8_t *src, uint8_t *dst, size_t count,
                                       unsigned bytes, const uint8_t *shift, const uint8_t *flip,
                                       uint32_t field, bool inverse);

static inline void emz_channel_shift_rows(emz_channel_shift_segment *segment, const uint8_t *src,
                                          uint8_t *dst, size_t n, unsigned bytes,
                                          const uint8_t *shift, const uint8_t *flip,
                                          size_t channels, uint32_t field, bool inverse) {
    for (size_t at = 0; at < n; at += channels) {
        size_t run = n - at < channels ? n - at : channels;
        segment(src + at * bytes, dst + at * bytes, run, bytes, shift, flip, field, inverse);
    }
}

#endif
