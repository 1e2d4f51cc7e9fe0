/* huffman_build.c - package-merge code lengths, canonical codes, table I/O, decoder tables. */
#include "format/huffman_build.h"

#include "common/common.h"

#include <string.h>

/* Stable LSD radix sort of (weight, symbol) pairs by weight: symbols enter in increasing
 * order, so equal weights stay ordered by symbol, which makes the code deterministic. */
static void sort_by_weight(uint32_t *weight, uint8_t *symbol, unsigned n) {
    uint32_t w2[256];
    uint8_t s2[256];
    uint32_t *wa = weight, *wb = w2;
    uint8_t *sa = symbol, *sb = s2;
    for (unsigned shift = 0; shift < 32; shift += 8) {
        unsigned count[257] = {0};
        for (unsigned i = 0; i < n; i++)
            count[(wa[i] >> shift & 0xFF) + 1]++;
        if (count[1] == n) continue; /* this digit is 0 everywhere */
        for (unsigned d = 0; d < 256; d++)
            count[d + 1] += count[d];
        for (unsigned i = 0; i < n; i++) {
            unsigned at = count[wa[i] >> shift & 0xFF]++;
            wb[at] = wa[i], sb[at] = sa[i];
        }
        uint32_t *wt = wa;
        wa = wb, wb = wt;
        uint8_t *st = sa;
        sa = sb, sb = st;
    }
    if (wa != weight) memcpy(weight, wa, n * sizeof *weight), memcpy(symbol, sa, n);
}

/* Optimal (unlimited) Huffman code lengths in place, Moffat & Katajainen (1995): a[] holds
 * n >= 2 weights in increasing order and receives the lengths, longest first. Sums are
 * 64-bit, so that any 256 counts of up to 2^25 each fit (a chunk has at most 2^25 symbols). */
static void huffman_lengths_in_place(uint64_t *a, int n) {
    int root = 0, leaf = 2, next;
    a[0] += a[1];
    for (next = 1; next < n - 1; next++) {
        if (leaf >= n || a[root] < a[leaf])
            a[next] = a[root], a[root++] = (uint64_t)next;
        else
            a[next] = a[leaf++];
        if (leaf >= n || (root < next && a[root] < a[leaf]))
            a[next] += a[root], a[root++] = (uint64_t)next;
        else
            a[next] += a[leaf++];
    }
    a[n - 2] = 0;
    for (next = n - 3; next >= 0; next--)
        a[next] = a[a[next]] + 1;
    int avail = 1, used = 0, depth = 0;
    root = n - 2, next = n - 1;
    while (avail > 0) {
        while (root >= 0 && (int)a[root] == depth)
            used++, root--;
        while (avail > used)
            a[next--] = (uint64_t)depth, avail--;
        avail = 2 * used, depth++, used = 0;
    }
}

/* Optimal lengths limited to EMZ_HUFF_MAX_LEN by package-merge (Larmore & Hirschberg, 1990),
 * for n in [2, 256] weights w[] in increasing order; len[i] receives the length of w[i].
 * List d (1..11, in is_package[d - 1]) holds the leaves merged with the pairs (packages) of
 * list d + 1, list 11 being the leaves alone; the first 2n - 2 items of list 1 form the
 * optimal code (each taken leaf adds one to its symbol's length). Each list is cut to 2n - 2
 * items, as no more of it can be taken. A list is kept only as a bit per item, leaf
 * or package: the leaves of a list come in weight order, so the items taken from it are a
 * prefix holding a prefix of the leaves, a symbol's length is the number of lists whose taken
 * prefix holds its leaf, and lighter symbols never get shorter codes. On equal weights the
 * leaf goes before the package: the result is a function of the sorted weights alone (integer
 * only, the same on every ISA). Sums are 64-bit: up to 256 weights of up to 2^25 each, and a
 * package weighs at most their total. No allocation: ~14 KiB of stack. */
static void package_merge_lengths(const uint32_t *w, unsigned n, uint8_t *len) {
    enum { L = EMZ_HUFF_MAX_LEN };
    uint64_t cur[2 * 256], nxt[2 * 256];
    uint8_t is_package[L][2 * 256];
    unsigned keep = 2 * n - 2, size = n; /* n <= keep as n >= 2 */
    for (unsigned i = 0; i < n; i++)
        cur[i] = w[i], is_package[L - 1][i] = 0;
    for (unsigned level = L - 1; level-- > 0;) { /* list level + 1 from list level + 2 */
        unsigned packages = size / 2, leaf = 0, pkg = 0, out = 0;
        while (out < keep && (leaf < n || pkg < packages)) {
            uint64_t pw = pkg < packages ? cur[2 * pkg] + cur[2 * pkg + 1] : UINT64_MAX;
            if (leaf < n && w[leaf] <= pw)
                nxt[out] = w[leaf++], is_package[level][out++] = 0;
            else
                nxt[out] = pw, is_package[level][out++] = 1, pkg++;
        }
        memcpy(cur, nxt, out * sizeof *cur);
        size = out;
    }
    memset(len, 0, n);
    unsigned take = keep; /* items taken from the current list */
    for (unsigned level = 0; level < L && take > 0; level++) {
        unsigned packages = 0;
        for (unsigned i = 0; i < take; i++)
            packages += is_package[level][i];
        for (unsigned i = 0; i < take - packages; i++) /* the lightest take - packages leaves */
            len[i]++;
        take = 2 * packages;
    }
}

/* Optimal lengths by Moffat-Katajainen; if the longest exceeds the limit, optimal lengths
 * under the limit by package-merge instead. Package-merge replaced the length-limiting
 * adjustment of JPEG (ITU T.81, Annex K.3), a heuristic on the count of codes per length that
 * lost ~0.5% on FP8 whole-byte streams; chunks whose optimal code fits in 11 bits are coded
 * as before. Lengths go to symbols by weight, most frequent shortest, ties by symbol. */
uint64_t emz_huff_lengths(const uint32_t *hist, unsigned alphabet, uint8_t len[256]) {
    uint32_t a[256];
    uint8_t symbol[256];
    unsigned n = 0;
    for (unsigned s = 0; s < alphabet; s++)
        if (hist[s]) a[n] = hist[s], symbol[n++] = (uint8_t)s;
    memset(len, 0, 256);
    sort_by_weight(a, symbol, n);
    uint64_t depth[256]; /* weights, then code lengths */
    if (n < 2) return 0; /* not a Huffman code: the caller codes it as CONSTANT */
    for (unsigned i = 0; i < n; i++)
        depth[i] = a[i];
    huffman_lengths_in_place(depth, (int)n);

    unsigned count[256] = {0}, max_len = 0;
    for (unsigned i = 0; i < n; i++) {
        count[depth[i]]++;
        if (depth[i] > max_len) max_len = (unsigned)depth[i];
    }
    uint64_t bits = 0;
    if (max_len > EMZ_HUFF_MAX_LEN) {
        uint8_t limited[256];
        package_merge_lengths(a, n, limited);
        for (unsigned i = 0; i < n; i++) {
            len[symbol[i]] = limited[i];
            bits += (uint64_t)a[i] * limited[i];
        }
        return bits;
    }
    unsigned i = n; /* weights ascend, so hand lengths out from the heaviest down */
    for (unsigned l = 1; l <= EMZ_HUFF_MAX_LEN; l++)
        for (unsigned c = 0; c < count[l]; c++) {
            i--;
            len[symbol[i]] = (uint8_t)l;
            bits += (uint64_t)a[i] * l;
        }
    return bits;
}

/* Bit reversal of an 8-bit value, for turning canonical codes into LSB-first ones. */
static const uint8_t reversed_byte[256] = {
#define R2(n) n, n + 2 * 64, n + 1 * 64, n + 3 * 64
#define R4(n) R2(n), R2(n + 2 * 16), R2(n + 1 * 16), R2(n + 3 * 16)
#define R6(n) R4(n), R4(n + 2 * 4), R4(n + 1 * 4), R4(n + 3 * 4)
    R6(0), R6(2), R6(1), R6(3)
#undef R2
#undef R4
#undef R6
};

static uint32_t reverse_bits(uint32_t code, unsigned n) {
    uint32_t r = (uint32_t)reversed_byte[code & 0xFF] << 8 | reversed_byte[code >> 8 & 0xFF];
    return r >> (16 - n);
}

void emz_huff_enc_init(const uint8_t len[256], emz_huff_enc *enc) {
    unsigned bl_count[EMZ_HUFF_MAX_LEN + 1] = {0};
    uint32_t next_code[EMZ_HUFF_MAX_LEN + 1];
    for (unsigned s = 0; s < 256; s++)
        bl_count[len[s]]++;
    bl_count[0] = 0;
    uint32_t code = 0;
    for (unsigned l = 1; l <= EMZ_HUFF_MAX_LEN; l++) {
        code = (code + bl_count[l - 1]) << 1;
        next_code[l] = code;
    }
    for (unsigned s = 0; s < 256; s++) {
        enc->len[s] = len[s];
        enc->code[s] = len[s] ? (uint16_t)reverse_bits(next_code[len[s]]++, len[s]) : 0;
    }
}

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

/* The compact form is written when it is strictly smaller (only in version 2). */
static bool use_compact(const uint8_t len[256], unsigned first, unsigned last, unsigned version) {
    return version >= 2 && compact_bytes(len, first, last) < nibble_bytes(first, last);
}

size_t emz_huff_table_size(const uint8_t len[256], unsigned alphabet, unsigned version) {
    unsigned first, last;
    used_range(len, alphabet, &first, &last);
    if (use_compact(len, first, last, version)) return 2 + compact_bytes(len, first, last);
    return 2 + nibble_bytes(first, last);
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

size_t emz_huff_table_write(const uint8_t len[256], unsigned alphabet, unsigned version,
                            uint8_t *out) {
    unsigned first, last;
    used_range(len, alphabet, &first, &last);
    if (use_compact(len, first, last, version)) return write_compact(len, first, last, out);
    out[0] = (uint8_t)first;
    out[1] = (uint8_t)last;
    size_t nbytes = nibble_bytes(first, last);
    memset(out + 2, 0, nbytes);
    for (unsigned s = first; s <= last; s++)
        out[2 + (s - first) / 2] |= (uint8_t)(len[s] << 4 * ((s - first) & 1));
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

size_t emz_huff_table_read(const uint8_t *in, size_t avail, unsigned alphabet, unsigned version,
                           uint8_t len[256]) {
    if (avail < 2) return EMZ_HUFF_TABLE_SHORT;
    bool compact = version >= 2 && in[0] > in[1];
    unsigned first = compact ? in[1] : in[0], last = compact ? in[0] : in[1];
    if (first > last || last >= alphabet) return 0;
    memset(len, 0, 256);
    size_t size = compact ? read_compact(in, avail, first, last, len)
                          : read_nibbles(in, avail, first, last, len);
    if (size == 0 || size == EMZ_HUFF_TABLE_SHORT) return size;
    /* Version 2 writes the nibble form only when the compact form is not smaller. */
    if (!compact && use_compact(len, first, last, version)) return 0;
    unsigned used = 0;
    uint32_t kraft = 0;
    for (unsigned s = first; s <= last; s++)
        if (len[s]) used++, kraft += 1u << (EMZ_HUFF_MAX_LEN - len[s]);
    if (used < 2 || kraft != EMZ_HUFF_TABLE_SIZE || !len[first] || !len[last]) return 0;
    return size;
}

/* Which decoder loop is faster, from costs measured on Zen 5 (x86-64 assembly loops, a stream
 * of each size decoded 3000 times, fastest run): the lockstep loop (no multi-code table) takes
 * 0.40 ns a symbol with 16 lanes and 0.76 ns with 4 (its C form), whatever the code lengths;
 * the four-lane multi-code loop takes about 0.077 ns per bit of average code length a symbol
 * (3 bits: 0.23 ns, 4: 0.30, 5.1: 0.40, 6.8: 0.70; a lookup yields about 11 / bits symbols),
 * plus ~4 us to build the multi-code table. So the table pays for short codes in long streams:
 * BF16 and FP32 exponents (2-3 bits), not FP8 whole bytes (6.7 bits) or FP16 high bytes. All in
 * picoseconds; a symbol's bits are 8 * lane_bytes / n. */
#define LOCKSTEP16_PS 400
#define LOCKSTEP4_PS 760
#define MULTI_PS_PER_BIT 77
#define MULTI_BUILD_PS 4000000
bool emz_huff_dec_wants_multi(size_t n, uint64_t lane_bytes) {
    unsigned lanes = emz_huff_lane_count(n);
    if (lanes == 1) return false; /* no multi-code table for one lane (emz_huff_dec_init) */
    uint64_t lockstep = (uint64_t)n * (lanes == 16 ? LOCKSTEP16_PS : LOCKSTEP4_PS);
    uint64_t multi = 8 * MULTI_PS_PER_BIT * lane_bytes + MULTI_BUILD_PS;
    return multi < lockstep;
}

void emz_huff_dec_init(const uint8_t len[256], size_t n, bool multi, emz_huff_dec *dec) {
    emz_huff_enc enc;
    emz_huff_enc_init(len, &enc);
    for (unsigned s = 0; s < 256; s++) {
        unsigned l = len[s];
        if (!l) continue;
        uint16_t entry = (uint16_t)(l | s << 8);
        for (uint32_t i = enc.code[s]; i < EMZ_HUFF_TABLE_SIZE; i += 1u << l)
            dec->single[i] = entry;
    }
    dec->has_multi = multi && emz_huff_lane_count(n) > 1;
    if (!dec->has_multi) return;
    /* A lookup of the next 11 bits yields every code that lies wholly inside them, up to
     * four. A code found at the shifted index i >> used is valid only if it fits in the bits
     * that remain, because the high bits of the shifted index are zeros, not stream bits.
     * Measured slower, both: a branch-free walk (its dependent loads did not overlap), and
     * building entry i from entry i >> l1 cut to the remaining bits (1.7x slower). */
    for (uint32_t i = 0; i < EMZ_HUFF_TABLE_SIZE; i++) {
        uint8_t *e = dec->multi[i];
        uint32_t used = 0, n = 0;
        memset(e, 0, 8);
        while (n < EMZ_HUFF_MULTI_CODES) {
            uint32_t u = dec->single[i >> used], l = u & 0xFF;
            if (used + l > EMZ_HUFF_MAX_LEN) break;
            e[1 + n++] = (uint8_t)(u >> 8);
            used += l;
        }
        e[0] = (uint8_t)used;
        e[5] = (uint8_t)n;
    }
}
