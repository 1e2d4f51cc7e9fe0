/* cli_safetensors.c - parsing a safetensors header (see cli_safetensors.h).
 *
 * A small recursive-descent JSON reader over the header bytes: the top level must be an
 * object; each member but "__metadata__" is a tensor, an object whose "dtype" (a string),
 * "shape" (an array of integers) and "data_offsets" (two integers) are read and whose other
 * members are skipped. Numbers are read as unsigned integers only, which is all a safetensors
 * header holds outside __metadata__ (skipped values may be any JSON).
 */
#include "cli_safetensors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 64 };

typedef struct parser {
    const unsigned char *start, *at, *end;
    char *error;
    size_t error_size;
    bool failed;
} parser;

static bool fail(parser *p, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static bool fail(parser *p, const char *format, ...) {
    if (!p->failed && p->error_size > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(p->error, p->error_size, format, args);
        va_end(args);
    }
    p->failed = true;
    return false;
}

static bool syntax_error(parser *p) {
    return fail(p, "the header is not valid JSON (at byte %zu of it)", (size_t)(p->at - p->start));
}

static void skip_space(parser *p) {
    while (p->at < p->end && (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r'))
        p->at++;
}

/* Skips white space, then takes c if it comes next. */
static bool take(parser *p, char c) {
    skip_space(p);
    if (p->at < p->end && *p->at == (unsigned char)c) {
        p->at++;
        return true;
    }
    return false;
}

static int hex_digit(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Four hex digits after "\u". */
static bool read_hex4(parser *p, unsigned *value) {
    if (p->end - p->at < 4) return false;
    *value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = hex_digit(*p->at++);
        if (digit < 0) return false;
        *value = *value << 4 | (unsigned)digit;
    }
    return true;
}

static size_t put_utf8(unsigned code, char *out) {
    if (code < 0x80) {
        out[0] = (char)code;
        return 1;
    }
    if (code < 0x800) {
        out[0] = (char)(0xC0 | code >> 6);
        out[1] = (char)(0x80 | (code & 0x3F));
        return 2;
    }
    if (code < 0x10000) {
        out[0] = (char)(0xE0 | code >> 12);
        out[1] = (char)(0x80 | (code >> 6 & 0x3F));
        out[2] = (char)(0x80 | (code & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | code >> 18);
    out[1] = (char)(0x80 | (code >> 12 & 0x3F));
    out[2] = (char)(0x80 | (code >> 6 & 0x3F));
    out[3] = (char)(0x80 | (code & 0x3F));
    return 4;
}

/* A \uXXXX escape (p->at after the 'u'), a surrogate pair taken whole; the code point. */
static bool read_unicode_escape(parser *p, unsigned *code) {
    if (!read_hex4(p, code)) return false;
    if (*code >= 0xDC00 && *code <= 0xDFFF) return false;
    if (*code < 0xD800 || *code > 0xDBFF) return true;
    unsigned low;
    if (p->end - p->at < 2 || p->at[0] != '\\' || p->at[1] != 'u') return false;
    p->at += 2;
    if (!read_hex4(p, &low) || low < 0xDC00 || low > 0xDFFF) return false;
    *code = 0x10000 + ((*code - 0xD800) << 10) + (low - 0xDC00);
    return true;
}

/* One escape (p->at after the backslash) into out; the bytes written, 0 if invalid. */
static size_t read_escape(parser *p, char *out) {
    static const char plain[] = "\"\\/bfnrt", meaning[] = "\"\\/\b\f\n\r\t";
    if (p->at >= p->end) return 0;
    unsigned char c = *p->at++;
    const char *found = c != '\0' ? strchr(plain, c) : NULL;
    if (found != NULL) {
        *out = meaning[found - plain];
        return 1;
    }
    unsigned code;
    if (c != 'u' || !read_unicode_escape(p, &code) || code == 0) return 0;
    return put_utf8(code, out);
}

/* A string; *out (when out is not NULL) receives it decoded, NUL-terminated, owned. Decoded
 * text is never longer than its JSON spelling, so one allocation of that size holds it. */
static bool read_string(parser *p, char **out) {
    if (!take(p, '"')) return syntax_error(p);
    const unsigned char *close = p->at;
    while (close < p->end && *close != '"')
        close += *close == '\\' && close + 1 < p->end ? 2 : 1;
    if (close >= p->end) return syntax_error(p);
    char *text = malloc((size_t)(close - p->at) + 1);
    if (text == NULL) return fail(p, "out of memory");
    size_t length = 0;
    while (p->at < close) {
        unsigned char c = *p->at++;
        size_t n = 1;
        if (c < 0x20)
            n = 0;
        else if (c == '\\')
            n = read_escape(p, text + length);
        else
            text[length] = (char)c;
        if (n == 0 || p->at > close) {
            free(text);
            return syntax_error(p);
        }
        length += n;
    }
    p->at = close + 1;
    text[length] = '\0';
    if (out != NULL)
        *out = text;
    else
        free(text);
    return true;
}

/* An unsigned integer (digits only: no sign, fraction or exponent). */
static bool read_u64(parser *p, uint64_t *value) {
    skip_space(p);
    if (p->at >= p->end || *p->at < '0' || *p->at > '9') return false;
    *value = 0;
    for (; p->at < p->end && *p->at >= '0' && *p->at <= '9'; p->at++) {
        unsigned digit = *p->at - '0';
        if (*value > (UINT64_MAX - digit) / 10) return false;
        *value = *value * 10 + digit;
    }
    return p->at >= p->end || (*p->at != '.' && *p->at != 'e' && *p->at != 'E');
}

static bool skip_value(parser *p, int depth);

/* The members (open == '{') or elements (open == '[') after the opening bracket. */
static bool skip_container(parser *p, char open, int depth) {
    char close = open == '{' ? '}' : ']';
    if (take(p, close)) return true;
    do {
        if (open == '{' && (!read_string(p, NULL) || !take(p, ':'))) return syntax_error(p);
        if (!skip_value(p, depth + 1)) return false;
    } while (take(p, ','));
    return take(p, close) || syntax_error(p);
}

static bool skip_word(parser *p, const char *word) {
    size_t length = strlen(word);
    if ((size_t)(p->end - p->at) < length || memcmp(p->at, word, length) != 0) return false;
    p->at += length;
    return true;
}

static bool skip_value(parser *p, int depth) {
    if (depth > MAX_DEPTH) return fail(p, "the header nests deeper than %d levels", MAX_DEPTH);
    skip_space(p);
    if (p->at >= p->end) return syntax_error(p);
    unsigned char c = *p->at;
    if (c == '"') return read_string(p, NULL);
    if (c == '{' || c == '[') {
        p->at++;
        return skip_container(p, (char)c, depth);
    }
    if (skip_word(p, "true") || skip_word(p, "false") || skip_word(p, "null")) return true;
    if (c == '-') p->at++;
    const unsigned char *first = p->at;
    while (p->at < p->end && strchr("0123456789.eE+-", *p->at) != NULL && *p->at != '\0')
        p->at++;
    return p->at > first || syntax_error(p);
}

/* An array of at most capacity unsigned integers. */
static bool read_u64_array(parser *p, uint64_t *values, unsigned capacity, unsigned *count) {
    *count = 0;
    if (!take(p, '[')) return false;
    if (take(p, ']')) return true;
    do {
        if (*count == capacity || !read_u64(p, &values[*count])) return false;
        (*count)++;
    } while (take(p, ','));
    return take(p, ']');
}

/* One of a tensor's members: its key was read into key. */
static bool read_tensor_member(parser *p, const char *key, cli_st_tensor *t, unsigned *seen) {
    const char *name = t->name;
    if (strcmp(key, "dtype") == 0) {
        char *dtype = NULL;
        if (!read_string(p, &dtype)) return false;
        bool fits = strlen(dtype) < sizeof t->dtype;
        if (fits) strcpy(t->dtype, dtype);
        free(dtype);
        *seen |= 1;
        return fits || fail(p, "tensor \"%s\": unknown dtype", name);
    }
    if (strcmp(key, "shape") == 0) {
        *seen |= 2;
        return read_u64_array(p, t->shape, CLI_ST_MAX_DIMS, &t->dims) ||
               fail(p, "tensor \"%s\": shape is not a list of at most %d sizes", name,
                    CLI_ST_MAX_DIMS);
    }
    if (strcmp(key, "data_offsets") == 0) {
        uint64_t offsets[2];
        unsigned count;
        *seen |= 4;
        if (!read_u64_array(p, offsets, 2, &count) || count != 2)
            return fail(p, "tensor \"%s\": data_offsets is not a pair of offsets", name);
        t->begin = offsets[0];
        t->end = offsets[1];
        return true;
    }
    return skip_value(p, 2);
}

/* A tensor's object; t->name is set. */
static bool read_tensor(parser *p, cli_st_tensor *t, uint64_t data_size) {
    unsigned seen = 0;
    if (!take(p, '{')) return fail(p, "tensor \"%s\": not a JSON object", t->name);
    if (!take(p, '}')) {
        do {
            char *key = NULL;
            if (!read_string(p, &key)) return false;
            bool ok = take(p, ':') ? read_tensor_member(p, key, t, &seen) : syntax_error(p);
            free(key);
            if (!ok) return false;
        } while (take(p, ','));
        if (!take(p, '}')) return syntax_error(p);
    }
    if (seen != 7)
        return fail(p, "tensor \"%s\": no %s", t->name,
                    !(seen & 1)   ? "dtype"
                    : !(seen & 2) ? "shape"
                                  : "data_offsets");
    if (t->begin > t->end || t->end > data_size)
        return fail(p,
                    "tensor \"%s\": data_offsets [%llu, %llu] lie outside the data "
                    "(%llu bytes)",
                    t->name, (unsigned long long)t->begin, (unsigned long long)t->end,
                    (unsigned long long)data_size);
    return true;
}

/* Room for one more tensor. */
static bool grow(parser *p, cli_st_header *h, size_t *capacity) {
    if (h->count < *capacity) return true;
    size_t wanted = *capacity ? *capacity * 2 : 16;
    cli_st_tensor *grown = realloc(h->tensors, wanted * sizeof *grown);
    if (grown == NULL) return fail(p, "out of memory");
    h->tensors = grown;
    *capacity = wanted;
    return true;
}

/* The members of the top-level object. */
static bool read_members(parser *p, cli_st_header *h) {
    size_t capacity = 0;
    if (take(p, '}')) return true;
    do {
        char *name = NULL;
        if (!read_string(p, &name)) return false;
        if (!take(p, ':')) {
            free(name);
            return syntax_error(p);
        }
        if (strcmp(name, "__metadata__") == 0) {
            free(name);
            if (!skip_value(p, 1)) return false;
            continue;
        }
        if (!grow(p, h, &capacity)) {
            free(name);
            return false;
        }
        cli_st_tensor *t = &h->tensors[h->count++];
        memset(t, 0, sizeof *t);
        t->name = name;
        if (!read_tensor(p, t, h->data_size)) return false;
    } while (take(p, ','));
    return take(p, '}') || syntax_error(p);
}

bool cli_st_parse(const unsigned char *file, uint64_t file_size, cli_st_header *header, char *error,
                  size_t error_size) {
    memset(header, 0, sizeof *header);
    uint64_t length = 0;
    for (int i = 7; i >= 0 && file_size >= 8; i--)
        length = length << 8 | file[i];
    parser p = {file + 8, file + 8, file + 8, error, error_size, false};
    if (file_size < 8 || length > file_size - 8) {
        fail(&p, "not a safetensors file (its header length is beyond the file)");
        return false;
    }
    p.end = p.start + length;
    header->data_start = 8 + length;
    header->data_size = file_size - header->data_start;
    bool ok = take(&p, '{') ? read_members(&p, header) : fail(&p, "the header is not an object");
    if (ok) {
        skip_space(&p);
        if (p.at != p.end) ok = syntax_error(&p);
    }
    if (!ok) cli_st_free(header);
    return ok;
}

void cli_st_free(cli_st_header *header) {
    for (size_t i = 0; i < header->count; i++)
        free(header->tensors[i].name);
    free(header->tensors);
    header->tensors = NULL;
    header->count = 0;
}
