/* code_table.c - writing and reading code tables in their three forms (FORMAT.md, "Code
 * table"). A table is the code length of every symbol from first to last, the smallest and
 * largest symbols with a code: the nibble form stores them 4 bits each; the compact form as a
 * 4-bit first length and per symbol a short code for its change from the previous length (runs
 * of equal lengths cost a bit a symbol); the sparse form lists only the symbols that have a
 * code, each as a gap and a length (few symbols spread over a wide range: the byte planes of a
 * few hundred FP32 scales hold 7 distinct values between 0 and 219, 12 bytes sparse against 39
 * compact). */
#include "format/code_table.h"

#include "common/common.h"
#include "kernels/kernels.h"

#include <stdbool.h>
#include <string.h>

enum form { FORM_NIBBLE, FORM_COMPACT, FORM_SPARSE };

static void used_range(const uint8_t len[256], unsigned alphabet, unsigned *first, unsigned *last) {
    unsigned f = 0, l = alphabet - 1;
    while (f < alphabet && !len[f])
        f++;
    while (l > f && !len[l])
        l--;
    *first = f, *last = l;
}

/* Bytes of the nibble form's lengths, and of the compact form's bit string (FORMAT.md, "Code
 * table"): 4 bits for len[first], then per symbol a delta code against the previous length,
 * 0 same, 100 +1, 101 -1, 1100 +2, 1101 -2, 111 and 4 bits the length itself. */
static size_t nibble_bytes(unsigned first, unsigned last) {
    return (last - first + 2) / 2;
}

static unsigned delta_bits(int prev, int l) {
    int d = l - prev;
    return d == 0 ? 1 : d == 1 || d == -1 ? 3 : d == 2 || d == -2 ? 4 : 7;
}

static size_t compact_bytes(const uint8_t len[256], unsigned first, unsigned last) {
    size_t bits = 4;
    for (unsigned s = first + 1; s <= last; s++)
        bits += delta_bits(len[s - 1], len[s]);
    return (bits + 7) / 8;
}

static void put_bits(uint8_t *out, size_t *at, uint32_t value, unsigned n) {
    for (unsigned i = 0; i < n; i++, ++*at)
        out[*at / 8] |= (uint8_t)((value >> i & 1) << (*at % 8));
}

static size_t write_compact(const uint8_t len[256], unsigned first, unsigned last, uint8_t *out) {
    size_t nbytes = compact_bytes(len, first, last), at = 0;
    out[0] = (uint8_t)last, out[1] = (uint8_t)first; /* first > last marks the form */
    memset(out + 2, 0, nbytes);
    put_bits(out + 2, &at, len[first], 4);
    for (unsigned s = first + 1; s <= last; s++) {
        int d = len[s] - len[s - 1];
        if (d == 0)
            put_bits(out + 2, &at, 0, 1);
        else if (d == 1 || d == -1)
            put_bits(out + 2, &at, d > 0 ? 1 : 5, 3);
        else if (d == 2 || d == -2)
            put_bits(out + 2, &at, d > 0 ? 3 : 11, 4);
        else
            put_bits(out + 2, &at, 7u | (uint32_t)len[s] << 3, 7);
    }
    return 2 + nbytes;
}

/* The delta codes by their next 7 bits (first bit in bit 0): bits 0-2 the code's size in bits,
 * bits 3-5 the delta + 2, bit 6 an escape (the length is then bits 3-6 of the 7): a lookup
 * instead of three unpredictable branches a code. */
static const uint8_t delta_code[128] = {
    0x11, 0x1B, 0x11, 0x24, 0x11, 0x0B, 0x11, 0x47, 0x11, 0x1B, 0x11, 0x04, 0x11, 0x0B, 0x11, 0x47,
    0x11, 0x1B, 0x11, 0x24, 0x11, 0x0B, 0x11, 0x47, 0x11, 0x1B, 0x11, 0x04, 0x11, 0x0B, 0x11, 0x47,
    0x11, 0x1B, 0x11, 0x24, 0x11, 0x0B, 0x11, 0x47, 0x11, 0x1B, 0x11, 0x04, 0x11, 0x0B, 0x11, 0x47,
    0x11, 0x1B, 0x11, 0x24, 0x11, 0x0B, 0x11, 0x47, 0x11, 0x1B, 0x11, 0x04, 0x11, 0x0B, 0x11, 0x47,
    0x11, 0x1B, 0x11, 0x24, 0x11, 0x0B, 0x11, 0x47, 0x11, 0x1B, 0x11, 0x04, 0x11, 0x0B, 0x11, 0x47,
    0x11, 0x1B, 0x11, 0x24, 0x11, 0x0B, 0x11, 0x47, 0x11, 0x1B, 0x11, 0x04, 0x11, 0x0B, 0x11, 0x47,
    0x11, 0x1B, 0x11, 0x24, 0x11, 0x0B, 0x11, 0x47, 0x11, 0x1B, 0x11, 0x04, 0x11, 0x0B, 0x11, 0x47,
    0x11, 0x1B, 0x11, 0x24, 0x11, 0x0B, 0x11, 0x47, 0x11, 0x1B, 0x11, 0x04, 0x11, 0x0B, 0x11, 0x47,
};

/* One delta code from the 7 bits w: the length after prev, or -1 for an escape to a length that
 * a shorter code reaches or any length outside 0..11; *n gets the code's size in bits. */
static int decode_length(unsigned w, int prev, unsigned *n) {
    unsigned e = delta_code[w];
    *n = e & 7;
    if (e & 0x40) {
        int l = (int)(w >> 3);
        return (l - prev >= -2 && l - prev <= 2) || l > EMZ_HUFF_MAX_LEN ? -1 : l;
    }
    int l = prev + (int)(e >> 3) - 2;
    return (unsigned)l > EMZ_HUFF_MAX_LEN ? -1 : l;
}

/* The compact form's bit string must end before the nibble form's size (the writer's choice
 * is canonical) and inside avail. It is decoded from a zero-padded copy, 8 bytes loaded at a
 * time; the parse is a dependent chain (a code's size comes from a lookup of the bits the
 * previous code left): ~0.5 us a 256-symbol table, a tenth of emz_huff_dec_init's time.
 * Skipping runs of "same" codes with a count of trailing zeros measured twice as slow
 * (mispredicted run lengths). A code that runs past the bytes is an error, reported as a short
 * input when avail, not the nibble form's size, is what cut it. */
static size_t read_compact(const uint8_t *in, size_t avail, unsigned first, unsigned last,
                           uint8_t len[256]) {
    size_t limit = nibble_bytes(first, last) - 1, size = avail - 2 < limit ? avail - 2 : limit;
    size_t cut = avail - 2 < limit ? EMZ_HUFF_TABLE_SHORT : 0;
    uint8_t buf[128 + 16] = {0}; /* limit < 128, and the reader stops within 7 bits after it */
    memcpy(buf, in + 2, size);
    size_t at = 4, end = 8 * size;
    uint64_t bits = emz_load64(buf) >> 4; /* the bits from at on: 56 or more */
    unsigned taken = 0;                   /* bits of them taken */
    int prev = buf[0] & 0xF;
    if (at > end) return cut;
    if (prev > EMZ_HUFF_MAX_LEN) return 0;
    len[first] = (uint8_t)prev;
    for (unsigned s = first + 1; s <= last; s++) {
        unsigned n;
        prev = decode_length((unsigned)bits & 0x7F, prev, &n);
        bits >>= n, taken += n;
        if (at + taken > end) return cut;
        if (prev < 0) return 0;
        len[s] = (uint8_t)prev;
        if (taken > 49) {
            at += taken, taken = 0;
            bits = emz_load64(buf + at / 8) >> (at % 8);
        }
    }
    at += taken;
    size_t nbytes = (at + 7) / 8;
    if (at % 8 && in[2 + nbytes - 1] >> (at % 8)) return 0; /* padding bits must be 0 */
    return 2 + nbytes;
}

static size_t read_nibbles(const uint8_t *in, size_t avail, unsigned first, unsigned last,
                           uint8_t len[256]) {
    size_t nbytes = nibble_bytes(first, last);
    if (avail - 2 < nbytes) return EMZ_HUFF_TABLE_SHORT;
    for (unsigned s = first; s <= last; s++) {
        unsigned l = in[2 + (s - first) / 2] >> 4 * ((s - first) & 1) & 0xF;
        if (l > EMZ_HUFF_MAX_LEN) return 0;
        len[s] = (uint8_t)l;
    }
    /* The final pad nibble must be zero so that each table has one encoding. */
    if ((last - first + 1) & 1 && in[2 + nbytes - 1] >> 4) return 0;
    return 2 + nbytes;
}

/* The sparse form (version 3): after the marker (4 zero bits, a first length the compact form
 * never has), the count k of coded symbols strictly between first and last (8 bits),
 * len[first] (4 bits), then per such symbol its gap from the previous coded one minus one
 * (gap_width bits) and its length (4 bits), and len[last] (4 bits). */
static unsigned gap_width(unsigned first, unsigned last) {
    unsigned w = 0;
    while (last > first + 1 && (last - first - 1) >> w) /* a hostile first == last: 0 */
        w++;
    return w;
}

static size_t sparse_bytes(const uint8_t len[256], unsigned first, unsigned last) {
    unsigned k = 0;
    for (unsigned s = first + 1; s < last; s++)
        k += len[s] != 0;
    size_t bits = 4 + 8 + 4 + (size_t)k * (gap_width(first, last) + 4) + 4;
    return (bits + 7) / 8;
}

/* The form a writer of this version uses: the smallest, ties going to the older form. */
static enum form form_of(const uint8_t len[256], unsigned first, unsigned last, unsigned version) {
    size_t nibble = nibble_bytes(first, last);
    size_t compact = version >= 2 ? compact_bytes(len, first, last) : SIZE_MAX;
    size_t sparse = version >= 3 ? sparse_bytes(len, first, last) : SIZE_MAX;
    if (sparse < nibble && sparse < compact) return FORM_SPARSE;
    return compact < nibble ? FORM_COMPACT : FORM_NIBBLE;
}

static size_t write_sparse(const uint8_t len[256], unsigned first, unsigned last, uint8_t *out) {
    size_t nbytes = sparse_bytes(len, first, last), at = 0;
    unsigned k = 0, width = gap_width(first, last), prev = first;
    for (unsigned s = first + 1; s < last; s++)
        k += len[s] != 0;
    out[0] = (uint8_t)last, out[1] = (uint8_t)first;
    memset(out + 2, 0, nbytes);
    put_bits(out + 2, &at, 0, 4); /* the marker */
    put_bits(out + 2, &at, k, 8);
    put_bits(out + 2, &at, len[first], 4);
    for (unsigned s = first + 1; s < last; s++) {
        if (!len[s]) continue;
        put_bits(out + 2, &at, s - prev - 1, width);
        put_bits(out + 2, &at, len[s], 4);
        prev = s;
    }
    put_bits(out + 2, &at, len[last], 4);
    return 2 + nbytes;
}

/* Bits [*at, *at + n) of the n-byte string p, or -1 past its end. */
static int64_t get_bits(const uint8_t *p, size_t nbytes, size_t *at, unsigned n) {
    if (*at + n > 8 * nbytes) return -1;
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++, ++*at)
        v |= (uint32_t)(p[*at / 8] >> (*at % 8) & 1) << i;
    return v;
}

/* The sparse form must end before the nibble form's size (a writer would choose that
 * otherwise) and inside avail; every listed symbol lies strictly between the previous one and
 * last and has a length 1..11. */
static size_t read_sparse(const uint8_t *in, size_t avail, unsigned first, unsigned last,
                          uint8_t len[256]) {
    size_t limit = nibble_bytes(first, last) - 1, size = avail - 2 < limit ? avail - 2 : limit;
    size_t cut = avail - 2 < limit ? EMZ_HUFF_TABLE_SHORT : 0, at = 4;
    const uint8_t *p = in + 2;
    unsigned width = gap_width(first, last), prev = first;
    int64_t k = get_bits(p, size, &at, 8), l = get_bits(p, size, &at, 4);
    if (k < 0 || l < 0) return cut;
    if (l == 0 || l > EMZ_HUFF_MAX_LEN || k > (int64_t)(last - first - 1)) return 0;
    len[first] = (uint8_t)l;
    for (int64_t i = 0; i < k; i++) {
        int64_t gap = get_bits(p, size, &at, width);
        l = get_bits(p, size, &at, 4);
        if (gap < 0 || l < 0) return cut;
        if (prev + 1 + gap >= last || l == 0 || l > EMZ_HUFF_MAX_LEN) return 0;
        prev += 1 + (unsigned)gap;
        len[prev] = (uint8_t)l;
    }
    l = get_bits(p, size, &at, 4);
    if (l < 0) return cut;
    if (l == 0 || l > EMZ_HUFF_MAX_LEN) return 0;
    len[last] = (uint8_t)l;
    size_t nbytes = (at + 7) / 8;
    if (at % 8 && p[nbytes - 1] >> (at % 8)) return 0; /* padding bits must be 0 */
    return 2 + nbytes;
}

size_t emz_huff_table_size(const uint8_t len[256], unsigned alphabet, unsigned version) {
    unsigned first, last;
    used_range(len, alphabet, &first, &last);
    switch (form_of(len, first, last, version)) {
    case FORM_SPARSE:
        return 2 + sparse_bytes(len, first, last);
    case FORM_COMPACT:
        return 2 + compact_bytes(len, first, last);
    default:
        return 2 + nibble_bytes(first, last);
    }
}

size_t emz_huff_table_size_floor(unsigned first, unsigned last, unsigned coded, unsigned version) {
    size_t least = nibble_bytes(first, last);
    size_t compact = (4 + (size_t)(last - first) + 7) / 8; /* 1 bit a symbol after the first */
    if (version >= 2 && compact < least) least = compact;
    size_t k = coded > 2 ? coded - 2 : 0; /* the sparse form's inner symbols */
    size_t sparse = (4 + 8 + 4 + k * (gap_width(first, last) + 4) + 4 + 7) / 8;
    if (version >= 3 && sparse < least) least = sparse;
    return 2 + least;
}

size_t emz_huff_table_write(const uint8_t len[256], unsigned alphabet, unsigned version,
                            uint8_t *out) {
    unsigned first, last;
    used_range(len, alphabet, &first, &last);
    enum form form = form_of(len, first, last, version);
    if (form == FORM_SPARSE) return write_sparse(len, first, last, out);
    if (form == FORM_COMPACT) return write_compact(len, first, last, out);
    out[0] = (uint8_t)first;
    out[1] = (uint8_t)last;
    size_t nbytes = nibble_bytes(first, last);
    memset(out + 2, 0, nbytes);
    for (unsigned s = first; s <= last; s++)
        out[2 + (s - first) / 2] |= (uint8_t)(len[s] << 4 * ((s - first) & 1));
    return 2 + nbytes;
}

/* Byte 0 > byte 1 marks the compact and sparse forms (first < last in every table); the sparse
 * one then starts with 4 zero bits, a first length the compact form cannot have. */
size_t emz_huff_table_read(const uint8_t *in, size_t avail, unsigned alphabet, unsigned version,
                           uint8_t len[256]) {
    if (avail < 2) return EMZ_HUFF_TABLE_SHORT;
    enum form form = version >= 2 && in[0] > in[1] ? FORM_COMPACT : FORM_NIBBLE;
    unsigned first = form ? in[1] : in[0], last = form ? in[0] : in[1];
    if (first > last || last >= alphabet) return 0;
    if (form == FORM_COMPACT && version >= 3) {
        if (avail < 3) return EMZ_HUFF_TABLE_SHORT;
        if ((in[2] & 0xF) == 0) form = FORM_SPARSE;
    }
    memset(len, 0, 256);
    size_t size = form == FORM_SPARSE    ? read_sparse(in, avail, first, last, len)
                  : form == FORM_COMPACT ? read_compact(in, avail, first, last, len)
                                         : read_nibbles(in, avail, first, last, len);
    if (size == 0 || size == EMZ_HUFF_TABLE_SHORT) return size;
    if (form_of(len, first, last, version) != form) return 0; /* one encoding per table */
    unsigned used = 0;
    uint32_t kraft = 0;
    for (unsigned s = first; s <= last; s++)
        if (len[s]) used++, kraft += 1u << (EMZ_HUFF_MAX_LEN - len[s]);
    if (used < 2 || kraft != EMZ_HUFF_TABLE_SIZE || !len[first] || !len[last]) return 0;
    return size;
}
