/* huffman_build.c - package-merge code lengths, canonical codes, table I/O, decoder tables. */
#include "huffman_build.h"

#include <string.h>

typedef struct leaf {
    uint32_t weight;
    uint16_t symbol;
} leaf;

/* Insertion sort: at most 256 leaves, usually ~40 exponents, and it is stable and simple. */
static void sort_leaves(leaf *v, unsigned n) {
    for (unsigned i = 1; i < n; i++) {
        leaf x = v[i];
        unsigned j = i;
        for (; j > 0 && (v[j - 1].weight > x.weight ||
                         (v[j - 1].weight == x.weight && v[j - 1].symbol > x.symbol));
             j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Package-merge (Larmore & Hirschberg) in its coin-collector form. Level lists hold at most
 * 2n-2 items, because the level above never selects more than n-1 packages. For each level
 * only the leaf/package pattern is kept; selecting the first k items of a level then means
 * "the smallest c leaves get one more bit, and 2(k-c) items of the level below are taken". */
uint64_t emz_huff_lengths(const uint32_t *hist, unsigned alphabet, uint8_t len[256]) {
    enum { L = EMZ_HUFF_MAX_LEN, MAXN = 256, CAP = 2 * MAXN };
    leaf leaves[MAXN];
    unsigned n = 0;
    for (unsigned s = 0; s < alphabet; s++)
        if (hist[s]) leaves[n++] = (leaf){hist[s], (uint16_t)s};
    memset(len, 0, 256);
    sort_leaves(leaves, n);

    uint64_t weight[2][CAP];
    uint8_t is_leaf[L][CAP];
    unsigned count[L];
    unsigned cap = 2 * n - 2;

    /* Deepest level: the leaves alone. */
    unsigned cur = 0;
    count[L - 1] = n < cap ? n : cap;
    for (unsigned i = 0; i < count[L - 1]; i++) {
        weight[cur][i] = leaves[i].weight;
        is_leaf[L - 1][i] = 1;
    }
    for (int level = L - 2; level >= 0; level--) {
        unsigned prev = cur, packages = count[level + 1] / 2, li = 0, pi = 0, k = 0;
        cur ^= 1;
        while (k < cap && (li < n || pi < packages)) {
            uint64_t pw = pi < packages ? weight[prev][2 * pi] + weight[prev][2 * pi + 1] : 0;
            if (li < n && (pi >= packages || leaves[li].weight <= pw)) {
                weight[cur][k] = leaves[li++].weight;
                is_leaf[level][k++] = 1;
            } else {
                weight[cur][k] = pw;
                is_leaf[level][k++] = 0;
                pi++;
            }
        }
        count[level] = k;
    }
    unsigned take = cap;
    for (unsigned level = 0; level < L && take; level++) {
        unsigned leaves_taken = 0;
        for (unsigned i = 0; i < take; i++) leaves_taken += is_leaf[level][i];
        for (unsigned i = 0; i < leaves_taken; i++) len[leaves[i].symbol]++;
        take = 2 * (take - leaves_taken);
    }
    uint64_t bits = 0;
    for (unsigned i = 0; i < n; i++) bits += (uint64_t)leaves[i].weight * len[leaves[i].symbol];
    return bits;
}

static uint32_t reverse_bits(uint32_t code, unsigned n) {
    uint32_t r = 0;
    for (unsigned i = 0; i < n; i++, code >>= 1) r = r << 1 | (code & 1);
    return r;
}

void emz_huff_enc_init(const uint8_t len[256], emz_huff_enc *enc) {
    unsigned bl_count[EMZ_HUFF_MAX_LEN + 1] = {0};
    uint32_t next_code[EMZ_HUFF_MAX_LEN + 1];
    for (unsigned s = 0; s < 256; s++) bl_count[len[s]]++;
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

static void used_range(const uint8_t len[256], unsigned alphabet, unsigned *first,
                       unsigned *last) {
    unsigned f = 0, l = alphabet - 1;
    while (f < alphabet && !len[f]) f++;
    while (l > f && !len[l]) l--;
    *first = f, *last = l;
}

size_t emz_huff_table_size(const uint8_t len[256], unsigned alphabet) {
    unsigned first, last;
    used_range(len, alphabet, &first, &last);
    return 2 + (last - first + 2) / 2;
}

size_t emz_huff_table_write(const uint8_t len[256], unsigned alphabet, uint8_t *out) {
    unsigned first, last;
    used_range(len, alphabet, &first, &last);
    out[0] = (uint8_t)first;
    out[1] = (uint8_t)last;
    size_t nbytes = (last - first + 2) / 2;
    memset(out + 2, 0, nbytes);
    for (unsigned s = first; s <= last; s++)
        out[2 + (s - first) / 2] |= (uint8_t)(len[s] << 4 * ((s - first) & 1));
    return 2 + nbytes;
}

size_t emz_huff_table_read(const uint8_t *in, size_t avail, unsigned alphabet, uint8_t len[256]) {
    if (avail < 2) return 0;
    unsigned first = in[0], last = in[1];
    if (first > last || last >= alphabet) return 0;
    size_t nbytes = (last - first + 2) / 2;
    if (avail - 2 < nbytes) return 0;
    memset(len, 0, 256);
    unsigned used = 0;
    uint32_t kraft = 0;
    for (unsigned s = first; s <= last; s++) {
        unsigned l = in[2 + (s - first) / 2] >> 4 * ((s - first) & 1) & 0xF;
        if (l > EMZ_HUFF_MAX_LEN) return 0;
        if (l) used++, kraft += 1u << (EMZ_HUFF_MAX_LEN - l);
        len[s] = (uint8_t)l;
    }
    /* The final pad nibble must be zero so that each table has one encoding. */
    if ((last - first + 1) & 1 && in[2 + nbytes - 1] >> 4) return 0;
    if (used < 2 || kraft != EMZ_HUFF_TABLE_SIZE || !len[first] || !len[last]) return 0;
    return 2 + nbytes;
}

void emz_huff_dec_init(const uint8_t len[256], emz_huff_dec *dec) {
    emz_huff_enc enc;
    emz_huff_enc_init(len, &enc);
    for (unsigned s = 0; s < 256; s++) {
        unsigned l = len[s];
        if (!l) continue;
        uint16_t entry = (uint16_t)(s | l << 8);
        for (uint32_t i = enc.code[s]; i < EMZ_HUFF_TABLE_SIZE; i += 1u << l) dec->single[i] = entry;
    }
    /* A lookup of the next 11 bits yields every code that lies wholly inside them. A code
     * found in the shifted index i >> used is valid only if it fits in the bits that remain,
     * because the high bits of the shifted index are zeros, not stream bits. */
    for (uint32_t i = 0; i < EMZ_HUFF_TABLE_SIZE; i++) {
        uint32_t t = dec->single[i], used = t >> 8, syms = t & 0xFF, n = 1;
        while (n < 3) {
            uint32_t u = dec->single[i >> used], l = u >> 8;
            if (used + l > EMZ_HUFF_MAX_LEN) break;
            syms |= (u & 0xFF) << 8 * n++;
            used += l;
        }
        dec->multi[i] = syms | used << 24 | n << 28;
    }
}
