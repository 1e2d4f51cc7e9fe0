/* safetensors_scan.c - a small, bounds-checked reader of safetensors headers (bench only). */
#include "safetensors_scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ST_MAX_HEADER (100u << 20) /* the reference implementation's limit */
#define ST_MAX_DEPTH 64

typedef struct parser {
    const uint8_t *base, *p, *end;
    char *err;
    size_t errlen;
    int failed;
} parser;

static void fail(parser *ps, const char *fmt, ...)
{
    if (ps->failed) return;
    ps->failed = 1;
    if (ps->err && ps->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err, ps->errlen, fmt, ap);
        va_end(ap);
    }
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int expect(parser *ps, char c)
{
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != (uint8_t)c) {
        fail(ps, "expected '%c' at header byte %zu", c, (size_t)(ps->p - ps->base));
        return -1;
    }
    ps->p++;
    return 0;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_hex4(parser *ps, unsigned *v)
{
    if (ps->end - ps->p < 4) { fail(ps, "truncated \\u escape"); return -1; }
    unsigned x = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(ps->p[i]);
        if (h < 0) { fail(ps, "bad \\u escape"); return -1; }
        x = x << 4 | (unsigned)h;
    }
    ps->p += 4;
    *v = x;
    return 0;
}

/* Parses a JSON string. If out is non-NULL, stores a malloc'd NUL-terminated copy (escapes
 * decoded) in *out. The decoded length never exceeds the encoded one plus 1. */
static int parse_string(parser *ps, char **out)
{
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '"') { fail(ps, "expected a string"); return -1; }
    ps->p++;
    const uint8_t *start = ps->p;
    /* find the closing quote to size the buffer */
    const uint8_t *q = ps->p;
    while (q < ps->end && *q != '"') {
        if (*q == '\\') q++;
        q++;
    }
    if (q >= ps->end) { fail(ps, "unterminated string"); return -1; }
    size_t cap = (size_t)(q - start) + 1;
    char *s = NULL, *w = NULL;
    if (out) {
        s = malloc(cap + 4);
        if (!s) { fail(ps, "out of memory"); return -1; }
        w = s;
    }
    while (ps->p < ps->end && *ps->p != '"') {
        uint8_t c = *ps->p++;
        if (c < 0x20) { fail(ps, "control character in string"); goto bad; }
        if (c != '\\') {
            if (w) *w++ = (char)c;
            continue;
        }
        if (ps->p >= ps->end) { fail(ps, "truncated escape"); goto bad; }
        c = *ps->p++;
        char lit = 0;
        switch (c) {
        case '"': lit = '"'; break;
        case '\\': lit = '\\'; break;
        case '/': lit = '/'; break;
        case 'b': lit = '\b'; break;
        case 'f': lit = '\f'; break;
        case 'n': lit = '\n'; break;
        case 'r': lit = '\r'; break;
        case 't': lit = '\t'; break;
        case 'u': {
            unsigned cp;
            if (read_hex4(ps, &cp)) goto bad;
            if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
                ps->p[1] == 'u') {
                const uint8_t *save = ps->p;
                unsigned lo;
                ps->p += 2;
                if (read_hex4(ps, &lo)) goto bad;
                if (lo >= 0xDC00 && lo < 0xE000)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else
                    ps->p = save, cp = 0xFFFD;
            } else if (cp >= 0xD800 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            /* \uXXXX is 6 encoded bytes; UTF-8 needs at most 3 (4 for a 12-byte pair) */
            if (w) {
                if (cp < 0x80) *w++ = (char)cp;
                else if (cp < 0x800) { *w++ = (char)(0xC0 | cp >> 6); *w++ = (char)(0x80 | (cp & 0x3F)); }
                else if (cp < 0x10000) {
                    *w++ = (char)(0xE0 | cp >> 12); *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                    *w++ = (char)(0x80 | (cp & 0x3F));
                } else {
                    *w++ = (char)(0xF0 | cp >> 18); *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                    *w++ = (char)(0x80 | ((cp >> 6) & 0x3F)); *w++ = (char)(0x80 | (cp & 0x3F));
                }
            }
            continue;
        }
        default: fail(ps, "bad escape '\\%c'", c); goto bad;
        }
        if (w) *w++ = lit;
    }
    if (ps->p >= ps->end) { fail(ps, "unterminated string"); goto bad; }
    ps->p++; /* closing quote */
    if (out) { *w = 0; *out = s; }
    return 0;
bad:
    free(s);
    return -1;
}

/* A non-negative JSON integer (no sign, fraction or exponent), with overflow check. */
static int parse_u64(parser *ps, uint64_t *v)
{
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') { fail(ps, "expected an unsigned integer"); return -1; }
    uint64_t x = 0;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
        unsigned d = *ps->p - '0';
        if (x > (UINT64_MAX - d) / 10) { fail(ps, "integer overflow"); return -1; }
        x = x * 10 + d;
        ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E')) {
        fail(ps, "expected an integer, got a fraction");
        return -1;
    }
    *v = x;
    return 0;
}

static int skip_value(parser *ps, int depth)
{
    if (depth > ST_MAX_DEPTH) { fail(ps, "JSON nested too deeply"); return -1; }
    skip_ws(ps);
    if (ps->p >= ps->end) { fail(ps, "truncated JSON"); return -1; }
    uint8_t c = *ps->p;
    if (c == '"') return parse_string(ps, NULL);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        ps->p++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == (uint8_t)close) { ps->p++; return 0; }
        for (;;) {
            if (c == '{') {
                if (parse_string(ps, NULL) || expect(ps, ':')) return -1;
            }
            if (skip_value(ps, depth + 1)) return -1;
            skip_ws(ps);
            if (ps->p >= ps->end) { fail(ps, "truncated JSON"); return -1; }
            if (*ps->p == ',') { ps->p++; continue; }
            if (*ps->p == (uint8_t)close) { ps->p++; return 0; }
            fail(ps, "expected ',' or '%c'", close);
            return -1;
        }
    }
    static const char *const words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, words[i], n) == 0) { ps->p += n; return 0; }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        const uint8_t *s = ps->p;
        while (ps->p < ps->end && (strchr("+-.eE", *ps->p) || (*ps->p >= '0' && *ps->p <= '9')) && *ps->p)
            ps->p++;
        if (ps->p == s) { fail(ps, "bad number"); return -1; }
        return 0;
    }
    fail(ps, "unexpected character 0x%02x", c);
    return -1;
}

unsigned st_dtype_size(const char *d)
{
    static const struct { const char *name; unsigned size; } t[] = {
        {"BOOL", 1}, {"U8", 1}, {"I8", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"F8_E8M0", 1},
        {"I16", 2}, {"U16", 2}, {"F16", 2}, {"BF16", 2}, {"I32", 4}, {"U32", 4}, {"F32", 4},
        {"I64", 8}, {"U64", 8}, {"F64", 8},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(d, t[i].name) == 0) return t[i].size;
    return 0;
}

/* Parses one tensor description {"dtype":..., "shape":[...], "data_offsets":[b,e]}. */
static int parse_tensor(parser *ps, st_tensor *t)
{
    int have_dtype = 0, have_off = 0, have_shape = 0;
    if (expect(ps, '{')) return -1;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') { fail(ps, "empty tensor description"); return -1; }
    for (;;) {
        char *key = NULL;
        if (parse_string(ps, &key)) return -1;
        if (expect(ps, ':')) { free(key); return -1; }
        if (strcmp(key, "dtype") == 0) {
            char *d = NULL;
            if (parse_string(ps, &d)) { free(key); return -1; }
            if (strlen(d) >= sizeof t->dtype) { fail(ps, "dtype name too long"); free(d); free(key); return -1; }
            strcpy(t->dtype, d);
            free(d);
            have_dtype = 1;
        } else if (strcmp(key, "shape") == 0) {
            uint64_t prod = 1;
            int overflow = 0;
            if (expect(ps, '[')) { free(key); return -1; }
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ']') {
                ps->p++;
            } else {
                for (;;) {
                    uint64_t d;
                    if (parse_u64(ps, &d)) { free(key); return -1; }
                    if (d && prod > UINT64_MAX / d) overflow = 1;
                    else prod *= d;
                    skip_ws(ps);
                    if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
                    if (expect(ps, ']')) { free(key); return -1; }
                    break;
                }
            }
            if (overflow) { fail(ps, "shape product overflows"); free(key); return -1; }
            t->elements = prod;
            have_shape = 1;
        } else if (strcmp(key, "data_offsets") == 0) {
            if (expect(ps, '[') || parse_u64(ps, &t->begin) || expect(ps, ',') ||
                parse_u64(ps, &t->end) || expect(ps, ']')) { free(key); return -1; }
            have_off = 1;
        } else {
            if (skip_value(ps, 1)) { free(key); return -1; }
        }
        free(key);
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
        if (expect(ps, '}')) return -1;
        break;
    }
    if (!have_dtype || !have_off) {
        fail(ps, "tensor '%s' lacks %s", t->name, have_dtype ? "data_offsets" : "dtype");
        return -1;
    }
    if (!have_shape) t->elements = 0;
    return 0;
}

int st_scan(const uint8_t *buf, size_t size, st_file *out, char *err, size_t errlen)
{
    parser ps = {0};
    ps.err = err;
    ps.errlen = errlen;
    memset(out, 0, sizeof *out);
    if (err && errlen) err[0] = 0;
    if (size < 8) { fail(&ps, "file shorter than 8 bytes"); return -1; }
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | buf[i];
    if (n > size - 8) { fail(&ps, "header length %llu exceeds the file", (unsigned long long)n); return -1; }
    if (n > ST_MAX_HEADER) { fail(&ps, "header length %llu too large", (unsigned long long)n); return -1; }
    out->header_len = n;
    out->header = buf + 8;
    out->data = buf + 8 + n;
    out->data_size = size - 8 - n;
    ps.base = ps.p = buf + 8;
    ps.end = buf + 8 + n;

    size_t cap = 0;
    if (expect(&ps, '{')) goto bad;
    skip_ws(&ps);
    if (ps.p < ps.end && *ps.p == '}') {
        ps.p++;
    } else {
        for (;;) {
            char *name = NULL;
            if (parse_string(&ps, &name)) goto bad;
            if (expect(&ps, ':')) { free(name); goto bad; }
            if (strcmp(name, "__metadata__") == 0) {
                free(name);
                if (skip_value(&ps, 1)) goto bad;
            } else {
                if (out->count == cap) {
                    size_t nc = cap ? cap * 2 : 64;
                    st_tensor *nt = realloc(out->tensors, nc * sizeof *nt);
                    if (!nt) { free(name); fail(&ps, "out of memory"); goto bad; }
                    out->tensors = nt;
                    cap = nc;
                }
                st_tensor *t = &out->tensors[out->count++];
                memset(t, 0, sizeof *t);
                t->name = name;
                if (parse_tensor(&ps, t)) goto bad;
                if (t->begin > t->end || t->end > out->data_size) {
                    fail(&ps, "tensor '%s': data_offsets [%llu, %llu) outside the %llu data bytes",
                         t->name, (unsigned long long)t->begin, (unsigned long long)t->end,
                         (unsigned long long)out->data_size);
                    goto bad;
                }
                unsigned es = st_dtype_size(t->dtype);
                t->shape_ok = es && t->elements <= UINT64_MAX / es && t->elements * es == t->end - t->begin;
            }
            skip_ws(&ps);
            if (ps.p < ps.end && *ps.p == ',') { ps.p++; continue; }
            if (expect(&ps, '}')) goto bad;
            break;
        }
    }
    skip_ws(&ps); /* headers are padded with spaces */
    if (ps.p != ps.end) { fail(&ps, "trailing bytes after the header object"); goto bad; }
    return 0;
bad:
    if (!ps.failed) fail(&ps, "malformed header");
    st_free(out);
    return -1;
}

void st_free(st_file *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->count; i++) free(f->tensors[i].name);
    free(f->tensors);
    f->tensors = NULL;
    f->count = 0;
}
