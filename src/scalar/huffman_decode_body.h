/* huffman_decode_body.h - decodes the lanes of a Huffman stream, four at a time. Included by
 * one file per instruction set, which defines EMZ_HUFF_DECODE (the function's name): the same
 * source compiled with BMI2 gets single-instruction variable shifts, without a second copy.
 *
 * Four lanes in flight hide the load latency of the table lookups (measured on Zen 5: 4 lanes
 * ~2.7 G symbols/s; 8 lanes spill registers and are slower). Each lookup of 11 bits yields up
 * to three symbols with one 4-byte store. The fast loop runs a precomputed number of rounds in
 * which neither input reads nor output writes can leave their bounds, so it checks no bounds;
 * the careful tail finishes each lane one symbol at a time. */
#include "common.h"
#include "kernels.h"

typedef struct lane_state {
    const uint8_t *in;    /* next byte not yet in bits */
    uint64_t bits;        /* stream bits, next one lowest */
    unsigned count;       /* valid bits in bits */
    size_t past_end;      /* zero bytes supplied beyond readable_end by the tail */
    uint8_t *out, *out_end;
} lane_state;

/* Branch-free refill: afterwards 56..63 bits are valid; needs 8 readable bytes at in. */
#define REFILL(s)                                                                                 \
    do {                                                                                          \
        (s).bits |= emz_load64((s).in) << (s).count;                                              \
        (s).in += (63 - (s).count) >> 3;                                                          \
        (s).count |= 56;                                                                          \
    } while (0)

#define LOOKUP(s)                                                                                 \
    do {                                                                                          \
        uint32_t e = multi[(s).bits & (EMZ_HUFF_TABLE_SIZE - 1)];                                 \
        emz_store32((s).out, e);                                                                  \
        unsigned used = e >> 24 & 0xF;                                                            \
        (s).out += e >> 28;                                                                       \
        (s).bits >>= used;                                                                        \
        (s).count -= used;                                                                        \
    } while (0)

/* Rounds in which lane s can neither write past out_end (a round writes at most 16 bytes and
 * advances at most 15) nor read past readable_end (a round advances in by at most 7). */
static size_t safe_rounds(const lane_state *s, const uint8_t *readable_end) {
    size_t by_out = (size_t)(s->out_end - s->out) / 16;
    size_t left = (size_t)(readable_end - s->in);
    size_t by_in = left >= 8 ? (left - 8) / 7 : 0;
    return by_out < by_in ? by_out : by_in;
}

/* The fast loop keeps, per lane, only an absolute bit position and an output pointer (plus
 * the bit buffer it rebuilds from one load per round): three registers a lane, so four
 * lanes fit x86-64's sixteen without spilling, which the in/bits/count form did not. */
#define ROUND_LOAD(pos, bits) (bits = emz_load64(base + ((pos) >> 3)) >> ((pos) & 7))
#define ROUND_LOOKUP(pos, bits, out)                                                               \
    do {                                                                                          \
        uint32_t e = multi[(bits) & (EMZ_HUFF_TABLE_SIZE - 1)];                                   \
        emz_store32(out, e);                                                                      \
        unsigned used = e >> 24 & 0xF;                                                            \
        (out) += e >> 28;                                                                         \
        (bits) >>= used;                                                                          \
        (pos) += used;                                                                            \
    } while (0)

static void decode_four_fast(lane_state *s, const uint8_t *readable_end, const uint32_t *multi) {
    /* Positions are bit offsets from the first lane's next byte; bits before a lane's in
     * pointer that are still in its buffer (count of them) are accounted for by starting the
     * position count bits early. */
    const uint8_t *base = s[0].in;
    for (unsigned k = 1; k < 4; k++)
        if (s[k].in < base) base = s[k].in;
    for (;;) {
        size_t rounds = SIZE_MAX;
        for (unsigned k = 0; k < 4; k++) {
            size_t r = safe_rounds(&s[k], readable_end);
            if (r < rounds) rounds = r;
        }
        if (rounds == 0) return;
        uint64_t p0 = (uint64_t)(s[0].in - base) * 8 - s[0].count;
        uint64_t p1 = (uint64_t)(s[1].in - base) * 8 - s[1].count;
        uint64_t p2 = (uint64_t)(s[2].in - base) * 8 - s[2].count;
        uint64_t p3 = (uint64_t)(s[3].in - base) * 8 - s[3].count;
        uint8_t *o0 = s[0].out, *o1 = s[1].out, *o2 = s[2].out, *o3 = s[3].out;
        while (rounds--) {
            uint64_t b0, b1, b2, b3;
            ROUND_LOAD(p0, b0); ROUND_LOAD(p1, b1); ROUND_LOAD(p2, b2); ROUND_LOAD(p3, b3);
            /* 5 lookups of at most 11 bits fit in the 57 bits one load guarantees. */
            for (int i = 0; i < 5; i++) {
                ROUND_LOOKUP(p0, b0, o0); ROUND_LOOKUP(p1, b1, o1);
                ROUND_LOOKUP(p2, b2, o2); ROUND_LOOKUP(p3, b3, o3);
            }
        }
        uint64_t pos[4] = {p0, p1, p2, p3};
        uint8_t *outs[4] = {o0, o1, o2, o3};
        for (unsigned k = 0; k < 4; k++) {
            /* Back to the in/bits/count form with nothing buffered. */
            s[k].in = base + (pos[k] >> 3);
            s[k].bits = 0;
            s[k].count = 0;
            s[k].out = outs[k];
            if (pos[k] & 7) {
                s[k].bits = (uint64_t)(*s[k].in++ >> (pos[k] & 7));
                s[k].count = 8 - (unsigned)(pos[k] & 7);
            }
        }
    }
}

/* A stream short enough for one lane still gets the multi-symbol loop. */
static void decode_one_fast(lane_state *s, const uint8_t *readable_end, const uint32_t *multi) {
    for (size_t rounds; (rounds = safe_rounds(s, readable_end)) > 0;) {
        while (rounds--) {
            REFILL(*s);
            for (int i = 0; i < 5; i++) LOOKUP(*s);
        }
    }
}

/* Lookups one at a time, reading bytes singly near the end of the input; bytes past
 * readable_end read as zero and are counted, so an overrunning lane is caught by the size
 * check rather than by reading memory it does not own. Multi-symbol lookups while a 4-byte
 * store fits in the lane, single-symbol ones for its last bytes. */
static void decode_tail(lane_state *s, const uint8_t *readable_end, const uint32_t *multi,
                        const uint16_t *single) {
    while (s->out < s->out_end) {
        if (s->count < EMZ_HUFF_MAX_LEN) {
            if (readable_end - s->in >= 8) {
                REFILL(*s);
            } else {
                while (s->count <= 56) {
                    if (s->in < readable_end) s->bits |= (uint64_t)*s->in++ << s->count;
                    else s->past_end++;
                    s->count += 8;
                }
            }
        }
        if (s->out_end - s->out >= 4) {
            LOOKUP(*s);
            continue;
        }
        uint16_t t = single[s->bits & (EMZ_HUFF_TABLE_SIZE - 1)];
        *s->out++ = (uint8_t)t;
        s->bits >>= t >> 8;
        s->count -= t >> 8;
    }
}

emz_status EMZ_HUFF_DECODE(const uint8_t *lanes, const uint32_t lane_sizes[EMZ_HUFF_LANES],
                                  const uint8_t *readable_end, const emz_huff_dec *dec,
                                  uint8_t *out, size_t n) {
    unsigned lanes_count = emz_huff_lane_count(n);
    size_t per_lane = emz_div_ceil(n, lanes_count);
    const uint8_t *lane_start[EMZ_HUFF_LANES];
    lane_state st[EMZ_HUFF_LANES];
    const uint8_t *p = lanes;
    for (unsigned k = 0; k < lanes_count; k++) {
        size_t lo = k * per_lane < n ? k * per_lane : n;
        size_t hi = lo + per_lane < n ? lo + per_lane : n;
        lane_start[k] = p;
        st[k] = (lane_state){p, 0, 0, 0, out + lo, out + hi};
        p += lane_sizes[k];
    }
    if (lanes_count == 1) {
        decode_one_fast(st, readable_end, dec->multi);
        decode_tail(st, readable_end, dec->multi, dec->single);
    }
    for (unsigned g = 0; g + 4 <= lanes_count; g += 4) {
        decode_four_fast(st + g, readable_end, dec->multi);
        for (unsigned k = g; k < g + 4; k++)
            decode_tail(&st[k], readable_end, dec->multi, dec->single);
    }
    /* Every lane must end inside its last byte (exactly ceil(bits / 8) bytes) and pad it
     * with zero bits, so that no bit of a valid frame can change without notice. */
    for (unsigned k = 0; k < lanes_count; k++) {
        uint64_t fetched = (uint64_t)(st[k].in - lane_start[k]) + st[k].past_end;
        uint64_t consumed = fetched * 8 - st[k].count;
        unsigned pad = (unsigned)(-consumed & 7);
        if ((consumed + 7) / 8 != lane_sizes[k] || (st[k].bits & ((1u << pad) - 1)))
            return EMZ_ERROR_CORRUPT;
    }
    return EMZ_OK;
}
