/* bit_io.h - LSB-first bit string writer and bounds-safe reader for packed RAW symbols. */
#ifndef EMZ_BIT_IO_H
#define EMZ_BIT_IO_H

#include "common/common.h"

/* Writer: the caller sizes out for exactly ceil(total_bits / 8) bytes; 32-bit flushes only
 * ever write bits that exist, so no slack is needed. */
typedef struct bit_writer {
    uint8_t *out;
    uint64_t acc;
    unsigned count;
} bit_writer;

static inline void bit_writer_put(bit_writer *w, uint32_t value, unsigned width) {
    w->acc |= (uint64_t)value << w->count;
    w->count += width;
    if (w->count >= 32) {
        emz_store32(w->out, (uint32_t)w->acc);
        w->out += 4;
        w->acc >>= 32;
        w->count -= 32;
    }
}

static inline void bit_writer_finish(bit_writer *w) {
    for (; w->count > 0; w->count = w->count > 8 ? w->count - 8 : 0) {
        *w->out++ = (uint8_t)w->acc;
        w->acc >>= 8;
    }
}

/* Reader over exactly size bytes: never reads past them (missing bits read as 0). */
typedef struct bit_reader {
    const uint8_t *in;
    const uint8_t *end;
    uint64_t acc;
    unsigned count;
} bit_reader;

static inline uint32_t bit_reader_get(bit_reader *r, unsigned width) {
    if (r->count < width) {
        if (r->end - r->in >= 4) {
            r->acc |= (uint64_t)emz_load32(r->in) << r->count;
            r->in += 4;
            r->count += 32;
        } else {
            while (r->count < width) {
                if (r->in < r->end) r->acc |= (uint64_t)*r->in++ << r->count;
                r->count += 8;
            }
        }
    }
    uint32_t v = (uint32_t)(r->acc & ((1u << width) - 1));
    r->acc >>= width;
    r->count -= width;
    return v;
}

#endif
