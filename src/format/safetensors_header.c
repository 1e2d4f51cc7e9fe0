/* safetensors_header.c - a strict, linear-time parser of the JSON header of a safetensors file.
 *
 * The header is hostile input: every read is bounds-checked against json_size, nothing recurses
 * (skipped values nest through a fixed 64-entry stack), numbers are overflow-checked, and the
 * only allocations are the tensor array (doubling), one string per name, a reused decoding
 * buffer and the set that finds a name given twice. */
#include "format/safetensors_header.h"
#include "common/checksum.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64  /* nesting of a skipped value (__metadata__) */
#define NAME_SHOWN 96 /* longer names appear in messages as their first and last 44 bytes */
#define NAME_PART 44
#define QUOTE_CAP (2 + 6 * NAME_SHOWN + 4) /* worst case: every byte escaped as \u00XX */

/* ---- parser state and messages ---- */

typedef struct {
    const uint8_t *p;
    size_t n, pos;
    uint64_t data_size;
    char *buf; /* the last string decoded with keep, NUL-terminated; reused */
    size_t len, cap;
    bool nul;         /* buf holds a NUL of its own (from \u0000) */
    emz_st_tensor *t; /* tensors parsed so far; each has its name allocated */
    size_t count, t_cap;
    emz_status status;
    char *why;
    size_t why_cap;
} parser;

/* A string cut by snprintf may end inside a UTF-8 sequence; drop the partial sequence. */
static void trim_utf8(char *s, size_t len) {
    size_t i = len;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0 || (unsigned char)s[i - 1] < 0xC0) return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (len - (i - 1) < need) s[i - 1] = '\0';
}

static bool fail(parser *ps, const char *fmt, ...) {
    ps->status = EMZ_ERROR_BAD_SAFETENSORS;
    if (ps->why_cap) {
        va_list ap;
        va_start(ap, fmt);
        int r = vsnprintf(ps->why, ps->why_cap, fmt, ap);
        va_end(ap);
        if (r < 0)
            ps->why[0] = '\0';
        else if ((size_t)r >= ps->why_cap)
            trim_utf8(ps->why, ps->why_cap - 1);
    }
    return false;
}

static bool no_memory(parser *ps) {
    ps->status = EMZ_ERROR_NO_MEMORY;
    if (ps->why_cap) snprintf(ps->why, ps->why_cap, "out of memory");
    return false;
}

static bool syntax(parser *ps, const char *what) {
    if (ps->pos >= ps->n)
        return fail(ps, "header is not valid JSON at byte %zu: unexpected end", ps->pos);
    return fail(ps, "header is not valid JSON at byte %zu: %s", ps->pos, what);
}

/* Appends s[0..len) to out, JSON-escaped (names may hold quotes or decoded control bytes, and
 * the message must stay on one line). */
static char *escape(char *out, const char *s, size_t len) {
    static const char raw[] = "\"\\\b\f\n\r\t", short_form[] = "\"\\bfnrt";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *e = c ? strchr(raw, c) : NULL;
        if (e)
            *out++ = '\\', *out++ = short_form[e - raw];
        else if (c < 0x20 || c == 0x7F)
            out += sprintf(out, "\\u%04x", c);
        else
            *out++ = (char)c;
    }
    return out;
}

/* The string s of len bytes (valid UTF-8), quoted, escaped, long ones shortened to head...tail
 * at character boundaries: tensor names differ at either end (layer number, projection). */
static const char *quote(char out[QUOTE_CAP], const char *s, size_t len) {
    char *o = out;
    *o++ = '"';
    if (len <= NAME_SHOWN) {
        o = escape(o, s, len);
    } else {
        size_t head = NAME_PART, tail = len - NAME_PART;
        while (head > 0 && ((unsigned char)s[head] & 0xC0) == 0x80)
            head--;
        while (tail < len && ((unsigned char)s[tail] & 0xC0) == 0x80)
            tail++;
        o = escape(o, s, head);
        memcpy(o, "...", 3), o += 3;
        o = escape(o, s + tail, len - tail);
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

/* fail() with the prefix: tensor "NAME": */
static bool tensor_fail(parser *ps, const emz_st_tensor *t, const char *fmt, ...) {
    char detail[1024], q[QUOTE_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return fail(ps, "tensor %s: %s", quote(q, t->name, strlen(t->name)), detail);
}

/* ---- JSON lexical level ---- */

static int peek(const parser *ps) {
    return ps->pos < ps->n ? ps->p[ps->pos] : -1;
}

static void skip_ws(parser *ps) {
    while (ps->pos < ps->n) {
        uint8_t c = ps->p[ps->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        ps->pos++;
    }
}

static bool expect(parser *ps, int c, const char *what) {
    skip_ws(ps);
    if (peek(ps) != c) return syntax(ps, what);
    ps->pos++;
    return true;
}

static bool is_digit(int c) {
    return c >= '0' && c <= '9';
}

static bool put(parser *ps, const void *b, size_t k) {
    if (ps->len + k >= ps->cap) {
        size_t cap = ps->cap ? ps->cap : 64;
        while (cap <= ps->len + k)
            cap *= 2;
        char *nb = realloc(ps->buf, cap);
        if (!nb) return no_memory(ps);
        ps->buf = nb, ps->cap = cap;
    }
    if (k) memcpy(ps->buf + ps->len, b, k);
    ps->len += k;
    return true;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF), 0 if there is none. */
static size_t utf8_len(const uint8_t *s, size_t avail) {
    uint8_t c = s[0], lo = 0x80, hi = 0xBF;
    size_t k;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (avail < k || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < k; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return k;
}

static bool read_hex4(parser *ps, unsigned *u) {
    *u = 0;
    for (int i = 0; i < 4; i++, ps->pos++) {
        int c = peek(ps), d = is_digit(c)            ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
        if (d < 0) return syntax(ps, "invalid \\u escape");
        *u = *u << 4 | (unsigned)d;
    }
    return true;
}

/* The end of the run of plain string bytes (printable ASCII other than '"' and '\\') from
 * pos: eight bytes a step while none of them needs a look (names are long and plain; byte by
 * byte the scan was a third of parsing a header), then byte by byte. */
static size_t plain_run(const uint8_t *p, size_t pos, size_t n) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (n - pos >= 8) {
        uint64_t x;
        memcpy(&x, p + pos, 8);
        uint64_t quote = x ^ ('"' * ones), backslash = x ^ ('\\' * ones);
        /* a high bit per byte that is below 0x20, 0x80 or above, '"' or '\\' (exact as to
         * whether one exists, which is all that is asked) */
        uint64_t special = ((x - 0x20 * ones) & ~x) | x | ((quote - ones) & ~quote) |
                           ((backslash - ones) & ~backslash);
        if (special & highs) break;
        pos += 8;
    }
    while (pos < n && p[pos] >= 0x20 && p[pos] < 0x80 && p[pos] != '"' && p[pos] != '\\')
        pos++;
    return pos;
}

/* Parses the string at pos; with keep, its decoded UTF-8 lands in buf[0..len), NUL-terminated
 * (it may hold NULs of its own, from \u0000). */
static bool parse_string(parser *ps, bool keep) {
    if (peek(ps) != '"') return syntax(ps, "expected '\"'");
    ps->pos++;
    if (keep) ps->len = 0, ps->nul = false;
    for (;;) {
        size_t run = ps->pos;
        ps->pos = plain_run(ps->p, ps->pos, ps->n);
        if (keep && !put(ps, ps->p + run, ps->pos - run)) return false;
        int c = peek(ps);
        if (c < 0) return syntax(ps, "");
        if (c == '"') {
            ps->pos++;
            if (keep && !put(ps, NULL, 0)) return false; /* room for the NUL */
            if (keep) ps->buf[ps->len] = '\0';
            return true;
        }
        if (c < 0x20) return syntax(ps, "control character in a string");
        if (c >= 0x80) {
            size_t k = utf8_len(ps->p + ps->pos, ps->n - ps->pos);
            if (!k) return syntax(ps, "invalid UTF-8");
            if (keep && !put(ps, ps->p + ps->pos, k)) return false;
            ps->pos += k;
            continue;
        }
        ps->pos++; /* the backslash */
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        int e = peek(ps);
        const char *simple = e > 0 ? strchr(from, e) : NULL;
        if (simple) {
            ps->pos++;
            if (keep && !put(ps, &to[simple - from], 1)) return false;
            continue;
        }
        if (e != 'u') return syntax(ps, "invalid escape");
        ps->pos++;
        unsigned u, lo;
        if (!read_hex4(ps, &u)) return false;
        if (u >= 0xDC00 && u <= 0xDFFF) return syntax(ps, "unpaired surrogate in \\u escape");
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (peek(ps) != '\\' || ps->pos + 1 >= ps->n || ps->p[ps->pos + 1] != 'u')
                return syntax(ps, "unpaired surrogate in \\u escape");
            ps->pos += 2;
            if (!read_hex4(ps, &lo)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) return syntax(ps, "unpaired surrogate in \\u escape");
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        }
        uint8_t b[4];
        size_t k;
        if (keep && u == 0) ps->nul = true;
        if (u < 0x80)
            b[0] = (uint8_t)u, k = 1;
        else if (u < 0x800)
            b[0] = (uint8_t)(0xC0 | u >> 6), b[1] = (uint8_t)(0x80 | (u & 0x3F)), k = 2;
        else if (u < 0x10000)
            b[0] = (uint8_t)(0xE0 | u >> 12), b[1] = (uint8_t)(0x80 | (u >> 6 & 0x3F)),
            b[2] = (uint8_t)(0x80 | (u & 0x3F)), k = 3;
        else
            b[0] = (uint8_t)(0xF0 | u >> 18), b[1] = (uint8_t)(0x80 | (u >> 12 & 0x3F)),
            b[2] = (uint8_t)(0x80 | (u >> 6 & 0x3F)), b[3] = (uint8_t)(0x80 | (u & 0x3F)), k = 4;
        if (keep && !put(ps, b, k)) return false;
    }
}

typedef struct {
    bool negative, integral, overflow;
    uint64_t value; /* of an integral, non-negative number that fits */
} number;

/* Whether the next non-blank character closes the array or object (`close`); consumed if so. */
static bool closes(parser *ps, char close) {
    skip_ws(ps);
    if (peek(ps) != close) return false;
    ps->pos++;
    return true;
}

/* After an element of an array or object: its `close` (*done set) or a ',' is consumed;
 * anything else is a syntax error. */
static bool after_element(parser *ps, char close, bool *done) {
    if ((*done = closes(ps, close))) return true;
    if (peek(ps) != ',')
        return syntax(ps, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    ps->pos++;
    return true;
}

/* Scans an RFC 8259 number at pos. */
static bool parse_number(parser *ps, number *num) {
    *num = (number){false, true, false, 0};
    if (peek(ps) == '-') num->negative = true, ps->pos++;
    if (!is_digit(peek(ps))) return syntax(ps, "expected a digit");
    if (peek(ps) == '0') {
        ps->pos++;
    } else {
        for (int c; is_digit(c = peek(ps)); ps->pos++) {
            unsigned d = (unsigned)(c - '0');
            /* UINT64_MAX is 10 x 1844674407370955161 + 5 (a division per digit was a tenth of
             * parsing a header) */
            if (num->value > UINT64_MAX / 10 || (num->value == UINT64_MAX / 10 && d > 5))
                num->overflow = true;
            else
                num->value = num->value * 10 + d;
        }
    }
    if (peek(ps) == '.') {
        num->integral = false;
        ps->pos++;
        if (!is_digit(peek(ps))) return syntax(ps, "expected a digit");
        while (is_digit(peek(ps)))
            ps->pos++;
    }
    if (peek(ps) == 'e' || peek(ps) == 'E') {
        num->integral = false;
        ps->pos++;
        if (peek(ps) == '+' || peek(ps) == '-') ps->pos++;
        if (!is_digit(peek(ps))) return syntax(ps, "expected a digit");
        while (is_digit(peek(ps)))
            ps->pos++;
    }
    return true;
}

static bool skip_scalar(parser *ps) {
    static const char *const words[] = {"true", "false", "null"};
    int c = peek(ps);
    if (c == '"') return parse_string(ps, false);
    if (c == '-' || is_digit(c)) {
        number num;
        return parse_number(ps, &num);
    }
    for (size_t i = 0; i < 3; i++) {
        size_t k = strlen(words[i]);
        if (ps->n - ps->pos >= k && memcmp(ps->p + ps->pos, words[i], k) == 0) {
            ps->pos += k;
            return true;
        }
    }
    return syntax(ps, "expected a value");
}

/* `"key" :` inside a skipped object. */
static bool skip_key(parser *ps) {
    skip_ws(ps);
    return parse_string(ps, false) && expect(ps, ':', "expected ':'");
}

/* Validates and skips one value (the __metadata__) without recursion. */
static bool skip_value(parser *ps) {
    char open[MAX_DEPTH];
    unsigned depth = 0;
    for (;;) {
        skip_ws(ps);
        int c = peek(ps);
        if (c == '{' || c == '[') {
            if (depth == MAX_DEPTH)
                return fail(ps, "__metadata__ nests deeper than %d levels", MAX_DEPTH);
            open[depth++] = (char)c;
            ps->pos++;
            skip_ws(ps);
            if (peek(ps) != (c == '{' ? '}' : ']')) {
                if (c == '{' && !skip_key(ps)) return false;
                continue; /* to the first element */
            }
            ps->pos++;
            depth--;
        } else if (!skip_scalar(ps)) {
            return false;
        }
        /* A value ended: close what ends here, then go on to the next element. */
        for (;;) {
            if (depth == 0) return true;
            bool object = open[depth - 1] == '{';
            skip_ws(ps);
            if (peek(ps) == (object ? '}' : ']')) {
                ps->pos++;
                depth--;
                continue;
            }
            if (peek(ps) != ',')
                return syntax(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
            ps->pos++;
            if (object && !skip_key(ps)) return false;
            break;
        }
    }
}

/* ---- the safetensors structure ---- */

/* A JSON array of at most max non-negative integers. */
static bool parse_uints(parser *ps, const emz_st_tensor *t, const char *field, uint64_t *v,
                        unsigned max, unsigned *count) {
    *count = 0;
    if (peek(ps) != '[') return tensor_fail(ps, t, "%s is not an array", field);
    ps->pos++;
    for (bool done = closes(ps, ']'); !done;) {
        skip_ws(ps);
        int c = peek(ps);
        if (c != '-' && !is_digit(c)) /* another JSON value is a type error, anything else syntax */
            return c > 0 && strchr("\"[{tfn", c)
                       ? tensor_fail(ps, t, "%s holds a non-number", field)
                       : syntax(ps, "expected a value");
        size_t at = ps->pos;
        number num;
        if (!parse_number(ps, &num)) return false;
        int shown = ps->pos - at > 32 ? 32 : (int)(ps->pos - at);
        const char *text = (const char *)ps->p + at;
        if (num.negative)
            return tensor_fail(ps, t, "%s holds %.*s, a negative number", field, shown, text);
        if (!num.integral)
            return tensor_fail(ps, t, "%s holds %.*s, not an integer", field, shown, text);
        if (num.overflow)
            return tensor_fail(ps, t, "%s holds %.*s, above 2^64-1", field, shown, text);
        if (*count == max) return tensor_fail(ps, t, "%s holds more than %u values", field, max);
        v[(*count)++] = num.value;
        if (!after_element(ps, ']', &done)) return false;
    }
    return true;
}

/* "[2, 3]"; cap fits 16 dimensions of 20 digits. */
static void format_shape(char *out, size_t cap, const emz_st_tensor *t) {
    size_t k = 1;
    out[0] = '[';
    for (unsigned i = 0; i < t->dims && k < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%" PRIu64, i ? ", " : "", t->shape[i]);
    if (k < cap) snprintf(out + k, cap - k, "]");
}

/* Offsets within the data region, and a size that matches shape and dtype exactly. */
/* bits: of one element of t->dtype, found when the dtype was parsed. */
static bool check_tensor(parser *ps, emz_st_tensor *t, unsigned bits) {
    if (t->begin > t->end)
        return tensor_fail(ps, t, "data_offsets [%" PRIu64 ", %" PRIu64 "] begin after end",
                           t->begin, t->end);
    if (t->end > ps->data_size)
        return tensor_fail(ps, t,
                           "data_offsets [%" PRIu64 ", %" PRIu64
                           "] end beyond the data region (%" PRIu64 " bytes)",
                           t->begin, t->end, ps->data_size);
    uint64_t elements = 1;
    for (unsigned i = 0; i < t->dims; i++) /* a 0 dimension empties the tensor, whatever the rest */
        if (t->shape[i] == 0) elements = 0;
    /* formatted only for a message: snprintf for every tensor was 4% of opening a
     * 17,700-tensor checkpoint */
    char shape[EMZ_ST_MAX_DIMS * 22 + 3];
#define SHAPE (format_shape(shape, sizeof shape, t), shape)
    for (unsigned i = 0; i < t->dims && elements; i++) {
        if (elements > UINT64_MAX / t->shape[i])
            return tensor_fail(ps, t, "shape %s holds more than 2^64-1 elements", SHAPE);
        elements *= t->shape[i];
    }
    /* Bytes as elements/8*bits + (elements%8)*bits/8: the bit count itself may pass 2^64 (a U8
     * tensor of 2^64-1 bytes), and sub-byte types must fill whole bytes. */
    uint64_t q = elements / 8, rest_bits = elements % 8 * bits;
    if (rest_bits % 8)
        return tensor_fail(ps, t,
                           "shape %s of %s (%" PRIu64
                           " elements of %u bits) is not a whole number of bytes",
                           SHAPE, t->dtype, elements, bits);
    if (q > (UINT64_MAX - rest_bits / 8) / bits)
        return tensor_fail(ps, t, "shape %s of %s is more than 2^64-1 bytes", SHAPE, t->dtype);
    uint64_t bytes = q * bits + rest_bits / 8;
    if (bytes != t->end - t->begin)
        return tensor_fail(ps, t,
                           "shape %s of %s is %" PRIu64 " bytes but data_offsets span %" PRIu64,
                           SHAPE, t->dtype, bytes, t->end - t->begin);
#undef SHAPE
    t->type = emz_st_storage_type(t->name, t->dtype);
    return true;
}

enum { HAVE_DTYPE = 1, HAVE_SHAPE = 2, HAVE_OFFSETS = 4 };

/* The object of tensor t, whose name is set. Fields in any order, each exactly once. */
static bool parse_tensor(parser *ps, emz_st_tensor *t) {
    static const struct {
        const char *name;
        size_t len;
        unsigned bit;
    } fields[] = {
        {"dtype", 5, HAVE_DTYPE}, {"shape", 5, HAVE_SHAPE}, {"data_offsets", 12, HAVE_OFFSETS}};
    skip_ws(ps);
    if (peek(ps) < 0) return syntax(ps, "");
    if (peek(ps) != '{') return tensor_fail(ps, t, "not an object");
    ps->pos++;
    unsigned have = 0, bits = 0;
    for (bool done = closes(ps, '}'); !done;) {
        skip_ws(ps);
        if (!parse_string(ps, true) || !expect(ps, ':', "expected ':'")) return false;
        skip_ws(ps);
        unsigned bit = 0;
        for (size_t i = 0; i < 3; i++)
            if (ps->len == fields[i].len && memcmp(ps->buf, fields[i].name, ps->len) == 0)
                bit = fields[i].bit;
        char q[QUOTE_CAP];
        if (!bit) return tensor_fail(ps, t, "unexpected field %s", quote(q, ps->buf, ps->len));
        if (have & bit)
            return tensor_fail(ps, t, "field %s appears twice", quote(q, ps->buf, ps->len));
        have |= bit;
        if (bit == HAVE_DTYPE) {
            if (peek(ps) != '"') return tensor_fail(ps, t, "dtype is not a string");
            if (!parse_string(ps, true)) return false;
            if (ps->len >= sizeof t->dtype || ps->nul ||
                emz_st_dtype_bits(ps->buf, &bits) != EMZ_OK)
                return tensor_fail(ps, t, "unknown dtype %s", quote(q, ps->buf, ps->len));
            memcpy(t->dtype, ps->buf, ps->len + 1);
        } else if (bit == HAVE_SHAPE) {
            if (!parse_uints(ps, t, "shape", t->shape, EMZ_ST_MAX_DIMS, &t->dims)) return false;
        } else {
            uint64_t off[2];
            unsigned k;
            if (!parse_uints(ps, t, "data_offsets", off, 2, &k)) return false;
            if (k != 2) return tensor_fail(ps, t, "data_offsets holds %u values, not 2", k);
            t->begin = off[0], t->end = off[1];
        }
        if (!after_element(ps, '}', &done)) return false;
    }
    for (size_t i = 0; i < 3; i++)
        if (!(have & fields[i].bit))
            return tensor_fail(ps, t, "missing field \"%s\"", fields[i].name);
    return check_tensor(ps, t, bits);
}

/* A new tensor named buf[0..len), appended to the array. */
static emz_st_tensor *add_tensor(parser *ps) {
    if (ps->count == ps->t_cap) {
        size_t cap = ps->t_cap ? 2 * ps->t_cap : 64;
        emz_st_tensor *nt = realloc(ps->t, cap * sizeof *nt);
        if (!nt) return no_memory(ps), NULL;
        ps->t = nt, ps->t_cap = cap;
    }
    emz_st_tensor *t = &ps->t[ps->count];
    memset(t, 0, sizeof *t);
    if (!(t->name = malloc(ps->len + 1))) return no_memory(ps), NULL;
    memcpy(t->name, ps->buf, ps->len + 1);
    ps->count++;
    return t;
}

static bool parse_top(parser *ps) {
    if ((uint64_t)ps->n > EMZ_ST_MAX_HEADER)
        return fail(ps, "header of %zu bytes is above the limit of %" PRIu64 " bytes", ps->n,
                    EMZ_ST_MAX_HEADER);
    skip_ws(ps);
    if (peek(ps) < 0) return fail(ps, "header is empty");
    if (peek(ps) != '{') return fail(ps, "header is not a JSON object");
    ps->pos++;
    bool have_metadata = false;
    for (bool done = closes(ps, '}'); !done;) {
        skip_ws(ps);
        if (!parse_string(ps, true) || !expect(ps, ':', "expected ':'")) return false;
        if (ps->len == 12 && memcmp(ps->buf, "__metadata__", 12) == 0) {
            if (have_metadata) return fail(ps, "__metadata__ appears twice");
            have_metadata = true;
            if (!skip_value(ps)) return false;
        } else {
            char q[QUOTE_CAP];
            if (ps->nul)
                return fail(ps, "tensor %s: name holds a NUL character",
                            quote(q, ps->buf, ps->len));
            emz_st_tensor *t = add_tensor(ps);
            if (!t || !parse_tensor(ps, t)) return false;
        }
        if (!after_element(ps, '}', &done)) return false;
    }
    skip_ws(ps); /* safetensors pads the header with spaces */
    if (ps->pos != ps->n) return syntax(ps, "expected nothing but whitespace after the object");
    return true;
}

/* Refuses a name given twice: a set of the names' 64-bit hashes (open addressing, at most
 * half full), names compared only when their hashes match. Sorting the names instead cost a
 * checkpoint's open ~15%: names share long prefixes ("model.layers.12.self_attn..."). */
static bool names_unique(parser *ps) {
    typedef struct {
        uint64_t hash;
        const char *name; /* NULL: free */
    } slot;
    size_t cap = 16;
    while (cap < 2 * ps->count)
        cap *= 2;
    slot *set = calloc(cap, sizeof *set);
    if (!set) return no_memory(ps);
    bool ok = true;
    for (size_t i = 0; ok && i < ps->count; i++) {
        const char *name = ps->t[i].name;
        uint64_t hash = emz_hash64(name, strlen(name));
        size_t j = (size_t)hash & (cap - 1);
        for (; set[j].name; j = (j + 1) & (cap - 1)) {
            if (set[j].hash == hash && strcmp(set[j].name, name) == 0) {
                char q[QUOTE_CAP];
                ok = fail(ps, "tensor %s appears twice", quote(q, name, strlen(name)));
                break;
            }
        }
        set[j] = (slot){hash, name};
    }
    free(set);
    return ok;
}

static int by_offsets(const void *pa, const void *pb) {
    const emz_st_tensor *a = pa, *b = pb;
    if (a->begin != b->begin) return a->begin < b->begin ? -1 : 1;
    if (a->end != b->end) return a->end < b->end ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* Unique names, then (sorted by offsets) no overlap between non-empty ranges: with the ranges
 * seen so far disjoint and sorted, only the last non-empty one can reach past the next begin. */
static bool check_all(parser *ps) {
    char q1[QUOTE_CAP], q2[QUOTE_CAP];
    emz_st_tensor *t = ps->t;
    if (ps->count < 2) return true;
    if (!names_unique(ps)) return false;
    qsort(t, ps->count, sizeof *t, by_offsets);
    const emz_st_tensor *prev = NULL;
    for (size_t i = 0; i < ps->count; i++) {
        if (t[i].begin == t[i].end) continue;
        if (prev && t[i].begin < prev->end)
            return fail(ps,
                        "tensors %s and %s overlap: [%" PRIu64 ", %" PRIu64 "] and [%" PRIu64
                        ", %" PRIu64 "]",
                        quote(q1, prev->name, strlen(prev->name)),
                        quote(q2, t[i].name, strlen(t[i].name)), prev->begin, prev->end, t[i].begin,
                        t[i].end);
        prev = &t[i];
    }
    return true;
}

emz_status emz_st_parse(const uint8_t *json, size_t json_size, uint64_t data_size,
                        emz_st_header *out, char *why, size_t why_cap) {
    if (why && why_cap) why[0] = '\0';
    if (out) memset(out, 0, sizeof *out);
    if (!out || (!json && json_size)) return EMZ_ERROR_INVALID_ARGUMENT;
    parser ps = {.p = json,
                 .n = json_size,
                 .data_size = data_size,
                 .why = why,
                 .why_cap = why ? why_cap : 0};
    bool ok = parse_top(&ps) && check_all(&ps);
    free(ps.buf);
    if (!ok) {
        emz_st_header h = {0, 0, ps.count, ps.t};
        emz_st_free(&h);
        return ps.status;
    }
    out->json_size = json_size;
    out->data_start = 8 + (uint64_t)json_size;
    out->count = ps.count;
    out->tensors = ps.t;
    return EMZ_OK;
}

void emz_st_free(emz_st_header *h) {
    if (!h) return;
    for (size_t i = 0; i < h->count; i++)
        free(h->tensors[i].name);
    free(h->tensors);
    memset(h, 0, sizeof *h);
}
