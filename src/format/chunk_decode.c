/* chunk_decode.c - parses and decodes one chunk payload; every field is checked against the
 * bytes actually present before it is used. */
#include "common/common.h"
#include "format/chunk_codec.h"
#include "format/code_table.h"
#include "format/huffman_build.h"

/* RAW bit strings end with zero bits up to the byte boundary; checking them makes every
 * single-bit change of a frame detectable. */
static bool raw_padding_is_zero(const uint8_t *raw, size_t n, unsigned width) {
    unsigned used = (unsigned)((n * width) % 8);
    return used == 0 || (raw[(n * width) / 8] >> used) == 0;
}

typedef struct reader {
    const uint8_t *p, *end;         /* the payload's streams, tail excluded */
    const uint8_t *readable_end;    /* how far a decoder may read ahead */
    unsigned version;               /* of the frame: its code table forms */
    const emz_chunk_tables *tables; /* SHARED streams' tables, or NULL */
    const emz_warm *warm;           /* what the next Huffman decode may prefetch, or NULL */
} reader;

/* The lane table of a HUFFMAN or SHARED stream of n symbols: its lanes' sizes and their sum,
 * which must fit in the payload. */
static emz_status read_lane_table(reader *r, size_t n, uint32_t lane_sizes[EMZ_HUFF_LANES],
                                  uint64_t *total) {
    unsigned lanes = emz_huff_lane_count(n);
    *total = 0;
    for (unsigned l = 0; l < lanes; l++) {
        size_t used = emz_leb128_read(r->p, (size_t)(r->end - r->p), &lane_sizes[l]);
        if (!used) return EMZ_ERROR_CORRUPT;
        r->p += used;
        *total += lane_sizes[l];
    }
    return *total > (uint64_t)(r->end - r->p) ? EMZ_ERROR_CORRUPT : EMZ_OK;
}

/* The lanes after a lane table, decoded with dec. */
static emz_status read_lanes(const emz_kernels *k, reader *r, size_t n,
                             const uint32_t lane_sizes[EMZ_HUFF_LANES], uint64_t total,
                             const emz_huff_dec *dec, uint8_t *syms) {
    emz_status st = k->huff_decode(r->p, lane_sizes, r->readable_end, dec, syms, n, r->warm);
    r->p += total;
    return st;
}

/* SHARED: the table number, then lanes coded with that table of the container's set, which
 * must exist and be for symbols of this width; a refusal says why in s->shared_fault. */
static emz_status read_shared(const emz_kernels *k, reader *r, size_t n, unsigned width,
                              uint8_t *syms, emz_chunk_scratch *s) {
    if (r->p >= r->end) return EMZ_ERROR_CORRUPT;
    unsigned table = *r->p++;
    const emz_chunk_tables *set = r->tables && r->tables->count ? r->tables : NULL;
    s->shared_table = table, s->shared_width = width;
    if (!set)
        s->shared_fault = EMZ_SHARED_FAULT_NO_SET;
    else if (table >= set->count)
        s->shared_fault = EMZ_SHARED_FAULT_NO_TABLE;
    else if (set->width[table] != width)
        s->shared_fault = EMZ_SHARED_FAULT_WIDTH;
    if (s->shared_fault != EMZ_SHARED_FAULT_NONE) return EMZ_ERROR_CORRUPT;
    uint32_t lane_sizes[EMZ_HUFF_LANES];
    uint64_t total;
    emz_status st = read_lane_table(r, n, lane_sizes, &total);
    return st != EMZ_OK ? st : read_lanes(k, r, n, lane_sizes, total, &r->tables->dec[table], syms);
}

/* Decodes a stream of n symbols of width bits (<= 8) into syms, one per byte. */
static emz_status read_stream_syms(const emz_kernels *k, reader *r, size_t n, unsigned width,
                                   uint8_t *syms, emz_chunk_scratch *s) {
    if (r->p >= r->end) return EMZ_ERROR_CORRUPT;
    int mode = *r->p++;
    size_t avail = (size_t)(r->end - r->p);
    if (mode == EMZ_MODE_RAW) {
        size_t size = emz_div_ceil(n * width, 8);
        if (avail < size || !raw_padding_is_zero(r->p, n, width)) return EMZ_ERROR_CORRUPT;
        k->unpack_bits(r->p, n, width, syms);
        r->p += size;
        return EMZ_OK;
    }
    if (mode == EMZ_MODE_CONSTANT) {
        if (n == 0 || avail < 1 || *r->p >> width) return EMZ_ERROR_CORRUPT;
        memset(syms, *r->p++, n);
        return EMZ_OK;
    }
    if (mode == EMZ_MODE_SHARED && n > 0 && r->version >= 2)
        return read_shared(k, r, n, width, syms, s);
    if (mode != EMZ_MODE_HUFFMAN || n == 0) return EMZ_ERROR_CORRUPT;
    uint8_t len[256];
    size_t table = emz_huff_table_read(r->p, avail, 1u << width, r->version, len);
    if (!table || table == EMZ_HUFF_TABLE_SHORT) return EMZ_ERROR_CORRUPT;
    r->p += table;
    uint32_t lane_sizes[EMZ_HUFF_LANES];
    uint64_t total;
    emz_status st = read_lane_table(r, n, lane_sizes, &total);
    if (st != EMZ_OK) return st;
    /* the multi-code table only where it pays: a long-code stream decodes in lockstep */
    emz_huff_dec_init(len, n, emz_huff_dec_wants_multi(n, total, k->huff_multi16_ps_per_bit),
                      &s->dec);
    return read_lanes(k, r, n, lane_sizes, total, &s->dec, syms);
}

/* Writes the RAW bit string of n copies of value (width up to 24 bits). */
static void fill_constant_packed(uint32_t value, size_t n, unsigned width, uint8_t *out) {
    uint64_t acc = 0;
    unsigned count = 0;
    for (size_t i = 0; i < n; i++) {
        acc |= (uint64_t)value << count;
        for (count += width; count >= 8; count -= 8, acc >>= 8)
            *out++ = (uint8_t)acc;
    }
    if (count) *out = (uint8_t)acc;
}

/* The sign+mantissa stream in RAW form, wherever it comes from: in place for RAW, rebuilt
 * in scratch for CONSTANT and HUFFMAN. */
static emz_status read_stream_packed(const emz_kernels *k, reader *r, size_t n, unsigned width,
                                     const uint8_t **packed, emz_chunk_scratch *s) {
    if (r->p >= r->end) return EMZ_ERROR_CORRUPT;
    int mode = *r->p;
    if (mode == EMZ_MODE_RAW) {
        size_t size = emz_div_ceil(n * width, 8);
        if ((size_t)(r->end - r->p - 1) < size || !raw_padding_is_zero(r->p + 1, n, width))
            return EMZ_ERROR_CORRUPT;
        *packed = r->p + 1;
        r->p += 1 + size;
        return EMZ_OK;
    }
    if (mode == EMZ_MODE_CONSTANT && width > 8) {
        size_t vb = emz_div_ceil(width, 8);
        if (n == 0 || (size_t)(r->end - r->p - 1) < vb) return EMZ_ERROR_CORRUPT;
        uint32_t value = 0;
        for (size_t i = 0; i < vb; i++)
            value |= (uint32_t)r->p[1 + i] << 8 * i;
        if (value >> width) return EMZ_ERROR_CORRUPT;
        fill_constant_packed(value, n, width, s->sm_packed);
        *packed = s->sm_packed;
        r->p += 1 + vb;
        return EMZ_OK;
    }
    if (width > 8) return EMZ_ERROR_CORRUPT; /* HUFFMAN needs symbols of at most 8 bits */
    emz_status st = read_stream_syms(k, r, n, width, s->sm_syms, s);
    if (st != EMZ_OK) return st;
    if (width == 8) {
        *packed = s->sm_syms;
    } else {
        k->pack_bits(s->sm_syms, n, width, s->sm_packed);
        *packed = s->sm_packed;
    }
    return EMZ_OK;
}

/* A stream of n symbols of width <= 8 bits, one a byte: read in place when it is RAW bytes,
 * else decoded into buf. */
static emz_status read_stream_bytes(const emz_kernels *k, reader *r, size_t n, unsigned width,
                                    uint8_t *buf, const uint8_t **syms, emz_chunk_scratch *s) {
    if (width == 8 && r->p < r->end && *r->p == EMZ_MODE_RAW) {
        if ((size_t)(r->end - r->p - 1) < n) return EMZ_ERROR_CORRUPT;
        *syms = r->p + 1;
        r->p += 1 + n;
        return EMZ_OK;
    }
    *syms = buf;
    return read_stream_syms(k, r, n, width, buf, s);
}

/* Version 2 BYTES: one 8-bit stream per byte of the element. */
static emz_status decode_bytes(const emz_kernels *k, reader *r, unsigned B, size_t m, uint8_t *dst,
                               emz_chunk_scratch *s) {
    const uint8_t *plane[4];
    for (unsigned b = 0; b < B; b++) {
        emz_status st =
            read_stream_bytes(k, r, m, 8, s->planes + b * EMZ_PLANE_STRIDE(m), &plane[b], s);
        if (st != EMZ_OK) return st;
    }
    (B == 2 ? k->bytes2_merge : k->bytes4_merge)(plane, m, dst);
    return EMZ_OK;
}

/* Version 2 SPLIT of FP16 and FP32: exponents, then the sign+mantissa planes. */
static emz_status decode_planes(const emz_kernels *k, reader *r, emz_type type, size_t m,
                                uint8_t *dst, emz_chunk_scratch *s) {
    const uint8_t *sym[4];
    const unsigned widths[2][4] = {{5, 8, 3}, {8, 8, 8, 8}};
    const unsigned *w = widths[type == EMZ_TYPE_FP32], streams = type == EMZ_TYPE_FP32 ? 4 : 3;
    for (unsigned i = 0; i < streams; i++) {
        uint8_t *buf = i == 0 ? s->exps : s->planes + (i - 1) * EMZ_PLANE_STRIDE(m);
        emz_status st = read_stream_bytes(k, r, m, w[i], buf, &sym[i], s);
        if (st != EMZ_OK) return st;
    }
    (type == EMZ_TYPE_FP16 ? k->fp16_planes_merge : k->fp32_planes_merge)(sym, m, dst);
    return EMZ_OK;
}

/* LOW (a DIFF chunk of a version 5 container, 2- and 4-byte elements): the shift k, then for 4
 * bytes the planes of bytes 0 and 1, then the k low bits (none when k is 0), then the high
 * symbols, then the escapes; joined, with the base added in the same pass. */
static emz_status decode_low(const emz_kernels *k, reader *r, unsigned width, size_t m,
                             const uint8_t *base, uint8_t *dst, emz_chunk_scratch *s) {
    if (r->p >= r->end || *r->p > 8) return EMZ_ERROR_CORRUPT;
    unsigned shift = *r->p++;
    const uint8_t *planes[4] = {NULL, NULL, NULL, NULL};
    unsigned at = 0;
    emz_status st = EMZ_OK;
    for (; width == 4 && at < 2 && st == EMZ_OK; at++)
        st = read_stream_bytes(k, r, m, 8, s->planes + at * EMZ_PLANE_STRIDE(m), &planes[at], s);
    /* the low bits packed (read in place when RAW, as they nearly always are): the join
     * unpacks them in registers */
    if (st == EMZ_OK && shift) st = read_stream_packed(k, r, m, shift, &planes[at], s);
    /* the base, which the join reads next, prefetched while the high symbols decode (read
     * from memory by the join, it made the join two to three times slower than with the base
     * in cache) */
    const emz_warm warm = {base, m * width};
    r->warm = &warm;
    if (st == EMZ_OK) st = read_stream_bytes(k, r, m, 8, s->exps, &planes[at + 1], s);
    r->warm = NULL;
    if (st != EMZ_OK) return st;
    /* the escapes: the rest of the payload */
    size_t used = k->low_join(planes, m, width, shift, r->p, (size_t)(r->end - r->p), base, dst);
    if (used == SIZE_MAX) return EMZ_ERROR_CORRUPT;
    r->p += used;
    return EMZ_OK;
}

emz_status emz_chunk_decode(const emz_kernels *k, emz_type type, unsigned version,
                            const uint8_t *base, bool low, const uint8_t *payload, size_t size,
                            const uint8_t *readable_end, uint8_t *dst, size_t len,
                            emz_chunk_scratch *s, const emz_chunk_tables *tables) {
    const emz_type_desc *d = emz_type_desc_get(type);
    size_t m = emz_chunk_slots(d, len), tail = emz_chunk_tail(d, len);
    unsigned element_bytes = d->element_bits / 8;
    bool v2 = version >= 2, wide = type == EMZ_TYPE_FP16 || type == EMZ_TYPE_FP32;
    s->shared_fault = EMZ_SHARED_FAULT_NONE;
    if (size < 1) return EMZ_ERROR_CORRUPT;
    int layout = payload[0];
    if (layout == EMZ_LAYOUT_WHOLE) tail = 0; /* the stream holds every byte */
    if (size < 1 + tail) return EMZ_ERROR_CORRUPT;
    reader r = {payload + 1, payload + size - tail, readable_end, version, tables, NULL};
    emz_status st;
    if (layout == EMZ_LAYOUT_WHOLE && (d->can_whole || v2)) {
        st = read_stream_syms(k, &r, len, 8, dst, s);
    } else if (layout == EMZ_LAYOUT_BYTES && v2 && element_bytes >= 2) {
        st = decode_bytes(k, &r, element_bytes, m, dst, s);
    } else if (layout == EMZ_LAYOUT_SPLIT && v2 && wide) {
        st = decode_planes(k, &r, type, m, dst, s);
    } else if (layout == EMZ_LAYOUT_LOW && low && base && element_bytes >= 2) {
        st = decode_low(k, &r, element_bytes, m, base, dst, s);
    } else if (layout == EMZ_LAYOUT_SPLIT && d->can_split) {
        const uint8_t *sm;
        st = read_stream_syms(k, &r, m, d->exp_bits, s->exps, s);
        if (st == EMZ_OK) st = read_stream_packed(k, &r, m, d->signmant_bits, &sm, s);
        if (st == EMZ_OK) k->merge[type](s->exps, sm, m, dst);
    } else {
        return EMZ_ERROR_CORRUPT;
    }
    if (st != EMZ_OK) return st;
    if (r.p != r.end) return EMZ_ERROR_CORRUPT;
    memcpy(dst + len - tail, payload + size - tail, tail);
    if (base) { /* the base added back: to the tail (LOW's join did the rest), or to all */
        size_t from = layout == EMZ_LAYOUT_LOW ? len - tail : 0;
        k->delta(dst + from, base + from, dst + from, len - from, emz_delta_width(type), true);
    }
    return EMZ_OK;
}
