/* frame_writer.h - an independent, test-only emzip frame writer written from docs/FORMAT.md.
 * It builds valid frames of version 2 (or 1) stream by stream (any chunk layout; RAW, CONSTANT
 * or HUFFMAN chosen per stream, with explicit code lengths if wanted) and reports where each
 * field went, so tests can forge exactly one field of an otherwise valid frame. It writes what
 * it is told even where the format forbids it (BYTES for a 1-byte type, WHOLE for FP16 in
 * version 1, ...), so that tests can forge whole layouts too. */
#ifndef EMZ_FRAME_WRITER_H
#define EMZ_FRAME_WRITER_H

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "test_util.h"

static inline uint32_t fw_checksum32(const void *p, size_t n) {
    return (uint32_t)XXH3_64bits(p, n);
}

/* ---- growable byte buffer and LSB-first bit writer ---- */

typedef struct {
    uint8_t *p;
    size_t n, cap;
} fw_buf;

static inline void fw_reserve(fw_buf *b, size_t extra) {
    if (b->n + extra <= b->cap) return;
    size_t c = b->cap ? b->cap : 256;
    while (c < b->n + extra)
        c *= 2;
    b->p = realloc(b->p, c);
    cr_assert(b->p != NULL);
    b->cap = c;
}
static inline void fw_bytes(fw_buf *b, const void *p, size_t n) {
    fw_reserve(b, n);
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
}
static inline void fw_u8(fw_buf *b, unsigned v) {
    uint8_t x = (uint8_t)v;
    fw_bytes(b, &x, 1);
}
static inline void fw_u32(fw_buf *b, uint32_t v) {
    uint8_t x[4];
    tu_put32(x, v);
    fw_bytes(b, x, 4);
}
static inline void fw_u64(fw_buf *b, uint64_t v) {
    uint8_t x[8];
    tu_put64(x, v);
    fw_bytes(b, x, 8);
}
/* Inserts n bytes of value v at offset at. */
static inline void fw_insert(fw_buf *b, size_t at, size_t n, uint8_t v) {
    fw_reserve(b, n);
    memmove(b->p + at + n, b->p + at, b->n - at);
    memset(b->p + at, v, n);
    b->n += n;
}
static inline void fw_remove(fw_buf *b, size_t at, size_t n) {
    memmove(b->p + at, b->p + at + n, b->n - at - n);
    b->n -= n;
}

typedef struct {
    fw_buf *b;
    uint64_t acc;
    unsigned nbits;
    uint64_t total_bits;
} fw_bits;

static inline void fw_putbits(fw_bits *w, uint32_t v, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        w->acc |= (uint64_t)((v >> i) & 1) << w->nbits;
        if (++w->nbits == 8) {
            fw_u8(w->b, (unsigned)w->acc);
            w->acc = 0;
            w->nbits = 0;
        }
        w->total_bits++;
    }
}
static inline void fw_flushbits(fw_bits *w) {
    if (w->nbits) fw_u8(w->b, (unsigned)w->acc);
    w->acc = 0;
    w->nbits = 0;
}

/* ---- element types ---- */

typedef struct {
    unsigned E, Mp,
        esize; /* exponent bits, mantissa bits without sign, bytes per element (0: FP4) */
} fw_tparams;

static inline fw_tparams fw_tp(emz_type t) {
    switch (t) {
    case EMZ_TYPE_BF16:
        return (fw_tparams){8, 7, 2};
    case EMZ_TYPE_FP16:
        return (fw_tparams){5, 10, 2};
    case EMZ_TYPE_FP32:
        return (fw_tparams){8, 23, 4};
    case EMZ_TYPE_FP8_E4M3:
        return (fw_tparams){4, 3, 1};
    case EMZ_TYPE_FP8_E5M2:
        return (fw_tparams){5, 2, 1};
    case EMZ_TYPE_FP4_E2M1:
        return (fw_tparams){2, 1, 0};
    default:
        return (fw_tparams){0, 0, 1};
    }
}

/* ---- streams ---- */

enum { FW_RAW = 0, FW_CONSTANT = 3, FW_HUFFMAN = 5 };
enum { FW_CODE_FLAT = 0, FW_CODE_SKEWED = 1 };
/* Code table forms (FORMAT.md, "Code table"): AUTO is the canonical choice of the version
 * (version 2: compact when strictly smaller; version 1: nibbles). */
enum { FW_FORM_AUTO = 0, FW_FORM_NIBBLE = 1, FW_FORM_COMPACT = 2 };

typedef struct {
    int mode; /* -1: automatic (CONSTANT if one value, HUFFMAN if w <= 8, else RAW) */
    int code; /* FW_CODE_FLAT or FW_CODE_SKEWED (lengths 1,2,...,k-1,k-1 for k <= 12) */
    const uint8_t *lengths; /* explicit code lengths for symbols 0..255, or NULL */
    int first, last;        /* code table range override, -1: derived */
    int64_t const_value;    /* CONSTANT value override, -1: the symbols' value */
    int form;               /* FW_FORM_*: the code table form */
} fw_sopt;

typedef struct {
    size_t mode_off;      /* offset of the mode byte within the payload */
    size_t table_off;     /* HUFFMAN: offset of "first" */
    size_t lens_off;      /* HUFFMAN: offset of the packed lengths (either form) */
    int form;             /* HUFFMAN: FW_FORM_NIBBLE or FW_FORM_COMPACT, as written */
    size_t lane_tab_off;  /* HUFFMAN: offset of the lane sizes (LEB128) */
    size_t lanes_off;     /* HUFFMAN: offset of lane 0 */
    size_t body_off;      /* offset just after the mode byte */
    size_t end;           /* offset just after the stream */
    uint8_t lengths[256]; /* HUFFMAN: the code lengths written */
    int first, last;
    int mode;
    size_t n;
    unsigned w;
    unsigned nlanes;
    uint32_t lane_size[16];
} fw_sloc;

/* Lanes of a HUFFMAN stream of n symbols (FORMAT.md, "Lanes"). */
static inline unsigned fw_lane_count(size_t n) {
    return n < 4096 ? 1 : n < 16384 ? 4 : 16;
}

/* Unsigned LEB128, minimal. Returns the number of bytes. */
static inline size_t fw_leb128(uint8_t *out, uint64_t v) {
    size_t k = 0;
    do {
        uint8_t b = v & 0x7F;
        v >>= 7;
        out[k++] = (uint8_t)(b | (v ? 0x80 : 0));
    } while (v);
    return k;
}

static inline void fw_code_lengths(const uint32_t *hist, unsigned nsym, int code, uint8_t *len) {
    memset(len, 0, 256);
    unsigned present[256], k = 0;
    for (unsigned s = 0; s < nsym; s++)
        if (hist[s]) present[k++] = s;
    if (k < 2) { /* a Huffman code needs two symbols with codes: add a neighbour */
        unsigned s = k ? present[0] : 0;
        unsigned o = s + 1 < nsym ? s + 1 : s - 1;
        k = 0;
        present[k++] = s < o ? s : o;
        present[k++] = s < o ? o : s;
    }
    if (code == FW_CODE_SKEWED && k <= 12) {
        for (unsigned i = 0; i < k; i++)
            len[present[i]] = (uint8_t)(i + 1 < k ? i + 1 : k - 1);
        return;
    }
    unsigned L = 0;
    while ((1u << L) < k)
        L++;
    unsigned d = (1u << L) - k;
    for (unsigned i = 0; i < k; i++)
        len[present[i]] = (uint8_t)(i < d ? L - 1 : L);
}

/* Canonical codes as in DEFLATE; meaningless (but harmless) for invalid length sets. */
static inline void fw_canonical(const uint8_t *len, uint32_t *codes) {
    unsigned bl_count[16] = {0}, next[16] = {0};
    for (int s = 0; s < 256; s++)
        bl_count[len[s] & 15]++;
    bl_count[0] = 0;
    unsigned code = 0;
    for (int b = 1; b < 16; b++) {
        code = (code + bl_count[b - 1]) << 1;
        next[b] = code;
    }
    for (int s = 0; s < 256; s++)
        codes[s] = len[s] ? next[len[s] & 15]++ : 0;
}

/* The compact form's code for length l after length prev: {bits, count}, bits in stream order
 * (first bit first). 0 same; 1,0,0 +1; 1,0,1 -1; 1,1,0,0 +2; 1,1,0,1 -2; 1,1,1 + 4-bit l. */
static inline unsigned fw_delta_code(int prev, int l, const char **bits) {
    static char esc[8];
    switch (l - prev) {
    case 0:
        *bits = "0";
        return 1;
    case 1:
        *bits = "100";
        return 3;
    case -1:
        *bits = "101";
        return 3;
    case 2:
        *bits = "1100";
        return 4;
    case -2:
        *bits = "1101";
        return 4;
    default:
        for (int i = 0; i < 4; i++)
            esc[3 + i] = (char)('0' + ((l >> i) & 1));
        esc[0] = esc[1] = esc[2] = '1';
        esc[7] = 0;
        *bits = esc;
        return 7;
    }
}

/* Bits of the compact form's string for lengths first..last. */
static inline size_t fw_compact_bits(const uint8_t *len, int first, int last) {
    size_t bits = 4;
    const char *code;
    for (int s = first + 1; s <= last; s++)
        bits += fw_delta_code(len[s - 1] & 15, len[s] & 15, &code);
    return bits;
}

/* Writes the code table of the chosen form and records where its parts went. */
static inline void fw_write_table(fw_buf *b, size_t base, unsigned version, const fw_sopt *o,
                                  fw_sloc *loc) {
    int first = loc->first, last = loc->last;
    size_t nib = (size_t)(last - first + 2) / 2;
    size_t cmp = (fw_compact_bits(loc->lengths, first, last) + 7) / 8;
    int form = o ? o->form : FW_FORM_AUTO;
    if (form == FW_FORM_AUTO) form = version >= 2 && cmp < nib ? FW_FORM_COMPACT : FW_FORM_NIBBLE;
    loc->form = form;
    loc->table_off = b->n - base;
    if (form == FW_FORM_NIBBLE) {
        fw_u8(b, (unsigned)first);
        fw_u8(b, (unsigned)last);
        loc->lens_off = b->n - base;
        for (int s = first; s <= last; s += 2) {
            unsigned lo = s < 256 ? loc->lengths[s] : 0,
                     hi = (s + 1 <= last && s + 1 < 256) ? loc->lengths[s + 1] : 0;
            fw_u8(b, (lo & 15) | (hi & 15) << 4);
        }
        return;
    }
    fw_u8(b, (unsigned)last); /* the compact form: last, then first */
    fw_u8(b, (unsigned)first);
    loc->lens_off = b->n - base;
    fw_bits bw = {b, 0, 0, 0};
    fw_putbits(&bw, loc->lengths[first] & 15u, 4);
    for (int s = first + 1; s <= last; s++) {
        const char *code;
        unsigned k = fw_delta_code(loc->lengths[s - 1] & 15, loc->lengths[s] & 15, &code);
        for (unsigned i = 0; i < k; i++)
            fw_putbits(&bw, (uint32_t)(code[i] - '0'), 1);
    }
    fw_flushbits(&bw);
}

static inline void fw_write_stream(fw_buf *b, size_t base, unsigned version, const uint32_t *sym,
                                   size_t n, unsigned w, const fw_sopt *o, fw_sloc *loc) {
    memset(loc, 0, sizeof *loc);
    loc->n = n;
    loc->w = w;
    int distinct_one = n >= 1;
    for (size_t i = 1; i < n && distinct_one; i++)
        distinct_one = sym[i] == sym[0];
    int mode = o ? o->mode : -1;
    if (mode < 0) mode = distinct_one ? FW_CONSTANT : (w <= 8 && n >= 1) ? FW_HUFFMAN : FW_RAW;
    loc->mode = mode;
    loc->mode_off = b->n - base;
    fw_u8(b, (unsigned)mode);
    loc->body_off = b->n - base;
    if (mode == FW_HUFFMAN && w <= 8) {
        uint32_t hist[256] = {0};
        for (size_t i = 0; i < n; i++)
            hist[sym[i]]++;
        if (o && o->lengths)
            memcpy(loc->lengths, o->lengths, 256);
        else
            fw_code_lengths(hist, 1u << w, o ? o->code : 0, loc->lengths);
        int first = -1, last = -1;
        for (int s = 0; s < 256; s++)
            if (loc->lengths[s]) {
                if (first < 0) first = s;
                last = s;
            }
        if (first < 0) first = last = 0;
        if (o && o->first >= 0) first = o->first;
        if (o && o->last >= 0) last = o->last;
        loc->first = first;
        loc->last = last;
        fw_write_table(b, base, version, o, loc);
        uint32_t codes[256];
        fw_canonical(loc->lengths, codes);
        unsigned L = fw_lane_count(n);
        size_t S = (n + L - 1) / L;
        loc->nlanes = L;
        fw_buf lanes = {0};
        for (size_t k = 0; k < L; k++) {
            size_t start = lanes.n;
            fw_bits bw = {&lanes, 0, 0, 0};
            for (size_t i = k * S; i < n && i < (k + 1) * S; i++) {
                unsigned l = loc->lengths[sym[i] & 255];
                for (int bit = (int)l - 1; bit >= 0; bit--)
                    fw_putbits(&bw, (codes[sym[i] & 255] >> bit) & 1, 1);
            }
            fw_flushbits(&bw);
            loc->lane_size[k] = (uint32_t)(lanes.n - start);
        }
        loc->lane_tab_off = b->n - base;
        for (unsigned k = 0; k < L; k++) {
            uint8_t tmp[10];
            fw_bytes(b, tmp, fw_leb128(tmp, loc->lane_size[k]));
        }
        loc->lanes_off = b->n - base;
        fw_bytes(b, lanes.p, lanes.n);
        free(lanes.p);
    } else if (mode == FW_CONSTANT) {
        uint64_t v = (o && o->const_value >= 0) ? (uint64_t)o->const_value : (n ? sym[0] : 0);
        for (unsigned i = 0; i < (w + 7) / 8; i++)
            fw_u8(b, (unsigned)(v >> (8 * i)));
    } else { /* RAW (or a forged mode byte followed by a RAW body) */
        fw_bits bw = {b, 0, 0, 0};
        for (size_t i = 0; i < n; i++)
            fw_putbits(&bw, sym[i], w);
        fw_flushbits(&bw);
    }
    loc->end = b->n - base;
}

/* ---- chunk payloads ---- */

enum { FW_SPLIT = 0, FW_WHOLE = 1, FW_BYTES = 3 };
#define FW_MAX_STREAMS 4

typedef struct {
    int layout;      /* -1: SPLIT, or WHOLE for bytes; else FW_SPLIT, FW_WHOLE or FW_BYTES */
    int layout_byte; /* -1: the layout's value; otherwise written instead */
    int planes;      /* SPLIT of FP16/FP32: -1: as the frame's version says (planes in version
                        2), 0: one sign+mantissa stream, 1: planes */
    fw_sopt s[FW_MAX_STREAMS]; /* per stream, in the payload's order */
} fw_copt;

static inline fw_copt fw_default_copt(void) {
    fw_copt o;
    memset(&o, 0, sizeof o);
    o.layout = -1;
    o.layout_byte = -1;
    o.planes = -1;
    for (int i = 0; i < FW_MAX_STREAMS; i++) {
        o.s[i].mode = -1;
        o.s[i].first = o.s[i].last = -1;
        o.s[i].const_value = -1;
    }
    return o;
}

/* Sets the mode of every stream. */
static inline void fw_copt_modes(fw_copt *o, int mode) {
    for (int i = 0; i < FW_MAX_STREAMS; i++)
        o->s[i].mode = mode;
}

typedef struct {
    int layout;
    int nstreams;
    fw_sloc s[FW_MAX_STREAMS];
    size_t tail_off, tail_len;
} fw_ploc;

/* The layout a chunk gets from o (-1: SPLIT, WHOLE for bytes). */
static inline int fw_layout_of(emz_type type, const fw_copt *o) {
    return o->layout >= 0 ? o->layout : type == EMZ_TYPE_BYTES ? FW_WHOLE : FW_SPLIT;
}

/* Whether a SPLIT chunk of this type has sign+mantissa planes. */
static inline int fw_has_planes(emz_type type, unsigned version, const fw_copt *o) {
    if (type != EMZ_TYPE_FP16 && type != EMZ_TYPE_FP32) return 0;
    return o->planes >= 0 ? o->planes : version >= 2;
}

/* The streams of a chunk: their count, and for each the symbol count and width. sym may be
 * NULL; otherwise sym[i] receives a malloc'd array of stream i's symbols. *tail receives the
 * tail's length. */
static inline int fw_chunk_streams(emz_type type, unsigned version, const fw_copt *o,
                                   const uint8_t *p, size_t len, uint32_t **sym, size_t *n,
                                   unsigned *w, size_t *tail) {
    fw_tparams tp = fw_tp(type);
    int layout = fw_layout_of(type, o), count;
    *tail = 0;
    if (layout == FW_WHOLE || type == EMZ_TYPE_BYTES) { /* bytes: WHOLE behind any layout byte */
        count = 1;
        n[0] = len;
        w[0] = 8;
        if (sym) {
            sym[0] = tu_xmalloc((len ? len : 1) * sizeof **sym);
            for (size_t i = 0; i < len; i++)
                sym[0][i] = p[i];
        }
        return count;
    }
    if (layout == FW_BYTES) { /* B streams of bytes; 1-byte types and FP4: one of len */
        unsigned B = tp.esize ? tp.esize : 1;
        size_t m = len / B;
        *tail = len % B;
        for (unsigned k = 0; k < B; k++) {
            n[k] = m;
            w[k] = 8;
            if (!sym) continue;
            sym[k] = tu_xmalloc((m ? m : 1) * sizeof **sym);
            for (size_t j = 0; j < m; j++)
                sym[k][j] = p[j * B + k];
        }
        return (int)B;
    }
    size_t m;
    if (type == EMZ_TYPE_FP4_E2M1)
        m = 2 * len;
    else {
        m = len / tp.esize;
        *tail = len % tp.esize;
    }
    unsigned M = tp.Mp + 1;
    count = 1;
    w[0] = tp.E;
    if (fw_has_planes(type, version, o))
        for (unsigned k = 0; 8 * k < M; k++)
            w[count++] = M - 8 * k < 8 ? M - 8 * k : 8;
    else
        w[count++] = M;
    for (int i = 0; i < count; i++) {
        n[i] = m;
        if (sym) sym[i] = tu_xmalloc((m ? m : 1) * sizeof **sym);
    }
    for (size_t j = 0; sym && j < m; j++) {
        uint32_t v = 0;
        if (type == EMZ_TYPE_FP4_E2M1)
            v = (p[j / 2] >> (4 * (j & 1))) & 15;
        else
            for (unsigned k = 0; k < tp.esize; k++)
                v |= (uint32_t)p[j * tp.esize + k] << (8 * k);
        uint32_t e = (v >> tp.Mp) & ((1u << tp.E) - 1);
        uint32_t s = (v >> (tp.E + tp.Mp)) << tp.Mp | (v & ((1u << tp.Mp) - 1));
        sym[0][j] = e;
        for (int i = 1; i < count; i++)
            sym[i][j] = count == 2 ? s : (s >> (8 * (i - 1))) & ((1u << w[i]) - 1);
    }
    return count;
}

/* The bits of an element (an FP4 nibble; a byte for bytes) that stream i of the layout holds;
 * 0 for WHOLE, whose stream holds whole bytes. Tests clear them to make a stream CONSTANT. */
static inline uint32_t fw_stream_bits(emz_type type, unsigned version, const fw_copt *o, int i) {
    fw_tparams tp = fw_tp(type);
    int layout = fw_layout_of(type, o);
    if (layout == FW_WHOLE || type == EMZ_TYPE_BYTES) return 0;
    if (layout == FW_BYTES) return 0xFFu << (8 * i);
    if (i == 0) return ((1u << tp.E) - 1) << tp.Mp;
    uint32_t lo = 0, hi = tp.Mp + 1; /* sign+mantissa bits [lo, hi) */
    if (fw_has_planes(type, version, o)) {
        lo = 8 * (uint32_t)(i - 1);
        hi = lo + 8 < hi ? lo + 8 : hi;
    }
    uint32_t bits = 0;
    for (uint32_t b = lo; b < hi; b++)
        bits |= 1u << (b < tp.Mp ? b : tp.E + tp.Mp);
    return bits;
}

static inline void fw_write_payload(fw_buf *b, emz_type type, unsigned version, const uint8_t *p,
                                    size_t len, const fw_copt *o, fw_ploc *loc) {
    size_t base = b->n;
    int layout = fw_layout_of(type, o);
    memset(loc, 0, sizeof *loc);
    loc->layout = layout;
    fw_u8(b, o->layout_byte >= 0 ? (unsigned)o->layout_byte : (unsigned)layout);
    uint32_t *sym[FW_MAX_STREAMS] = {NULL};
    size_t n[FW_MAX_STREAMS], t;
    unsigned w[FW_MAX_STREAMS];
    int count = fw_chunk_streams(type, version, o, p, len, sym, n, w, &t);
    for (int i = 0; i < count; i++) {
        fw_write_stream(b, base, version, sym[i], n[i], w[i], &o->s[i], &loc->s[i]);
        free(sym[i]);
    }
    loc->nstreams = count;
    loc->tail_off = b->n - base;
    loc->tail_len = t;
    fw_bytes(b, p + len - t, t);
}

/* ---- frames ---- */

/* Called on the payload of the forged chunk after it is written; may change it freely. */
typedef void (*fw_edit_fn)(fw_buf *payload, const fw_ploc *loc, void *ctx);

typedef struct {
    emz_type type;
    unsigned chunk_log2;
    size_t forged;       /* index of the chunk built with fopt/edit; SIZE_MAX: none */
    const fw_copt *fopt; /* options of the forged chunk (NULL: defaults) */
    const fw_copt *all;  /* options of the other chunks (NULL: defaults) */
    fw_edit_fn edit;
    void *edit_ctx;
    unsigned version; /* 1 or 2; 0: 2, the version the library writes */
} fw_spec;

/* Builds a frame of data[0..n); returns a malloc'd buffer, its size in *fsize. */
static inline uint8_t *fw_build(const fw_spec *sp, const uint8_t *data, size_t n, size_t *fsize) {
    fw_buf f = {0};
    size_t C = (size_t)1 << sp->chunk_log2;
    size_t chunks = (n + C - 1) / C;
    unsigned version = sp->version ? sp->version : 2;
    fw_u8(&f, 0x89);
    fw_u8(&f, 'E');
    fw_u8(&f, 'M');
    fw_u8(&f, 'Z');
    fw_u8(&f, version);
    fw_u8(&f, (unsigned)sp->type);
    fw_u8(&f, sp->chunk_log2);
    fw_u8(&f, 0);
    fw_u64(&f, n);
    fw_u64(&f, sp->type == EMZ_TYPE_FP4_E2M1
                   ? 2 * (uint64_t)n
                   : n / (fw_tp(sp->type).esize ? fw_tp(sp->type).esize : 1));
    fw_u32(&f, 0);
    fw_u32(&f, fw_checksum32(f.p, 28));
    fw_buf idx = {0};
    fw_copt def = fw_default_copt();
    for (size_t i = 0; i < chunks; i++) {
        size_t len = (i + 1) * C <= n ? C : n - i * C;
        const uint8_t *p = data + i * C;
        fw_buf pl = {0};
        fw_ploc loc;
        const fw_copt *o =
            i == sp->forged ? (sp->fopt ? sp->fopt : &def) : (sp->all ? sp->all : &def);
        fw_write_payload(&pl, sp->type, version, p, len, o, &loc);
        if (i == sp->forged && sp->edit) sp->edit(&pl, &loc, sp->edit_ctx);
        fw_bytes(&f, pl.p, pl.n);
        fw_u32(&idx, (uint32_t)pl.n);
        fw_u32(&idx, fw_checksum32(p, len));
        free(pl.p);
    }
    fw_bytes(&f, idx.p, idx.n);
    fw_u32(&f, fw_checksum32(idx.p, idx.n));
    free(idx.p);
    *fsize = f.n;
    return f.p;
}

/* ---- reading frames (ours or the library's) ---- */

typedef struct {
    uint64_t original_size, chunk_count;
    unsigned chunk_log2;
    size_t index_off;       /* offset of the index */
    size_t payload_off[64]; /* offsets of the first 64 payloads */
    uint32_t payload_size[64];
} fw_layout;

static inline fw_layout fw_parse(const uint8_t *f, size_t fsize) {
    fw_layout l;
    memset(&l, 0, sizeof l);
    cr_assert(fsize >= 36);
    l.original_size = tu_get64(f + 8);
    l.chunk_log2 = f[6];
    uint64_t C = (uint64_t)1 << l.chunk_log2;
    l.chunk_count = (l.original_size + C - 1) / C;
    cr_assert(fsize >= 36 + 8 * l.chunk_count);
    l.index_off = fsize - 4 - 8 * (size_t)l.chunk_count;
    size_t off = 32;
    for (size_t i = 0; i < l.chunk_count && i < 64; i++) {
        l.payload_off[i] = off;
        l.payload_size[i] = tu_get32(f + l.index_off + 8 * i);
        off += l.payload_size[i];
    }
    return l;
}

static inline void fw_fix_header(uint8_t *f) {
    tu_put32(f + 28, fw_checksum32(f, 28));
}

static inline void fw_fix_index(uint8_t *f, size_t fsize) {
    fw_layout l = fw_parse(f, fsize);
    tu_put32(f + fsize - 4, fw_checksum32(f + l.index_off, 8 * (size_t)l.chunk_count));
}

#endif
