/* huffman_decode_template.h - decodes the lanes of a Huffman stream, four (or six) at a time
 * with the multi-code table or eight at a time in lockstep without it. Included by one file per
 * instruction set (scalar/huffman_scalar.c, avx2/huffman_avx2.c), which defines EMZ_HUFF_DECODE
 * (the function's name) and may define EMZ_HUFF_FAST4, EMZ_HUFF_FAST6 and EMZ_HUFF_LOCKSTEP8
 * (assembly versions of the loops, see emz_huff_lanes4, _lanes6 and _lanes8): the same source
 * serves every build without a second copy.
 *
 * Several lanes in flight hide the latency of the table lookups (each lookup waits for the
 * previous one's shift of the same lane: and + load + shift, ~7 cycles on Zen 5). Each
 * lookup of 11 bits yields up to four symbols with one 4-byte store. The fast loops run a
 * precomputed number of rounds in which neither input reads nor output writes can leave
 * their bounds, so they check no bounds; the careful tail finishes each lane. */
#include "common/common.h"
#include "kernels/kernels.h"

typedef struct lane_state {
    const uint8_t *in; /* next byte not yet in bits */
    uint64_t bits;     /* stream bits, next one lowest */
    unsigned count;    /* valid bits in bits */
    size_t past_end;   /* zero bytes supplied beyond readable_end by the tail */
    uint8_t *out, *out_end;
} lane_state;

/* Branch-free refill: afterwards 56..63 bits are valid; needs 8 readable bytes at in. */
#define REFILL(s)                                                                                  \
    do {                                                                                           \
        (s).bits |= emz_load64((s).in) << (s).count;                                               \
        (s).in += (63 - (s).count) >> 3;                                                           \
        (s).count |= 56;                                                                           \
    } while (0)

/* One lookup: stores four symbol bytes (those past the count are overwritten by the next
 * lookups; a lookup runs only while four bytes remain before out_end) and advances by the
 * count. */
#define LOOKUP(s)                                                                                  \
    do {                                                                                           \
        const uint8_t *e = multi[(s).bits & (EMZ_HUFF_TABLE_SIZE - 1)];                            \
        memcpy((s).out, e + 1, 4);                                                                 \
        (s).out += e[5];                                                                           \
        (s).bits >>= e[0];                                                                         \
        (s).count -= e[0];                                                                         \
    } while (0)

/* Lookups per refill: 5 of at most 11 bits fit in the 56 bits a refill guarantees. */
#define LOOKUPS_PER_ROUND 5

/* Rounds whose refills stay before readable_end: a refill reads 8 bytes at in, which moves on
 * by at most 7 a round (every loop's refill). */
static size_t rounds_by_input(const uint8_t *in, const uint8_t *readable_end) {
    size_t left = (size_t)(readable_end - in);
    return left >= 8 ? (left - 8) / 7 : 0;
}

/* Rounds of multi-code lookups that neither write past out_end (a round advances out by at
 * most 5 x 4 bytes, and its last store ends at most 4 bytes past its last position) nor read
 * past readable_end. */
static size_t multi_rounds(const uint8_t *in, const uint8_t *out, const uint8_t *out_end,
                           const uint8_t *readable_end) {
    size_t by_out = (size_t)(out_end - out) / (LOOKUPS_PER_ROUND * 4);
    size_t by_in = rounds_by_input(in, readable_end);
    return by_out < by_in ? by_out : by_in;
}

static size_t safe_rounds(const lane_state *s, const uint8_t *readable_end) {
    return multi_rounds(s->in, s->out, s->out_end, readable_end);
}

/* Lanes progress at different rates (symbols per lookup vary), so when the first lane of
 * four runs out of safe rounds the others may still have an eighth of their symbols left.
 * A lane without safe rounds is therefore swapped for a stand-in that decodes zero bits into
 * scratch, and the others keep the fast loop until each is done; a call then runs at most
 * STANDIN_ROUNDS rounds, which bounds what a stand-in reads and writes. */
#define STANDIN_ROUNDS 64
static const uint8_t standin_input[STANDIN_ROUNDS * 7 + 8];

/* A stand-in for the four-lane loop: zero bits into size bytes of scratch. */
static lane_state standin_lane(uint8_t *scratch, size_t size) {
    return (lane_state){standin_input, 0, 0, 0, scratch, scratch + size};
}

/* The warm bytes of a decode (emz_warm): the next one to prefetch is p + asked. */
typedef struct warm_state {
    const uint8_t *p;
    size_t size, asked;
} warm_state;

static void run_four(lane_state *l, const uint8_t (*multi)[8], size_t rounds, warm_state *w) {
#ifdef EMZ_HUFF_FAST4
    emz_huff_lanes4 f;
    for (unsigned k = 0; k < 4; k++)
        f.in[k] = l[k].in, f.bits[k] = l[k].bits, f.count[k] = l[k].count, f.out[k] = l[k].out;
#ifdef EMZ_HUFF_FAST4_WARM
    if (w->p && w->asked < w->size) {
        f.warm = w->p + w->asked;
        EMZ_HUFF_FAST4_WARM(&f, multi, rounds);
        w->asked = (size_t)(f.warm - w->p);
    } else
#endif
        EMZ_HUFF_FAST4(&f, multi, rounds);
    for (unsigned k = 0; k < 4; k++)
        l[k].in = f.in[k], l[k].bits = f.bits[k], l[k].count = (unsigned)f.count[k],
        l[k].out = f.out[k];
#else
    lane_state a = l[0], b = l[1], c = l[2], d = l[3];
    while (rounds--) {
        REFILL(a);
        REFILL(b);
        REFILL(c);
        REFILL(d);
        for (int i = 0; i < LOOKUPS_PER_ROUND; i++) {
            LOOKUP(a);
            LOOKUP(b);
            LOOKUP(c);
            LOOKUP(d);
        }
    }
    l[0] = a, l[1] = b, l[2] = c, l[3] = d;
#endif
    (void)w;
}

/* Lanes s[0..4) to the ends of their safe rounds. */
static void decode_four_fast(lane_state *s, const uint8_t *readable_end, const uint8_t (*multi)[8],
                             warm_state *w) {
    uint8_t standin_output[STANDIN_ROUNDS * LOOKUPS_PER_ROUND * 4 + 4];
    for (;;) {
        size_t rounds = SIZE_MAX, safe[4];
        unsigned live = 0;
        for (unsigned k = 0; k < 4; k++) {
            safe[k] = safe_rounds(&s[k], readable_end);
            if (safe[k] == 0) continue;
            live++;
            if (safe[k] < rounds) rounds = safe[k];
        }
        if (live == 0) return;
        if (live < 4 && rounds > STANDIN_ROUNDS) rounds = STANDIN_ROUNDS;
        lane_state run[4];
        for (unsigned k = 0; k < 4; k++)
            run[k] = safe[k] ? s[k] : standin_lane(standin_output, sizeof standin_output);
        run_four(run, multi, rounds, w);
        for (unsigned k = 0; k < 4; k++)
            if (safe[k]) s[k] = run[k];
    }
}

/* A stream of one lane (fewer than 4096 symbols) has no multi-code table (see
 * emz_huff_dec_init): one code a lookup from single[], five lookups a refill, in rounds that
 * can neither write past out_end nor read past readable_end. */
static void decode_one_single(lane_state *s, const uint8_t *readable_end, const uint16_t *single) {
    for (;;) {
        size_t by_out = (size_t)(s->out_end - s->out) / LOOKUPS_PER_ROUND;
        size_t by_in = rounds_by_input(s->in, readable_end);
        size_t rounds = by_out < by_in ? by_out : by_in;
        if (rounds == 0) return;
        while (rounds--) {
            REFILL(*s);
            for (int i = 0; i < LOOKUPS_PER_ROUND; i++) {
                uint16_t t = single[s->bits & (EMZ_HUFF_TABLE_SIZE - 1)];
                *s->out++ = (uint8_t)(t >> 8);
                s->bits >>= t & 0xFF;
                s->count -= t & 0xFF;
            }
        }
    }
}

/* Lockstep decoding, for streams without a multi-code table (long codes: about one per
 * lookup anyway). Every lane decodes one symbol a step, so the lanes' outputs advance together
 * and one pointer addresses them all (lane k at row k of a tile, at a fixed distance), which
 * leaves registers for eight lanes in flight. A lane's bits are held with a marker: the stream bits
 * from byte in on, shifted right by those used, with a 1 above the valid ones; the bits used since
 * in are then the leading zeros, and no count is updated per lookup. A refill moves in by whole
 * bytes used and reloads, leaving 56..63 valid bits, enough for five lookups of at most 11.
 *
 * The symbols go to a tile on the stack, then each lane's row to its place: lanes are 8 KiB
 * apart in whole chunks, and eight byte stores a step to addresses 4 KiB apart ran 1.6x slower
 * than to rows TILE_STRIDE apart (Zen 5); the copy costs a few percent. */
#define MARKER ((uint64_t)1 << 63)
#define TILE_ROUNDS 200
#define TILE_STRIDE 1040 /* TILE_ROUNDS * LOOKUPS_PER_ROUND, and rows not 4 KiB apart */
#ifdef EMZ_HUFF_LOCKSTEP8
_Static_assert(TILE_STRIDE == EMZ_HUFF_TILE_STRIDE, "the assembly loop's row distance");
#endif

static inline unsigned bits_used(uint64_t marked) {
    return (unsigned)__builtin_clzll(marked); /* never 64: the marker is set */
}

/* A lane of lane_state to the marked form and back (decode_lockstep, and the six-lane loop):
 * in at the byte of the next unused bit, read before (so at or after the lane's start; the
 * caller has checked that 8 bytes are readable there), and back by reading a byte the last
 * refill read. */
static void to_marked(const lane_state *l, const uint8_t **in, uint64_t *bits) {
    unsigned back = (l->count + 7) / 8;
    *in = l->in - back;
    *bits = (emz_load64(*in) | MARKER) >> (back * 8 - l->count);
}

static void from_marked(lane_state *l, const uint8_t *in, uint64_t bits, uint8_t *out) {
    unsigned used = bits_used(bits);
    const uint8_t *q = in + used / 8;
    l->bits = *q >> (used % 8);
    l->count = 8 - used % 8;
    l->in = q + 1;
    l->out = out;
}

/* rounds >= 1 rounds of a refill and five lookups in each of L lanes (L a constant in every
 * call, so that the lanes stay in registers). */
static inline void lockstep_rounds(const uint8_t **in, uint64_t *bits, unsigned L, uint8_t *out,
                                   const uint16_t *single, size_t rounds) {
    for (; rounds; rounds--, out += LOOKUPS_PER_ROUND) {
        for (unsigned k = 0; k < L; k++) {
            unsigned used = bits_used(bits[k]);
            in[k] += used / 8;
            bits[k] = (emz_load64(in[k]) | MARKER) >> (used % 8);
        }
        for (unsigned i = 0; i < LOOKUPS_PER_ROUND; i++)
            for (unsigned k = 0; k < L; k++) {
                uint16_t t = single[bits[k] & (EMZ_HUFF_TABLE_SIZE - 1)];
                out[k * TILE_STRIDE + i] = (uint8_t)(t >> 8);
                bits[k] >>= t & 0xFF;
            }
    }
}

/* Rounds in which none of the L lanes can write past its end (a round writes five bytes a
 * lane; done rounds are behind them) or read past readable_end (a refill reads 8 bytes at
 * in[k], which moves by at most 7 a round). Lanes progress through their input at different
 * rates, so the bound of the first to near readable_end is far from the others' ends, and it
 * is taken again after the rounds it allowed. */
static size_t lockstep_safe_rounds(const lane_state *s, const uint8_t *const *in, unsigned L,
                                   size_t done, const uint8_t *readable_end) {
    size_t rounds = TILE_ROUNDS;
    for (unsigned k = 0; k < L; k++) {
        size_t by_out = (size_t)(s[k].out_end - s[k].out) / LOOKUPS_PER_ROUND - done;
        size_t by_in = rounds_by_input(in[k], readable_end);
        rounds = by_out < rounds ? by_out : rounds;
        rounds = by_in < rounds ? by_in : rounds;
    }
    return rounds;
}

/* memcpy in 16-byte steps, the last one overlapping: a plain memcpy of the row was inlined as
 * rep movsq, and FP8 per-tensor decompression took 5% longer with it. */
static inline void copy_row(uint8_t *dst, const uint8_t *src, size_t n) {
    if (n < 16) {
        for (size_t i = 0; i < n; i++)
            dst[i] = src[i];
        return;
    }
    for (size_t i = 0; i + 16 < n; i += 16)
        memcpy(dst + i, src + i, 16);
    memcpy(dst + n - 16, src + n - 16, 16);
}

/* Lanes s[0..L) into the marked form (in[k] at most one byte before the first unused bit,
 * which s[k].in minus its counted bytes is), then tiles of rounds while any are safe, then
 * back; nothing when the first load would not be safe. */
static inline void decode_lockstep(lane_state *s, unsigned L, const uint8_t *readable_end,
                                   const uint16_t *single, warm_state *w) {
    const uint8_t *in[8];
    uint64_t bits[8];
    uint8_t tile[8 * TILE_STRIDE];
    for (unsigned k = 0; k < L; k++)
        in[k] = s[k].in - (s[k].count + 7) / 8;
    size_t done = 0, rounds = lockstep_safe_rounds(s, in, L, 0, readable_end);
    if (rounds == 0) return;
    for (unsigned k = 0; k < L; k++)
        to_marked(&s[k], &in[k], &bits[k]);
    for (; rounds; rounds = lockstep_safe_rounds(s, in, L, done, readable_end)) {
#ifdef EMZ_HUFF_LOCKSTEP8
        if (L == 8) {
            emz_huff_lanes8 f;
            for (unsigned k = 0; k < 8; k++)
                f.in[k] = in[k], f.bits[k] = bits[k];
            f.out = tile;
#ifdef EMZ_HUFF_LOCKSTEP8_WARM
            if (w->p && w->asked < w->size) {
                f.warm = w->p + w->asked;
                EMZ_HUFF_LOCKSTEP8_WARM(&f, single, rounds);
                w->asked = (size_t)(f.warm - w->p);
            } else
#endif
                EMZ_HUFF_LOCKSTEP8(&f, single, rounds);
            for (unsigned k = 0; k < 8; k++)
                in[k] = f.in[k], bits[k] = f.bits[k];
        } else
#endif
            lockstep_rounds(in, bits, L, tile, single, rounds);
        for (unsigned k = 0; k < L; k++)
            copy_row(s[k].out + done * LOOKUPS_PER_ROUND, tile + k * TILE_STRIDE,
                     rounds * LOOKUPS_PER_ROUND);
        done += rounds;
    }
    (void)w;
    for (unsigned k = 0; k < L; k++)
        from_marked(&s[k], in[k], bits[k], s[k].out + done * LOOKUPS_PER_ROUND);
}

/* Lookups one at a time, reading bytes singly near the end of the input; bytes past
 * readable_end read as zero and are counted, so an overrunning lane is caught by the size
 * check rather than by reading memory it does not own. Multi-symbol lookups while a 4-byte
 * store fits in the lane (and a multi-code table exists: multi is NULL for one-lane streams),
 * single-symbol ones for its last bytes. */
static void decode_tail(lane_state *s, const uint8_t *readable_end, const uint8_t (*multi)[8],
                        const uint16_t *single) {
    while (s->out < s->out_end) {
        if (s->count < EMZ_HUFF_MAX_LEN) {
            if (readable_end - s->in >= 8) {
                REFILL(*s);
            } else {
                while (s->count <= 56) {
                    if (s->in < readable_end)
                        s->bits |= (uint64_t)*s->in++ << s->count;
                    else
                        s->past_end++;
                    s->count += 8;
                }
            }
        }
        if (multi && s->out_end - s->out >= 4) {
            LOOKUP(*s);
            continue;
        }
        uint16_t t = single[s->bits & (EMZ_HUFF_TABLE_SIZE - 1)];
        *s->out++ = (uint8_t)(t >> 8);
        s->bits >>= t & 0xFF;
        s->count -= t & 0xFF;
    }
}

#ifdef EMZ_HUFF_FAST6
/* A 16-lane stream through six slots: a lane without safe rounds gets its careful tail and
 * gives its slot to the next lane, so lanes that end early (their part of a chunk codes
 * shorter) leave no slot idle while lanes wait; when no lane is left to take a slot and four or
 * fewer remain, they finish in the four-lane loop. The lanes stay marked between the loop's
 * calls; in then points at the byte the last refill loaded from, and the next unused bit lies at
 * most 7 bytes on, which multi_rounds' 7 bytes a round already counts. */
typedef struct six_slots {
    emz_huff_lanes6 f;
    int lane[6]; /* the lane in each slot, or -1 for a stand-in */
    unsigned next;
    uint8_t standin_output[STANDIN_ROUNDS * LOOKUPS_PER_ROUND * 4 + 4];
} six_slots;

/* A stand-in decodes zero bits into scratch; set afresh before each call of the loop, which
 * then runs at most STANDIN_ROUNDS rounds (what standin_input and standin_output allow). */
static void set_standin(six_slots *p, unsigned k) {
    p->f.in[k] = standin_input;
    p->f.bits[k] = MARKER; /* standin_input is zeros */
    p->f.out[k] = p->standin_output;
}

/* Slot k takes the next lane that has a safe round (those that have none, possible only in a
 * forged lane table, get their tails), or a stand-in when none is left. */
static void fill_slot(six_slots *p, unsigned k, lane_state *st, const uint8_t *readable_end,
                      const emz_huff_dec *dec) {
    while (p->next < EMZ_HUFF_LANES) {
        lane_state *l = &st[p->next];
        if (safe_rounds(l, readable_end) == 0) {
            decode_tail(l, readable_end, dec->multi, dec->single);
            p->next++;
            continue;
        }
        to_marked(l, &p->f.in[k], &p->f.bits[k]);
        p->f.out[k] = l->out;
        p->lane[k] = (int)p->next++;
        return;
    }
    set_standin(p, k);
    p->lane[k] = -1;
}

static void decode_sixteen(lane_state *st, const uint8_t *readable_end, const emz_huff_dec *dec,
                           warm_state *w) {
    six_slots p;
    p.next = 0;
    for (unsigned k = 0; k < 6; k++)
        fill_slot(&p, k, st, readable_end, dec);
    for (;;) {
        size_t rounds = SIZE_MAX;
        unsigned live = 0;
        for (unsigned k = 0; k < 6; k++) {
            size_t safe = 0;
            while (p.lane[k] >= 0 &&
                   (safe = multi_rounds(p.f.in[k], p.f.out[k], st[p.lane[k]].out_end,
                                        readable_end)) == 0) {
                lane_state *l = &st[p.lane[k]];
                from_marked(l, p.f.in[k], p.f.bits[k], p.f.out[k]);
                decode_tail(l, readable_end, dec->multi, dec->single);
                fill_slot(&p, k, st, readable_end, dec);
            }
            if (p.lane[k] < 0) {
                set_standin(&p, k);
                continue;
            }
            live++;
            if (safe < rounds) rounds = safe;
        }
        if (live <= 4) break;
        if (live < 6 && rounds > STANDIN_ROUNDS) rounds = STANDIN_ROUNDS;
#ifdef EMZ_HUFF_FAST6_WARM
        if (w->p && w->asked < w->size) {
            p.f.warm = w->p + w->asked;
            EMZ_HUFF_FAST6_WARM(&p.f, dec->multi, rounds);
            w->asked = (size_t)(p.f.warm - w->p);
        } else
#endif
            EMZ_HUFF_FAST6(&p.f, dec->multi, rounds);
    }
    /* Four or fewer left: the four-lane loop, padded with ended lanes (back in lane_state's form
     * a lane may have no safe round left; the loop passes it over, and it gets its tail). */
    lane_state rest[4];
    int from[4];
    unsigned r = 0;
    for (unsigned k = 0; k < 6; k++)
        if (p.lane[k] >= 0) {
            from[r] = p.lane[k];
            rest[r] = st[p.lane[k]];
            from_marked(&rest[r], p.f.in[k], p.f.bits[k], p.f.out[k]);
            r++;
        }
    for (unsigned k = r; k < 4; k++)
        rest[k] = standin_lane(p.standin_output, 0);
    decode_four_fast(rest, readable_end, dec->multi, w);
    for (unsigned k = 0; k < r; k++) {
        st[from[k]] = rest[k];
        decode_tail(&st[from[k]], readable_end, dec->multi, dec->single);
    }
}
#endif

emz_status EMZ_HUFF_DECODE(const uint8_t *lanes, const uint32_t lane_sizes[EMZ_HUFF_LANES],
                           const uint8_t *readable_end, const emz_huff_dec *dec, uint8_t *out,
                           size_t n, const emz_warm *warm) {
    warm_state w = {warm ? warm->p : NULL, warm ? warm->size : 0, 0};
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
        decode_one_single(st, readable_end, dec->single);
        decode_tail(st, readable_end, NULL, dec->single);
    }
    if (lanes_count == 4 && !dec->has_multi) decode_lockstep(st, 4, readable_end, dec->single, &w);
    if (lanes_count == 16 && !dec->has_multi) {
        decode_lockstep(st, 8, readable_end, dec->single, &w);
        decode_lockstep(st + 8, 8, readable_end, dec->single, &w);
    }
    for (unsigned k = 0; lanes_count > 1 && !dec->has_multi && k < lanes_count; k++)
        decode_tail(&st[k], readable_end, NULL, dec->single);
#ifdef EMZ_HUFF_FAST6
    if (dec->has_multi && lanes_count == 16)
        decode_sixteen(st, readable_end, dec, &w);
    else
#endif
        for (unsigned g = 0; dec->has_multi && g + 4 <= lanes_count; g += 4) {
            decode_four_fast(st + g, readable_end, dec->multi, &w);
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
