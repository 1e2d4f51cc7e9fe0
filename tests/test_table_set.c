/* test_table_set.c - the table set object (docs/FORMAT.md, "Table set"): what the writer
 * writes, checked against the specification by hand; read-back; and every damaged or forged set
 * refused with the right status. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "format/code_table.h"
#include "format/huffman_build.h"
#include "format/table_set.h"
#include "test_data.h"

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t next_u32(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* Code lengths for a random histogram of symbols of width bits (about half of them used). */
static void random_lengths(unsigned width, uint8_t len[256]) {
    uint32_t hist[256] = {0};
    unsigned alphabet = 1u << width, used = 0;
    for (unsigned s = 0; s < alphabet; s++)
        if (alphabet <= 4 || next_u32() % 2) hist[s] = 1 + next_u32() % 5000, used++;
    if (used < 2) hist[0] = 7, hist[alphabet - 1] = 3;
    memset(len, 0, 256);
    emz_huff_lengths(hist, alphabet, len);
}

/* A set of n tables of widths cycling through 1..8; returns its serialization (malloc'd). */
static uint8_t *make_set(emz_table_set *ts, unsigned n, size_t *size) {
    memset(ts, 0, sizeof *ts);
    for (unsigned i = 0; i < n; i++) {
        uint8_t len[256];
        unsigned width = 1 + i % 8;
        random_lengths(width, len);
        cr_assert_eq(emz_table_set_add(ts, width, len), (int)i);
    }
    *size = emz_table_set_size(ts);
    uint8_t *out = malloc(*size);
    cr_assert_eq(emz_table_set_write(ts, out), *size);
    return out;
}

/* The checksum field recomputed after a forgery, so that the structural checks are reached. */
static void fix_checksum(uint8_t *b, size_t size) {
    uint32_t c = (uint32_t)XXH3_64bits(b, size - 4);
    memcpy(b + size - 4, &c, 4);
}

/* A code table parsed by hand from docs/FORMAT.md ("Code table"): first <= last, the nibble
 * form; first > last, the compact form (last, first, then a bit string). Returns its size. */
static unsigned hand_bits(const uint8_t *p, size_t *at, unsigned n) {
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++, ++*at)
        v |= (unsigned)(p[*at / 8] >> (*at % 8) & 1) << i;
    return v;
}

static size_t parse_table(const uint8_t *t, unsigned width, uint8_t len[256], unsigned *form) {
    memset(len, 0, 256);
    ++*form;
    if (t[0] <= t[1]) {
        unsigned first = t[0], last = t[1];
        cr_assert(last < (1u << width));
        for (unsigned s = first; s <= last; s++)
            len[s] = t[2 + (s - first) / 2] >> 4 * ((s - first) & 1) & 0xF;
        return 2 + (last - first + 2) / 2;
    }
    unsigned first = t[1], last = t[0];
    cr_assert(last < (1u << width));
    size_t at = 0;
    len[first] = (uint8_t)hand_bits(t + 2, &at, 4);
    for (unsigned s = first + 1; s <= last; s++) {
        int l = len[s - 1];
        if (hand_bits(t + 2, &at, 1)) {
            if (!hand_bits(t + 2, &at, 1))
                l += hand_bits(t + 2, &at, 1) ? -1 : 1;
            else if (!hand_bits(t + 2, &at, 1))
                l += hand_bits(t + 2, &at, 1) ? -2 : 2;
            else
                l = (int)hand_bits(t + 2, &at, 4);
        }
        cr_assert(l >= 0 && l <= 11);
        len[s] = (uint8_t)l;
    }
    size_t bytes = (at + 7) / 8;
    cr_assert(bytes < (last - first + 2) / 2, "the compact form only when smaller");
    return 2 + bytes;
}

Test(table_set, layout_follows_the_specification) {
    emz_table_set *ts = malloc(sizeof *ts);
    size_t size;
    uint8_t *b = make_set(ts, 10, &size);
    cr_assert(memcmp(b,
                     "\x89"
                     "EMT",
                     4) == 0);
    cr_assert_eq(b[4], 1);
    cr_assert_eq(b[5], 10);
    cr_assert(b[6] == 0 && b[7] == 0);
    size_t at = 8; /* walk the tables by hand: width, then a code table of either form */
    unsigned forms[2] = {0, 0};
    for (unsigned i = 0; i < 10; i++) {
        cr_assert_eq(b[at], 1 + i % 8);
        uint8_t len[256];
        size_t n = parse_table(b + at + 1, b[at], len, &forms[b[at + 1] > b[at + 2]]);
        cr_assert(memcmp(len, ts->len[i], 256) == 0, "table %u", i);
        at += 1 + n;
    }
    cr_assert(forms[0] > 0 && forms[1] > 0, "both forms: nibble %u compact %u", forms[0], forms[1]);
    cr_assert_eq(at + 4, size);
    uint32_t c;
    memcpy(&c, b + at, 4);
    cr_assert_eq(c, (uint32_t)XXH3_64bits(b, at));
    cr_assert_eq(ts->id, XXH3_64bits(b, size), "the id is the XXH3-64 of all the bytes");
    free(b);
    free(ts);
}

Test(table_set, reads_back_what_was_written) {
    emz_table_set *ts = malloc(sizeof *ts), *back = malloc(sizeof *back);
    for (unsigned n = 1; n <= 255; n += 37) {
        size_t size, used = 0;
        uint8_t *b = make_set(ts, n, &size);
        uint8_t *padded = calloc(size + 9, 1); /* bytes after the set are not read as part of it */
        memcpy(padded, b, size);
        cr_assert_eq(emz_table_set_read(padded, size + 9, back, &used), EMZ_OK);
        cr_assert_eq(used, size);
        cr_assert_eq(back->count, n);
        cr_assert_eq(back->id, ts->id);
        cr_assert(memcmp(back->width, ts->width, n) == 0);
        cr_assert(memcmp(back->len, ts->len, (size_t)n * 256) == 0);
        free(padded);
        free(b);
    }
    free(ts);
    free(back);
}

Test(table_set, different_sets_have_different_ids) {
    emz_table_set *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    size_t sa, sb;
    uint8_t *x = make_set(a, 3, &sa), *y = make_set(b, 3, &sb); /* other random tables */
    cr_assert(sa != sb || memcmp(x, y, sa) != 0);
    cr_assert_neq(a->id, b->id);
    free(x);
    free(y);
    free(a);
    free(b);
}

Test(table_set, add_refuses_invalid_tables) {
    emz_table_set *ts = calloc(1, sizeof *ts);
    uint8_t len[256] = {0};
    len[0] = len[1] = 1;
    cr_assert_eq(emz_table_set_add(ts, 0, len), -1, "width 0");
    cr_assert_eq(emz_table_set_add(ts, 9, len), -1, "width 9");
    len[1] = 2;
    cr_assert_eq(emz_table_set_add(ts, 2, len), -1, "incomplete code");
    len[1] = 1;
    len[7] = 3;
    cr_assert_eq(emz_table_set_add(ts, 2, len), -1, "a code outside the alphabet");
    len[7] = 0;
    uint8_t one[256] = {0};
    one[3] = 1;
    cr_assert_eq(emz_table_set_add(ts, 2, one), -1, "one symbol only");
    for (unsigned i = 0; i < EMZ_TABLE_SET_MAX; i++)
        cr_assert_eq(emz_table_set_add(ts, 1, len), (int)i);
    cr_assert_eq(emz_table_set_add(ts, 1, len), -1, "a full set");
    emz_table_set empty = {0};
    uint8_t out[16];
    cr_assert_eq(emz_table_set_write(&empty, out), 0, "an empty set is not written");
    free(ts);
}

Test(table_set, every_truncation_and_bit_flip_is_refused) {
    emz_table_set *ts = malloc(sizeof *ts), *back = malloc(sizeof *back);
    size_t size, used;
    uint8_t *b = make_set(ts, 12, &size);
    for (size_t n = 0; n < size; n++) {
        uint8_t *cut = malloc(n ? n : 1); /* exactly n bytes: ASan sees any read past them */
        memcpy(cut, b, n);
        emz_status st = emz_table_set_read(cut, n, back, &used);
        cr_assert(st == EMZ_ERROR_TRUNCATED, "cut at %zu: %s", n, emz_error_name(st));
        free(cut);
    }
    for (size_t bit = 0; bit < 8 * size; bit++) {
        b[bit / 8] ^= (uint8_t)(1u << bit % 8);
        emz_status st = emz_table_set_read(b, size, back, &used);
        cr_assert(st != EMZ_OK, "bit %zu flipped: accepted", bit);
        b[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    free(b);
    free(ts);
    free(back);
}

Test(table_set, forged_fields_are_refused_by_the_structural_checks) {
    emz_table_set *ts = malloc(sizeof *ts), *back = malloc(sizeof *back);
    size_t size, used;
    uint8_t *b = make_set(ts, 1, &size); /* one table of width 1: 8 + 1 + 3 + 4 bytes */
    cr_assert_eq(size, 16);
    static const struct {
        size_t at;
        uint8_t value;
        emz_status want;
        const char *what;
    } forged[] = {
        {0, 0x88, EMZ_ERROR_NOT_EMZIP, "magic"},
        {4, 2, EMZ_ERROR_UNSUPPORTED_VERSION, "version 2"},
        {4, 0, EMZ_ERROR_UNSUPPORTED_VERSION, "version 0"},
        {5, 0, EMZ_ERROR_CORRUPT, "no tables"},
        {6, 1, EMZ_ERROR_CORRUPT, "reserved byte 6"},
        {7, 0x80, EMZ_ERROR_CORRUPT, "reserved byte 7"},
        {8, 0, EMZ_ERROR_CORRUPT, "width 0"},
        {8, 9, EMZ_ERROR_CORRUPT, "width 9"},
        {9, 1, EMZ_ERROR_CORRUPT, "first > last"},
        {10, 2, EMZ_ERROR_CORRUPT, "last outside the alphabet"},
        {11, 0x12, EMZ_ERROR_CORRUPT, "incomplete code"},
        {11, 0xC1, EMZ_ERROR_CORRUPT, "a length of 12"},
    };
    for (unsigned i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        uint8_t f[16];
        memcpy(f, b, 16);
        f[forged[i].at] = forged[i].value;
        fix_checksum(f, 16);
        emz_status st = emz_table_set_read(f, 16, back, &used);
        cr_assert_eq(st, forged[i].want, "%s: %s", forged[i].what, emz_error_name(st));
    }
    uint8_t f[16];
    memcpy(f, b, 16);
    f[5] = 2; /* a second table that is not there: the checksum is read as one */
    fix_checksum(f, 16);
    cr_assert_neq(emz_table_set_read(f, 16, back, &used), EMZ_OK, "a missing second table");
    memcpy(f, b, 16);
    f[15] ^= 1;
    cr_assert_eq(emz_table_set_read(f, 16, back, &used), EMZ_ERROR_CHECKSUM);
    /* a width-3 table of five symbols whose lengths jump (the compact form would take 4
     * bytes): the nibble form, whose odd symbol count leaves a pad nibble that must be 0 */
    uint8_t len[256] = {0};
    len[0] = 4, len[1] = 1, len[2] = 4, len[3] = 2, len[4] = 3;
    emz_table_set *t2 = calloc(1, sizeof *t2);
    cr_assert_eq(emz_table_set_add(t2, 3, len), 0);
    uint8_t g[32];
    size_t gs = emz_table_set_write(t2, g);
    cr_assert_eq(gs, 8 + 1 + 2 + 3 + 4);
    cr_assert(g[9] == 0 && g[10] == 4, "the nibble form");
    g[13] |= 0x10;
    fix_checksum(g, gs);
    cr_assert_eq(emz_table_set_read(g, gs, back, &used), EMZ_ERROR_CORRUPT, "pad nibble");
    free(t2);
    free(b);
    free(ts);
    free(back);
}

/* A set of one table of the given width whose code table is the bytes t[0..n), then reads it
 * back; the status of the read. */
static emz_status read_forged(unsigned width, const uint8_t *t, size_t n, uint8_t len[256]) {
    uint8_t b[64] = {0x89, 'E', 'M', 'T', 1, 1, 0, 0};
    b[8] = (uint8_t)width;
    memcpy(b + 9, t, n);
    size_t size = 9 + n + 4;
    fix_checksum(b, size);
    emz_table_set *ts = calloc(1, sizeof *ts);
    size_t used;
    emz_status st = emz_table_set_read(b, size, ts, &used);
    if (st == EMZ_OK) {
        memcpy(len, ts->len[0], 256);
        cr_assert_eq(used, size);
    }
    free(ts);
    return st;
}

/* A compact table of width 3: last, first, then the bit string given as '0'/'1' characters in
 * stream order (spaces ignored), packed LSB-first. Returns its size. */
static size_t compact(uint8_t *t, unsigned first, unsigned last, const char *bits) {
    t[0] = (uint8_t)last, t[1] = (uint8_t)first;
    size_t at = 0;
    memset(t + 2, 0, 30);
    for (const char *c = bits; *c; c++)
        if (*c != ' ') t[2 + at / 8] |= (uint8_t)((*c == '1') << (at % 8)), at++;
    return 2 + (at + 7) / 8;
}

Test(table_set, compact_tables_are_checked) {
    uint8_t t[32], len[256];
    /* eight 3-bit codes: 4 bits of 3 (LSB first: 1100), seven "same" bits, 11 bits in 2 bytes */
    size_t n = compact(t, 0, 7, "1100 0000000");
    cr_assert_eq(n, 4);
    cr_assert_eq(read_forged(3, t, n, len), EMZ_OK);
    for (unsigned s = 0; s < 8; s++)
        cr_assert_eq(len[s], 3);
    /* 1, 2, 3, 4, 4 after +1, +1, +1, 0 (4 + 3 + 3 + 3 + 1 bits): first 3, last 7 */
    n = compact(t, 3, 7, "1000 100 100 100 0");
    cr_assert_eq(n, 4);
    cr_assert_eq(read_forged(3, t, n, len), EMZ_OK);
    cr_assert(len[3] == 1 && len[4] == 2 && len[5] == 3 && len[6] == 4 && len[7] == 4);
    /* 1, 3, 3, six unused, 3, 3 (width 4): +2, 0, an escape to 0, five 0, an escape to 3, 0 */
    n = compact(t, 0, 10, "1000 1100 0 1110000 00000 1111100 0");
    cr_assert_eq(n, 6);
    cr_assert_eq(read_forged(4, t, n, len), EMZ_OK);
    cr_assert(len[0] == 1 && len[1] == 3 && len[2] == 3 && len[3] == 0 && len[9] == 3);
    /* the same 1, 2, 3, 3 in four symbols takes 2 bytes either way: only the nibble form */
    n = compact(t, 4, 7, "1000 100 100 0");
    cr_assert_eq(read_forged(3, t, n, len), EMZ_ERROR_CORRUPT, "compact, not smaller");
    static const uint8_t nib4[] = {4, 7, 0x21, 0x33};
    cr_assert_eq(read_forged(3, nib4, sizeof nib4, len), EMZ_OK);
    static const struct {
        unsigned first, last;
        const char *bits, *what;
    } bad[] = {
        {0, 7, "0011 0000000", "first length 12"},
        {0, 7, "1101 100 0000 00", "a length of 12 after +1 from 11"},
        {0, 7, "1100 111 1100 000000", "escape to a length a delta code reaches"},
        {0, 7, "1100 111 0011 000000", "escape to 12"},
        {0, 6, "1100 000000", "incomplete code (seven 3-bit codes)"},
        {0, 7, "1100 101 000000", "over-complete code (a 2-bit code and seven 3-bit ones)"},
        {0, 2, "1000 101 0", "one symbol (and last without a code)"},
        {0, 2, "0000 100 0", "first without a code"},
        {0, 3, "1000 1101 0 0", "a negative length"},
        {0, 7, "1100 111 0000 111 1100 111 0000 111 1100 111 0000 111 1100 111 0000",
         "bits past the nibble form's size"},
        {0, 7, "1100 0000000 1", "a nonzero padding bit"},
        {0, 1, "1000 0", "compact form not smaller than the nibble form"},
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = compact(t, bad[i].first, bad[i].last, bad[i].bits);
        emz_status st = read_forged(3, t, n, len);
        cr_assert_eq(st, EMZ_ERROR_CORRUPT, "%s: %s", bad[i].what, emz_error_name(st));
    }
    /* the nibble form where the compact form is smaller: eight 3-bit codes */
    static const uint8_t nib[] = {0, 7, 0x33, 0x33, 0x33, 0x33};
    cr_assert_eq(read_forged(3, nib, sizeof nib, len), EMZ_ERROR_CORRUPT, "non-minimal form");
    /* a compact table cut short by the end of the bytes: truncated */
    n = compact(t, 0, 7, "1100 0000000");
    uint8_t b[16] = {0x89, 'E', 'M', 'T', 1, 1, 0, 0, 3};
    memcpy(b + 9, t, 3);
    emz_table_set *ts = calloc(1, sizeof *ts);
    size_t used;
    cr_assert_eq(emz_table_set_read(b, 12, ts, &used), EMZ_ERROR_TRUNCATED);
    free(ts);
}

/* emz_huff_table_size_floor is a lower bound of every code table's size over the same symbols
 * (chunk_encode.c skips building a stream's own code when a shared table beats even that), and
 * the size itself for some: codes of random histograms over narrow and wide ranges, sparse and
 * dense, of 4 to 256 symbols, in every format version. */
Test(code_table, size_floor_bounds_every_table) {
    uint64_t s = 99;
    unsigned equal = 0, tables = 0;
    for (int round = 0; round < 3000; round++) {
        unsigned alphabet = round % 3 == 0 ? 16 : 256;
        uint32_t hist[256] = {0};
        unsigned lo = (unsigned)(tu_rand(&s) % alphabet),
                 span = 1 + (unsigned)(tu_rand(&s) % alphabet);
        unsigned step = 1 + (unsigned)(tu_rand(&s) % 9);
        for (unsigned x = lo; x < alphabet && x < lo + span; x += step)
            hist[x] = 1 + (uint32_t)(tu_rand(&s) % (round % 2 ? 1000000 : 7));
        unsigned first = alphabet, last = 0, coded = 0;
        for (unsigned x = 0; x < alphabet; x++)
            if (hist[x]) first = first < x ? first : x, last = x, coded++;
        if (coded < 2) continue;
        uint8_t len[256] = {0};
        emz_huff_lengths(hist, alphabet, len);
        for (unsigned version = 1; version <= 3; version++) {
            size_t size = emz_huff_table_size(len, alphabet, version);
            size_t floor = emz_huff_table_size_floor(first, last, coded, version);
            cr_assert(floor <= size, "version %u, %u symbols %u..%u: floor %zu > size %zu", version,
                      coded, first, last, floor, size);
            equal += floor == size, tables++;
        }
    }
    cr_assert(tables > 6000 && equal > 100, "%u of %u tables at their floor", equal, tables);
}
