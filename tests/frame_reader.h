/* frame_reader.h - an independent, test-only emzip decoder written from docs/FORMAT.md, strict
 * about every rule there. Slow (bit by bit) and simple on purpose: it checks that the library
 * writes what the format document says, not just what its own decoder reads. */
#ifndef EMZ_FRAME_READER_H
#define EMZ_FRAME_READER_H

#include "frame_writer.h"

#include <stdbool.h>

typedef struct {
    const uint8_t *p;
    size_t n, pos;
    char *err;
    size_t errcap;
} fr_in;

#define FR_FAIL(in, ...)                                                                           \
    do {                                                                                           \
        snprintf((in)->err, (in)->errcap, __VA_ARGS__);                                            \
        return 0;                                                                                  \
    } while (0)

static inline int fr_byte(fr_in *in, unsigned *v) {
    if (in->pos >= in->n) FR_FAIL(in, "payload ends at offset %zu", in->pos);
    *v = in->p[in->pos++];
    return 1;
}

/* LSB-first bit reader over [start, start + size). */
typedef struct {
    const uint8_t *p;
    size_t size;
    uint64_t bit;
} fr_bits;

static inline int fr_getbit(fr_bits *b, unsigned *v) {
    if (b->bit >= 8 * (uint64_t)b->size) return 0;
    *v = (b->p[b->bit / 8] >> (b->bit % 8)) & 1;
    b->bit++;
    return 1;
}

/* How many code tables of each form were read: [0] nibble, [1] compact, [2] sparse form. */
static unsigned fr_forms_seen[3];

static inline int fr_bits_n(fr_bits *b, unsigned n, unsigned *v) {
    *v = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned bit;
        if (!fr_getbit(b, &bit)) return 0;
        *v |= bit << i;
    }
    return 1;
}

/* The compact form's lengths for first..last (FORMAT.md, "Code table"): they must end before
 * the nibble form's size and inside the payload; the padding bits must be 0. */
static inline int fr_compact_lengths(fr_in *in, unsigned first, unsigned last, uint8_t *len) {
    size_t nib = (last - first + 2) / 2, room = in->n - in->pos;
    fr_bits b = {in->p + in->pos, nib - 1 < room ? nib - 1 : room, 0};
    unsigned v, bit;
    if (!fr_bits_n(&b, 4, &v)) FR_FAIL(in, "compact table: no room for the first length");
    len[first] = (uint8_t)v;
    for (unsigned s = first + 1; s <= last; s++) {
        int prev = len[s - 1], l;
        if (!fr_getbit(&b, &bit)) FR_FAIL(in, "compact table ends at symbol %u", s);
        if (!bit) {
            l = prev;
        } else {
            unsigned b2, b3;
            if (!fr_getbit(&b, &b2) || !fr_getbit(&b, &b3))
                FR_FAIL(in, "compact table ends at symbol %u", s);
            if (!b2) { /* 1 0 x: x = 0 +1, x = 1 -1 */
                l = b3 ? prev - 1 : prev + 1;
            } else if (!b3) { /* 1 1 0 x */
                if (!fr_getbit(&b, &bit)) FR_FAIL(in, "compact table ends at symbol %u", s);
                l = bit ? prev - 2 : prev + 2;
            } else { /* 1 1 1 then the length in 4 bits */
                if (!fr_bits_n(&b, 4, &v)) FR_FAIL(in, "compact table ends at symbol %u", s);
                l = (int)v;
                if (l >= prev - 2 && l <= prev + 2)
                    FR_FAIL(in, "compact table: escape to %d after %d", l, prev);
            }
        }
        if (l < 0 || l > 11) FR_FAIL(in, "compact table: length %d", l);
        len[s] = (uint8_t)l;
    }
    while (b.bit % 8) {
        if (!fr_getbit(&b, &bit)) FR_FAIL(in, "compact table: padding outside its byte");
        if (bit) FR_FAIL(in, "compact table: nonzero padding bit");
    }
    in->pos += (size_t)(b.bit / 8);
    return 1;
}

/* The sparse form's lengths (version 3; FORMAT.md, "Code table"), after its 4-bit marker: the
 * count k (8 bits), len[first], k times a gap - 1 (W bits, W the bit length of last - first - 1)
 * and a length, then len[last]; within the nibble form's size minus one and the payload; the
 * padding bits 0. */
static inline int fr_sparse_lengths(fr_in *in, unsigned first, unsigned last, uint8_t *len) {
    size_t nib = (last - first + 2) / 2, room = in->n - in->pos;
    fr_bits b = {in->p + in->pos, nib - 1 < room ? nib - 1 : room, 0};
    unsigned v, k, bit, W = 0, prev = first;
    while (last > first + 1 && (last - first - 1) >> W)
        W++;
    if (!fr_bits_n(&b, 4, &v) || v != 0) FR_FAIL(in, "sparse table: marker");
    if (!fr_bits_n(&b, 8, &k)) FR_FAIL(in, "sparse table: no room for the count");
    if (k > last - first - 1)
        FR_FAIL(in, "sparse table: %u symbols between %u and %u", k, first, last);
    if (!fr_bits_n(&b, 4, &v)) FR_FAIL(in, "sparse table ends at its first length");
    len[first] = (uint8_t)v;
    for (unsigned i = 0; i < k; i++) {
        unsigned gap;
        if (!fr_bits_n(&b, W, &gap) || !fr_bits_n(&b, 4, &v))
            FR_FAIL(in, "sparse table ends at entry %u", i);
        prev += gap + 1;
        if (prev >= last) FR_FAIL(in, "sparse table: symbol %u not below last %u", prev, last);
        if (v == 0) FR_FAIL(in, "sparse table: symbol %u listed with length 0", prev);
        len[prev] = (uint8_t)v;
    }
    if (!fr_bits_n(&b, 4, &v)) FR_FAIL(in, "sparse table ends at its last length");
    len[last] = (uint8_t)v;
    while (b.bit % 8) {
        if (!fr_getbit(&b, &bit)) FR_FAIL(in, "sparse table: padding outside its byte");
        if (bit) FR_FAIL(in, "sparse table: nonzero padding bit");
    }
    in->pos += (size_t)(b.bit / 8);
    return 1;
}

/* Bytes of each form's length part for these lengths (after the 2 bytes of first and last). */
static inline void fr_form_sizes(const uint8_t *len, unsigned first, unsigned last, size_t sz[3]) {
    unsigned k = 0, W = 0;
    for (unsigned s = first + 1; s < last; s++)
        k += len[s] != 0;
    while (last > first + 1 && (last - first - 1) >> W)
        W++;
    sz[0] = (last - first + 2) / 2;
    sz[1] = (fw_compact_bits(len, (int)first, (int)last) + 7) / 8;
    sz[2] = (20 + (size_t)k * (W + 4) + 7) / 8;
}

/* The stream of n symbols of w bits at in->pos in a frame of the given version; symbols to
 * sym[]. */
static inline int fr_stream(fr_in *in, unsigned version, size_t n, unsigned w, uint32_t *sym,
                            int *mode_out) {
    unsigned mode;
    if (!fr_byte(in, &mode)) return 0;
    *mode_out = (int)mode;
    if (mode == 0) { /* RAW */
        uint64_t bytes = ((uint64_t)n * w + 7) / 8;
        if (bytes > in->n - in->pos)
            FR_FAIL(in, "RAW stream of %llu bytes overruns", (unsigned long long)bytes);
        fr_bits b = {in->p + in->pos, (size_t)bytes, 0};
        for (size_t j = 0; j < n; j++) {
            uint32_t v = 0;
            for (unsigned i = 0; i < w; i++) {
                unsigned bit = 0;
                fr_getbit(&b, &bit);
                v |= (uint32_t)bit << i;
            }
            sym[j] = v;
        }
        for (uint64_t i = b.bit; i < 8 * bytes; i++) {
            unsigned bit = 0;
            fr_getbit(&b, &bit);
            if (bit) FR_FAIL(in, "RAW stream: nonzero unused bit");
        }
        in->pos += (size_t)bytes;
        return 1;
    }
    if (mode == 3) { /* CONSTANT */
        if (n < 1) FR_FAIL(in, "CONSTANT stream with n = 0");
        uint64_t v = 0;
        for (unsigned i = 0; i < (w + 7) / 8; i++) {
            unsigned b;
            if (!fr_byte(in, &b)) return 0;
            v |= (uint64_t)b << (8 * i);
        }
        if (v >> w) FR_FAIL(in, "CONSTANT value %llu >= 2^%u", (unsigned long long)v, w);
        for (size_t j = 0; j < n; j++)
            sym[j] = (uint32_t)v;
        return 1;
    }
    if (mode != 5) FR_FAIL(in, "stream mode %u", mode);
    if (w > 8) FR_FAIL(in, "HUFFMAN stream with w = %u", w);
    if (n < 1) FR_FAIL(in, "HUFFMAN stream with n = 0");
    unsigned first, last;
    if (!fr_byte(in, &first) || !fr_byte(in, &last)) return 0;
    int compact = version >= 2 && first > last;
    if (compact) {
        unsigned t = first;
        first = last, last = t;
    }
    if (first > last || last >= (1u << w))
        FR_FAIL(in, "code table first %u last %u for w %u", first, last, w);
    uint8_t len[256] = {0};
    unsigned cnt = last - first + 1;
    int form = compact;
    if (compact && version >= 3) { /* the sparse form starts with 4 zero bits */
        if (in->pos >= in->n) FR_FAIL(in, "code table ends after first and last");
        if ((in->p[in->pos] & 15) == 0) form = 2;
    }
    if (form == 2) {
        if (!fr_sparse_lengths(in, first, last, len)) return 0;
    } else if (compact) {
        if (!fr_compact_lengths(in, first, last, len)) return 0;
    } else {
        for (unsigned i = 0; i < (cnt + 1) / 2; i++) {
            unsigned b;
            if (!fr_byte(in, &b)) return 0;
            len[first + 2 * i] = (uint8_t)(b & 15);
            if (2 * i + 1 < cnt)
                len[first + 2 * i + 1] = (uint8_t)(b >> 4);
            else if (b >> 4)
                FR_FAIL(in, "nonzero unused length nibble");
        }
    }
    { /* the form the version's writers choose: the smallest, ties to the older form */
        size_t sz[3];
        fr_form_sizes(len, first, last, sz);
        int want = version >= 3 && sz[2] < sz[0] && sz[2] < sz[1] ? 2
                   : version >= 2 && sz[1] < sz[0]                ? 1
                                                                  : 0;
        if (form != want)
            FR_FAIL(in, "code table in form %d where version %u writes form %d (sizes %zu %zu %zu)",
                    form, version, want, sz[0], sz[1], sz[2]);
    }
    fr_forms_seen[form]++;
    unsigned count[16] = {0}, coded = 0, kraft = 0;
    for (unsigned s = 0; s < 256; s++) {
        if (len[s] > 11) FR_FAIL(in, "code length %u > 11", len[s]);
        if (len[s]) {
            count[len[s]]++;
            coded++;
            kraft += 1u << (11 - len[s]);
        }
    }
    if (coded < 2) FR_FAIL(in, "Huffman code with %u symbols", coded);
    if (!len[first] || !len[last]) FR_FAIL(in, "first %u or last %u has no code", first, last);
    if (kraft != 1u << 11) FR_FAIL(in, "Huffman code not complete (Kraft %u/2048)", kraft);
    uint16_t sorted[256];
    unsigned offs[16] = {0};
    for (int l = 2; l < 16; l++)
        offs[l] = offs[l - 1] + count[l - 1];
    for (unsigned s = 0; s < 256; s++)
        if (len[s]) sorted[offs[len[s]]++] = (uint16_t)s;
    unsigned L = fw_lane_count(n);
    size_t S = (n + L - 1) / L;
    uint64_t lane_size[16];
    for (unsigned k = 0; k < L; k++) {
        uint64_t v = 0;
        unsigned i = 0, b;
        for (;;) {
            if (!fr_byte(in, &b)) return 0;
            v |= (uint64_t)(b & 0x7F) << (7 * i);
            i++;
            if (!(b & 0x80)) break;
            if (i == 5) FR_FAIL(in, "LEB128 longer than 5 bytes");
        }
        if (i > 1 && b == 0) FR_FAIL(in, "LEB128 with a superfluous zero group");
        if (v >> 32) FR_FAIL(in, "lane size >= 2^32");
        lane_size[k] = v;
    }
    for (unsigned k = 0; k < L; k++) {
        if (lane_size[k] > in->n - in->pos) FR_FAIL(in, "lane %u overruns the payload", k);
        fr_bits b = {in->p + in->pos, (size_t)lane_size[k], 0};
        for (size_t j = k * S; j < n && j < (k + 1) * S; j++) {
            /* canonical decoding as in zlib's puff */
            int code = 0, firstc = 0, index = 0, found = 0;
            for (int l = 1; l <= 11; l++) {
                unsigned bit = 0;
                if (!fr_getbit(&b, &bit)) FR_FAIL(in, "lane %u ends inside a code", k);
                code |= (int)bit;
                int c = (int)count[l];
                if (code - c < firstc) {
                    sym[j] = sorted[index + (code - firstc)];
                    found = 1;
                    break;
                }
                index += c;
                firstc += c;
                firstc <<= 1;
                code <<= 1;
            }
            if (!found) FR_FAIL(in, "invalid code in lane %u", k);
        }
        if ((b.bit + 7) / 8 != lane_size[k])
            FR_FAIL(in, "lane %u: %llu bits in %llu bytes", k, (unsigned long long)b.bit,
                    (unsigned long long)lane_size[k]);
        unsigned bit;
        while (fr_getbit(&b, &bit))
            if (bit) FR_FAIL(in, "lane %u: nonzero padding bit", k);
        in->pos += (size_t)lane_size[k];
    }
    return 1;
}

/* Index of a mode value in modes_seen[]: RAW 0, CONSTANT 1, HUFFMAN 2. */
static inline unsigned fr_mode_index(unsigned mode) {
    return mode == 0 ? 0 : mode == 3 ? 1 : 2;
}

/* Stores element j of value v (E + M' + 1 bits) into dst. */
static inline void fr_store_element(uint8_t *dst, unsigned type, unsigned esize, size_t j,
                                    uint32_t v) {
    if (type == EMZ_TYPE_FP4_E2M1) {
        if (j & 1)
            dst[j / 2] = (uint8_t)(dst[j / 2] | v << 4);
        else
            dst[j / 2] = (uint8_t)v;
    } else
        for (unsigned k = 0; k < esize; k++)
            dst[j * esize + k] = (uint8_t)(v >> (8 * k));
}

/* Reads count streams of m symbols of the given widths into sym[0..count) and counts modes. */
static inline int fr_streams(fr_in *in, unsigned version, size_t m, const unsigned *width,
                             unsigned count, uint32_t **sym, unsigned modes_seen[3]) {
    for (unsigned i = 0; i < count; i++) {
        int mode;
        sym[i] = tu_xmalloc((m ? m : 1) * sizeof **sym);
        if (!fr_stream(in, version, m, width[i], sym[i], &mode)) return 0;
        modes_seen[fr_mode_index((unsigned)mode)]++;
    }
    return 1;
}

/* Decodes a whole frame of version 1, 2 or 3. Returns 1 and a malloc'd *out on success; 0 with a
 * message otherwise. modes_seen counts the stream modes used, layouts_seen (may be NULL) the
 * chunk layouts: SPLIT with one sign+mantissa stream, SPLIT with planes, WHOLE, BYTES. */
static inline int fr_decode_layouts(const uint8_t *f, size_t fsize, uint8_t **out, size_t *out_n,
                                    char *err, size_t errcap, unsigned modes_seen[3],
                                    unsigned layouts_seen[4]) {
    fr_in hin = {f, fsize, 0, err, errcap};
    fr_in *in = &hin;
    unsigned no_layouts[4];
    if (!layouts_seen) layouts_seen = no_layouts;
    *out = NULL;
    if (fsize < 8) FR_FAIL(in, "frame of %zu bytes", fsize);
    if (f[0] != 0x89 || f[1] != 'E' || f[2] != 'M' || f[3] != 'Z') FR_FAIL(in, "magic");
    unsigned version = f[4];
    if (version < 1 || version > 4) FR_FAIL(in, "version %u", f[4]);
    unsigned type = f[5], log2 = f[6];
    if (type > 6) FR_FAIL(in, "type %u", type);
    if (log2 < 12 || log2 > 24) FR_FAIL(in, "chunk_log2 %u", log2);
    fw_tparams tp = fw_tp((emz_type)type);
    uint64_t osz, ec, C = (uint64_t)1 << log2, cc;
    size_t idx, at;
    uint32_t short_check = 0; /* short frame: checksum32 of the header, to fold out */
    int is_short = version >= 3 && (f[7] & 1);
    if (is_short) { /* the short header: one chunk, a LEB128 size, no index */
        if (f[7] & ~3u) FR_FAIL(in, "short header flags %u", f[7]);
        if ((f[7] & 2) && type != EMZ_TYPE_FP4_E2M1) FR_FAIL(in, "odd FP4 flag for type %u", type);
        osz = 0;
        at = 8;
        for (unsigned i = 0;; i++) {
            if (at >= fsize || i >= 4) FR_FAIL(in, "short header: size field");
            unsigned b = f[at++];
            osz |= (uint64_t)(b & 0x7F) << 7 * i;
            if (!(b & 0x80)) {
                if (i > 0 && b == 0) FR_FAIL(in, "short header: size not minimal");
                break;
            }
        }
        if (osz < 1 || osz > C) FR_FAIL(in, "short header: size %llu", (unsigned long long)osz);
        ec = type == EMZ_TYPE_FP4_E2M1 ? 2 * osz - (f[7] >> 1 & 1) : osz / tp.esize;
        if (fsize < at + 1 + 4) FR_FAIL(in, "short frame of %zu bytes", fsize);
        if (fsize - at - 4 > osz + 5) FR_FAIL(in, "short frame payload beyond the bound");
        short_check = fw_checksum32(f, at);
        cc = 1;
        idx = fsize - 4;
    } else {
        if (fsize < 36) FR_FAIL(in, "frame of %zu bytes", fsize);
        int streamed = version >= 4 && f[7] == 2; /* sizes in a 20-byte footer */
        if (f[7] != 0 && !streamed) FR_FAIL(in, "flags %u", f[7]);
        if (tu_get32(f + 24) != 0) FR_FAIL(in, "reserved");
        if (tu_get32(f + 28) != fw_checksum32(f, 28)) FR_FAIL(in, "header checksum");
        osz = tu_get64(f + 8), ec = tu_get64(f + 16);
        if (streamed) {
            if (osz || ec) FR_FAIL(in, "streamed frame with sizes in its header");
            if (fsize < 56) FR_FAIL(in, "streamed frame of %zu bytes", fsize);
            fsize -= 20;
            if (tu_get32(f + fsize + 16) != fw_checksum32(f + fsize, 16))
                FR_FAIL(in, "footer checksum");
            osz = tu_get64(f + fsize), ec = tu_get64(f + fsize + 8);
            if (osz > (uint64_t)1 << 62) FR_FAIL(in, "footer size");
        }
        if (type == EMZ_TYPE_FP4_E2M1) {
            if (!(ec == 2 * osz || (osz && ec == 2 * osz - 1)))
                FR_FAIL(in, "FP4 element_count %llu", (unsigned long long)ec);
        } else if (ec != osz / tp.esize)
            FR_FAIL(in, "element_count %llu", (unsigned long long)ec);
        cc = (osz + C - 1) / C;
        if (cc > (fsize - 36) / 8) FR_FAIL(in, "index does not fit");
        idx = fsize - 4 - 8 * (size_t)cc;
        if (tu_get32(f + fsize - 4) != fw_checksum32(f + idx, 8 * (size_t)cc))
            FR_FAIL(in, "index checksum");
        uint64_t sum = 0;
        for (uint64_t i = 0; i < cc; i++)
            sum += tu_get32(f + idx + 8 * i);
        if (sum != fsize - 36 - 8 * cc)
            FR_FAIL(in, "payload sizes sum to %llu", (unsigned long long)sum);
        at = 32;
    }
    (void)ec;
    uint8_t *o = malloc(osz ? (size_t)osz : 1);
    cr_assert(o != NULL);
    for (uint64_t i = 0; i < cc; i++) {
        size_t len = (size_t)((i + 1) * C <= osz ? C : osz - i * C);
        size_t psize = is_short ? fsize - at - 4 : tu_get32(f + idx + 8 * i);
        fr_in pin = {f + at, psize, 0, err, errcap};
        unsigned layout;
        int ok = fr_byte(&pin, &layout);
        size_t m, t = 0;
        uint8_t *dst = o + i * C;
        if (type == EMZ_TYPE_FP4_E2M1)
            m = 2 * len;
        else {
            m = len / (tp.esize ? tp.esize : 1);
            t = len % (tp.esize ? tp.esize : 1);
        }
        bool one_byte = type == EMZ_TYPE_BYTES || type == EMZ_TYPE_FP8_E4M3 ||
                        type == EMZ_TYPE_FP8_E5M2 || type == EMZ_TYPE_FP4_E2M1;
        uint32_t *sym[5] = {NULL, NULL, NULL, NULL, NULL};
        unsigned width[5], count = 0;
        if (ok && layout == 1) {
            if (version == 1 && !one_byte) {
                snprintf(err, errcap, "WHOLE for type %u in version 1", type);
                ok = 0;
            }
            width[0] = 8;
            if (ok) ok = fr_streams(&pin, version, len, width, 1, sym, modes_seen);
            if (ok) {
                layouts_seen[2]++;
                for (size_t j = 0; j < len; j++)
                    dst[j] = (uint8_t)sym[0][j];
            }
            t = 0;
        } else if (ok && layout == 3) {
            if (version == 1 || tp.esize < 2) {
                snprintf(err, errcap, "BYTES for type %u in version %u", type, version);
                ok = 0;
            }
            for (count = 0; count < tp.esize; count++)
                width[count] = 8;
            if (ok) ok = fr_streams(&pin, version, m, width, count, sym, modes_seen);
            if (ok) {
                layouts_seen[3]++;
                for (size_t j = 0; j < m; j++)
                    for (unsigned k = 0; k < count; k++)
                        dst[j * count + k] = (uint8_t)sym[k][j];
            }
        } else if (ok && layout == 0) {
            if (type == EMZ_TYPE_BYTES) {
                snprintf(err, errcap, "SPLIT for bytes");
                ok = 0;
            }
            unsigned M = tp.Mp + 1;
            width[count++] = tp.E;
            if (version == 1 || M <= 8)
                width[count++] = M;
            else
                for (unsigned k = 0; 8 * k < M; k++)
                    width[count++] = M - 8 * k < 8 ? M - 8 * k : 8;
            if (ok) ok = fr_streams(&pin, version, m, width, count, sym, modes_seen);
            if (ok) {
                layouts_seen[count > 2 ? 1 : 0]++;
                for (size_t j = 0; j < m; j++) {
                    uint32_t sm = 0;
                    for (unsigned k = 1; k < count; k++)
                        sm |= sym[k][j] << 8 * (k - 1);
                    uint32_t v = (sm >> tp.Mp) << (tp.E + tp.Mp) | sym[0][j] << tp.Mp |
                                 (sm & ((1u << tp.Mp) - 1));
                    fr_store_element(dst, type, tp.esize, j, v);
                }
            }
        } else if (ok) {
            snprintf(err, errcap, "layout %u", layout);
            ok = 0;
        }
        for (unsigned k = 0; k < 5; k++)
            free(sym[k]);
        if (ok && t > pin.n - pin.pos) {
            snprintf(err, errcap, "tail overruns");
            ok = 0;
        } else if (ok) {
            memcpy(dst + len - t, pin.p + pin.pos, t);
            pin.pos += t;
        }
        if (ok && pin.pos != psize) {
            snprintf(err, errcap, "chunk %llu: payload has %zu bytes after its end",
                     (unsigned long long)i, psize - pin.pos);
            ok = 0;
        }
        uint32_t want =
            is_short ? tu_get32(f + fsize - 4) ^ short_check : tu_get32(f + idx + 8 * i + 4);
        if (ok && want != fw_checksum32(dst, len)) {
            snprintf(err, errcap, "chunk %llu: checksum", (unsigned long long)i);
            ok = 0;
        }
        if (!ok) {
            char tmp[256];
            snprintf(tmp, sizeof tmp, "chunk %llu: %.200s", (unsigned long long)i, err);
            snprintf(err, errcap, "%s", tmp);
            free(o);
            return 0;
        }
        at += psize;
    }
    *out = o;
    *out_n = (size_t)osz;
    return 1;
}

static inline int fr_decode(const uint8_t *f, size_t fsize, uint8_t **out, size_t *out_n, char *err,
                            size_t errcap, unsigned modes_seen[3]) {
    return fr_decode_layouts(f, fsize, out, out_n, err, errcap, modes_seen, NULL);
}

#endif
