/* bytegroup.c - the byte-group Huffman baseline (ZipNN's method, see bytegroup.h) (bench only). */
#include "bytegroup.h"

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Huff0, zstd's Huffman coder. Debian's libzstd.a (zstd 1.5.4) exports these symbols but no
 * installed header declares them, so the prototypes the bench calls are repeated here exactly as
 * zstd 1.5.4's lib/common/huf.h has them (its "flags" API). The bench links libzstd.a statically
 * (bench/meson.build): the symbols are not exported by the shared library. */
typedef size_t HUF_CElt;
typedef uint32_t HUF_DTable;
typedef enum { HUF_repeat_none, HUF_repeat_check, HUF_repeat_valid } HUF_repeat;
size_t HUF_compressBound(size_t size);
unsigned HUF_isError(size_t code);
const char *HUF_getErrorName(size_t code);
size_t HUF_compress4X_repeat(void *dst, size_t dstSize, const void *src, size_t srcSize,
                             unsigned maxSymbolValue, unsigned tableLog, void *workSpace,
                             size_t wkspSize, HUF_CElt *hufTable, HUF_repeat *repeat, int flags);
size_t HUF_decompress4X_hufOnly_wksp(HUF_DTable *dctx, void *dst, size_t dstSize, const void *cSrc,
                                     size_t cSrcSize, void *workSpace, size_t wkspSize, int flags);

/* huf.h's HUF_flags_bmi2, HUF_TABLELOG_MAX and HUF_TABLELOG_DEFAULT */
#define HUF_FLAG_BMI2 1
#define HUF_TABLELOG_MAX 12
#define HUF_TABLELOG_DEFAULT 11

/* Workspaces at least as large as huf.h's HUF_WORKSPACE_SIZE (8.5 KiB) and
 * HUF_DECOMPRESS_WORKSPACE_SIZE (2.5 KiB); larger is allowed. */
typedef struct bg_work {
    uint64_t cwksp[2048];
    uint32_t dwksp[1024];
    HUF_DTable dtable[1 + (1 << HUF_TABLELOG_MAX)];
    uint8_t grp[4][BG_CHUNK / 2]; /* the byte groups of one chunk */
    int flags;
} bg_work;

/* ZipNN's groups per dtype (bytegroup.h); a buffer that is not whole elements is coded as
 * bytes. */
static int unit_width(emz_type t, size_t size) {
    int w = t == EMZ_TYPE_FP32 ? 4 : (t == EMZ_TYPE_BF16 || t == EMZ_TYPE_FP16) ? 2 : 1;
    return size % (size_t)w ? 1 : w;
}

static size_t unit_chunk(int width) {
    return width == 1 ? BG_CHUNK_1BYTE : BG_CHUNK;
}

void bg_set_add(bg_set *s, const uint8_t *src, size_t size, emz_type type) {
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        bg_unit *u = realloc(s->u, s->cap * sizeof *u);
        if (!u) {
            fprintf(stderr, "emzip-bench: out of memory\n");
            exit(2);
        }
        s->u = u;
    }
    bg_unit *u = &s->u[s->n++];
    memset(u, 0, sizeof *u);
    u->src = src, u->size = size, u->type = type;
    u->width = unit_width(type, size);
    size_t chunk = unit_chunk(u->width);
    for (size_t off = 0; off < size; off += chunk) {
        size_t c = size - off < chunk ? size - off : chunk;
        u->comp_cap += (size_t)u->width * HUF_compressBound(c / (size_t)u->width);
        u->nsizes += (size_t)u->width;
    }
    u->comp_off = s->comp_cap, u->size_off = s->nsizes, u->out_off = s->out_size;
    s->comp_cap += u->comp_cap;
    s->nsizes += u->nsizes;
    s->out_size += size;
}

void bg_set_alloc(bg_set *s) {
    s->comp = xmalloc(s->comp_cap ? s->comp_cap : 1);
    s->sizes = xmalloc(sizeof(uint32_t) * (s->nsizes ? s->nsizes : 1));
    s->out = xmalloc(s->out_size ? s->out_size : 1);
    s->w = xmalloc(sizeof *s->w);
    memset(s->w->dtable, 0, sizeof s->w->dtable);
    /* HUF_CREATE_STATIC_DTABLEX2: the table's first cell holds its capacity (table log) */
    s->w->dtable[0] = (HUF_DTable)HUF_TABLELOG_MAX * 0x01000001;
    s->w->flags = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2"))
        s->w->flags = HUF_FLAG_BMI2;
#endif
}

void bg_set_free(bg_set *s) {
    free(s->u);
    free(s->comp);
    free(s->sizes);
    free(s->out);
    free(s->w);
    memset(s, 0, sizeof *s);
}

/* ---- bit reorder and byte grouping (plain loops, as ZipNN's; the compiler vectorises them) */

/* BF16 s eeeeeeee mmmmmmm: group 0 the exponent, group 1 the sign above the 7 mantissa bits */
static void split_bf16(const uint8_t *src, size_t m, uint8_t *e, uint8_t *sm) {
    for (size_t i = 0; i < m; i++) {
        unsigned x = (unsigned)src[2 * i] | (unsigned)src[2 * i + 1] << 8;
        e[i] = (uint8_t)(x >> 7);
        sm[i] = (uint8_t)((x >> 8 & 0x80) | (x & 0x7F));
    }
}

static void merge_bf16(const uint8_t *e, const uint8_t *sm, size_t m, uint8_t *dst) {
    for (size_t i = 0; i < m; i++) {
        dst[2 * i] = (uint8_t)((e[i] << 7 & 0x80) | (sm[i] & 0x7F));
        dst[2 * i + 1] = (uint8_t)((sm[i] & 0x80) | e[i] >> 1);
    }
}

/* FP16: group k = byte k (no reorder) */
static void split_fp16(const uint8_t *src, size_t m, uint8_t *lo, uint8_t *hi) {
    for (size_t i = 0; i < m; i++) {
        lo[i] = src[2 * i];
        hi[i] = src[2 * i + 1];
    }
}

static void merge_fp16(const uint8_t *lo, const uint8_t *hi, size_t m, uint8_t *dst) {
    for (size_t i = 0; i < m; i++) {
        dst[2 * i] = lo[i];
        dst[2 * i + 1] = hi[i];
    }
}

/* FP32 s e8 m23: groups exponent, sign + mantissa bits 22..16, bits 15..8, bits 7..0 */
static void split_fp32(const uint8_t *src, size_t m, uint8_t *const g[4]) {
    for (size_t i = 0; i < m; i++) {
        const uint8_t *p = src + 4 * i;
        g[0][i] = (uint8_t)(p[3] << 1 | p[2] >> 7);
        g[1][i] = (uint8_t)((p[3] & 0x80) | (p[2] & 0x7F));
        g[2][i] = p[1];
        g[3][i] = p[0];
    }
}

static void merge_fp32(const uint8_t *const g[4], size_t m, uint8_t *dst) {
    for (size_t i = 0; i < m; i++) {
        uint8_t *p = dst + 4 * i;
        p[0] = g[3][i];
        p[1] = g[2][i];
        p[2] = (uint8_t)((g[0][i] << 7 & 0x80) | (g[1][i] & 0x7F));
        p[3] = (uint8_t)((g[1][i] & 0x80) | g[0][i] >> 1);
    }
}

/* ---- one group of one chunk ---- */

/* Codes the m bytes of g at dst (room for HUF_compressBound(m) bytes); returns the stored
 * size: m (raw), 1 (one repeated byte, when m > 1) or Huff0's size; 0 on a Huff0 error. */
static size_t encode_group(bg_set *s, uint8_t *dst, size_t cap, const uint8_t *g, size_t m) {
    size_t r = HUF_compress4X_repeat(dst, cap, g, m, 255, HUF_TABLELOG_DEFAULT, s->w->cwksp,
                                     sizeof s->w->cwksp, NULL, NULL, s->w->flags);
    if (HUF_isError(r)) {
        s->error = HUF_getErrorName(r);
        return 0;
    }
    if (r == 0 || (double)r >= BG_RAW_THRESHOLD * (double)m) {
        memcpy(dst, g, m);
        return m;
    }
    return r;
}

/* The m bytes of a group stored as src[0..n): src itself when raw (no copy), else decoded into
 * buf; NULL on an error. */
static const uint8_t *decode_group(bg_set *s, uint8_t *buf, const uint8_t *src, size_t n,
                                   size_t m) {
    if (n == m) return src;
    if (n == 1) {
        memset(buf, src[0], m);
        return buf;
    }
    size_t r = HUF_decompress4X_hufOnly_wksp(s->w->dtable, buf, m, src, n, s->w->dwksp,
                                             sizeof s->w->dwksp, s->w->flags);
    if (HUF_isError(r) || r != m) {
        s->error = HUF_isError(r) ? HUF_getErrorName(r) : "wrong decoded size";
        return NULL;
    }
    return buf;
}

/* ---- units ---- */

static void split_chunk(bg_work *w, int width, emz_type type, const uint8_t *src, size_t m) {
    if (width == 4) {
        uint8_t *const g[4] = {w->grp[0], w->grp[1], w->grp[2], w->grp[3]};
        split_fp32(src, m, g);
    } else if (type == EMZ_TYPE_BF16)
        split_bf16(src, m, w->grp[0], w->grp[1]);
    else
        split_fp16(src, m, w->grp[0], w->grp[1]);
}

static int compress_unit(bg_set *s, bg_unit *u) {
    size_t chunk = unit_chunk(u->width), pos = 0, k = 0, wd = (size_t)u->width;
    uint8_t *comp = s->comp + u->comp_off;
    uint32_t *sizes = s->sizes + u->size_off;
    for (size_t off = 0; off < u->size; off += chunk) {
        size_t c = u->size - off < chunk ? u->size - off : chunk, m = c / wd;
        if (wd > 1) split_chunk(s->w, u->width, u->type, u->src + off, m);
        for (size_t g = 0; g < wd; g++) {
            const uint8_t *grp = wd > 1 ? s->w->grp[g] : u->src + off;
            size_t n = encode_group(s, comp + pos, u->comp_cap - pos, grp, m);
            if (!n) return -1;
            sizes[k++] = (uint32_t)n;
            pos += n;
        }
    }
    u->comp_size = pos;
    return 0;
}

/* The groups of one chunk of a multi-byte unit, decoded and merged into dst. */
static int decompress_chunk(bg_set *s, const bg_unit *u, const uint8_t *comp, const uint32_t *sizes,
                            size_t m, uint8_t *dst) {
    const uint8_t *g[4];
    for (int k = 0; k < u->width; k++) {
        g[k] = decode_group(s, s->w->grp[k], comp, sizes[k], m);
        if (!g[k]) return -1;
        comp += sizes[k];
    }
    if (u->width == 4)
        merge_fp32(g, m, dst);
    else if (u->type == EMZ_TYPE_BF16)
        merge_bf16(g[0], g[1], m, dst);
    else
        merge_fp16(g[0], g[1], m, dst);
    return 0;
}

static int decompress_unit(bg_set *s, const bg_unit *u) {
    size_t chunk = unit_chunk(u->width), pos = 0, k = 0, wd = (size_t)u->width;
    const uint8_t *comp = s->comp + u->comp_off;
    const uint32_t *sizes = s->sizes + u->size_off;
    uint8_t *out = s->out + u->out_off;
    for (size_t off = 0; off < u->size; off += chunk) {
        size_t c = u->size - off < chunk ? u->size - off : chunk, m = c / wd;
        if (wd == 1) {
            /* one group: decoded straight into the output */
            const uint8_t *g = decode_group(s, out + off, comp + pos, sizes[k], m);
            if (!g) return -1;
            if (g != out + off) memcpy(out + off, g, m);
        } else if (decompress_chunk(s, u, comp + pos, sizes + k, m, out + off))
            return -1;
        for (size_t g = 0; g < wd; g++)
            pos += sizes[k++];
    }
    return pos == u->comp_size ? 0 : -1;
}

int bg_compress_all(void *arg) {
    bg_set *s = arg;
    for (size_t i = 0; i < s->n; i++)
        if (compress_unit(s, &s->u[i])) return -1;
    return 0;
}

int bg_decompress_all(void *arg) {
    bg_set *s = arg;
    for (size_t i = 0; i < s->n; i++)
        if (decompress_unit(s, &s->u[i])) {
            if (!s->error) s->error = "inconsistent stored sizes";
            return -1;
        }
    return 0;
}

uint64_t bg_unit_bytes(const bg_set *s, size_t i) {
    return (uint64_t)s->u[i].comp_size + BG_SIZE_BYTES * (uint64_t)s->u[i].nsizes;
}

uint64_t bg_set_bytes(const bg_set *s) {
    uint64_t t = 0;
    for (size_t i = 0; i < s->n; i++)
        t += bg_unit_bytes(s, i);
    return t;
}

int bg_outputs_match(const bg_set *s) {
    for (size_t i = 0; i < s->n; i++)
        if (memcmp(s->out + s->u[i].out_off, s->u[i].src, s->u[i].size)) return 0;
    return 1;
}

int bg_roundtrip(bg_set *s, char *err, size_t errlen) {
    if (bg_compress_all(s)) {
        snprintf(err, errlen, "byte-group Huffman compression failed: %s", s->error);
        return -1;
    }
    memset(s->out, 0xA5, s->out_size); /* stale bytes must not pass for decoded ones */
    if (bg_decompress_all(s)) {
        snprintf(err, errlen, "byte-group Huffman decompression failed: %s", s->error);
        return -1;
    }
    if (!bg_outputs_match(s)) {
        snprintf(err, errlen, "byte-group Huffman round trip is not byte-identical");
        return -1;
    }
    return 0;
}
