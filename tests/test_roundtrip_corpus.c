/* test_roundtrip_corpus.c - round trips of the real safetensors corpus, per tensor and whole. */
#include <dirent.h>

#include "test_corpus.h"
#include "test_util.h"

typedef struct {
    char name[256];
    char dtype[32];
    uint64_t begin, end;
} tensor_t;

typedef struct {
    uint8_t *data;
    size_t size;
    size_t data_start;  /* 8 + header length */
    tensor_t *tensors;
    size_t count;
} st_file;

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    cr_assert(fseek(f, 0, SEEK_END) == 0);
    long sz = ftell(f);
    cr_assert(sz >= 0);
    rewind(f);
    uint8_t *p = tu_xmalloc((size_t)sz);
    cr_assert(fread(p, 1, (size_t)sz, f) == (size_t)sz, "short read of %s", path);
    fclose(f);
    *size = (size_t)sz;
    return p;
}

/* ---- a tiny JSON scanner: just enough for a safetensors header ---- */

typedef struct {
    const char *p, *end;
} scan_t;

static void skip_ws(scan_t *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t')) s->p++;
}

static void expect(scan_t *s, char c)
{
    skip_ws(s);
    cr_assert(s->p < s->end && *s->p == c, "safetensors header: expected '%c' at offset", c);
    s->p++;
}

static void read_string(scan_t *s, char *out, size_t cap)
{
    expect(s, '"');
    size_t n = 0;
    while (s->p < s->end && *s->p != '"') {
        char c = *s->p++;
        if (c == '\\' && s->p < s->end) c = *s->p++;
        if (n + 1 < cap) out[n++] = c;
    }
    cr_assert(s->p < s->end, "unterminated string");
    s->p++;
    out[n] = 0;
}

static uint64_t read_uint(scan_t *s)
{
    skip_ws(s);
    uint64_t v = 0;
    cr_assert(s->p < s->end && *s->p >= '0' && *s->p <= '9', "expected a number");
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') v = v * 10 + (uint64_t)(*s->p++ - '0');
    return v;
}

/* Skips any JSON value. */
static void skip_value(scan_t *s)
{
    skip_ws(s);
    cr_assert(s->p < s->end);
    if (*s->p == '"') {
        char tmp[8];
        read_string(s, tmp, sizeof tmp);
        return;
    }
    if (*s->p == '{' || *s->p == '[') {
        int depth = 0;
        do {
            char c = *s->p;
            if (c == '"') {
                char tmp[8];
                read_string(s, tmp, sizeof tmp);
                continue;
            }
            if (c == '{' || c == '[') depth++;
            if (c == '}' || c == ']') depth--;
            s->p++;
        } while (depth > 0 && s->p < s->end);
        return;
    }
    while (s->p < s->end && *s->p != ',' && *s->p != '}' && *s->p != ']') s->p++;
}

static st_file parse_safetensors(const char *path)
{
    st_file f;
    memset(&f, 0, sizeof f);
    f.data = read_file(path, &f.size);
    cr_assert(f.size >= 8, "%s: too short", path);
    uint64_t hl = tu_get64(f.data);
    cr_assert(hl <= f.size - 8, "%s: header length %llu too large", path, (unsigned long long)hl);
    f.data_start = 8 + (size_t)hl;
    scan_t s = {(const char *)f.data + 8, (const char *)f.data + 8 + hl};
    expect(&s, '{');
    size_t cap = 0;
    for (;;) {
        skip_ws(&s);
        if (s.p < s.end && *s.p == '}') break;
        tensor_t t;
        memset(&t, 0, sizeof t);
        read_string(&s, t.name, sizeof t.name);
        expect(&s, ':');
        if (strcmp(t.name, "__metadata__") == 0) {
            skip_value(&s);
        } else {
            expect(&s, '{');
            int have_off = 0;
            for (;;) {
                char key[64];
                read_string(&s, key, sizeof key);
                expect(&s, ':');
                if (strcmp(key, "dtype") == 0) {
                    read_string(&s, t.dtype, sizeof t.dtype);
                } else if (strcmp(key, "data_offsets") == 0) {
                    expect(&s, '[');
                    t.begin = read_uint(&s);
                    expect(&s, ',');
                    t.end = read_uint(&s);
                    expect(&s, ']');
                    have_off = 1;
                } else {
                    skip_value(&s);
                }
                skip_ws(&s);
                if (s.p < s.end && *s.p == ',') { s.p++; continue; }
                expect(&s, '}');
                break;
            }
            cr_assert(have_off && t.dtype[0], "%s: tensor %s lacks dtype or data_offsets", path, t.name);
            cr_assert(t.begin <= t.end && t.end <= f.size - f.data_start, "%s: tensor %s out of bounds",
                      path, t.name);
            if (f.count == cap) {
                cap = cap ? 2 * cap : 64;
                f.tensors = realloc(f.tensors, cap * sizeof *f.tensors);
                cr_assert(f.tensors != NULL);
            }
            f.tensors[f.count++] = t;
        }
        skip_ws(&s);
        if (s.p < s.end && *s.p == ',') { s.p++; continue; }
        expect(&s, '}');
        break;
    }
    cr_assert(f.count > 0, "%s: no tensors", path);
    return f;
}

static void free_st(st_file *f)
{
    free(f->data);
    free(f->tensors);
}

static int map_dtype(const tensor_t *t, emz_type *type)
{
    size_t l = strlen(t->name);
    if (strcmp(t->dtype, "BF16") == 0) *type = EMZ_TYPE_BF16;
    else if (strcmp(t->dtype, "F16") == 0) *type = EMZ_TYPE_FP16;
    else if (strcmp(t->dtype, "F32") == 0) *type = EMZ_TYPE_FP32;
    else if (strcmp(t->dtype, "F8_E4M3") == 0) *type = EMZ_TYPE_FP8_E4M3;
    else if (strcmp(t->dtype, "F8_E5M2") == 0) *type = EMZ_TYPE_FP8_E5M2;
    else if (strcmp(t->dtype, "U8") == 0)
        *type = (l >= 7 && strcmp(t->name + l - 7, ".blocks") == 0) ? EMZ_TYPE_FP4_E2M1 : EMZ_TYPE_BYTES;
    else return 0;
    return 1;
}

Test(corpus, tensor_slices, .timeout = 600)
{
    size_t nfiles;
    char **files = tc_corpus_files(&nfiles);
    emz_cctx *c = emz_cctx_create();
    emz_dctx *d = emz_dctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 65536) == EMZ_OK);
    size_t tested = 0, per_type[EMZ_TYPE_COUNT] = {0};
    for (size_t i = 0; i < nfiles; i++) {
        st_file f = parse_safetensors(files[i]);
        for (size_t j = 0; j < f.count; j++) {
            const tensor_t *t = &f.tensors[j];
            emz_type type;
            cr_assert(map_dtype(t, &type), "%s: unexpected dtype %s", files[i], t->dtype);
            size_t len = (size_t)(t->end - t->begin);
            if (len > 256 * 1024) len = 256 * 1024;
            const uint8_t *p = f.data + f.data_start + t->begin;
            size_t fsize = tu_roundtrip_ex(c, d, p, len, type, 65536, NULL);
            if (len > 4096 && type != EMZ_TYPE_BYTES && type != EMZ_TYPE_FP4_E2M1)
                cr_assert(fsize < len, "%s: tensor %s (%s, %zu bytes) did not shrink: %zu", files[i],
                          t->name, t->dtype, len, fsize);
            tested++;
            per_type[type]++;
        }
        free_st(&f);
        free(files[i]);
    }
    free(files);
    cr_log_info("round-tripped %zu tensor slices", tested);
    /* the corpus README promises all these kinds */
    cr_assert(per_type[EMZ_TYPE_BF16] && per_type[EMZ_TYPE_FP16] && per_type[EMZ_TYPE_FP32] &&
              per_type[EMZ_TYPE_FP8_E4M3] && per_type[EMZ_TYPE_FP8_E5M2] && per_type[EMZ_TYPE_FP4_E2M1] &&
              per_type[EMZ_TYPE_BYTES], "corpus lacks some tensor types");
    emz_cctx_free(c);
    emz_dctx_free(d);
}

static void whole_files_as(emz_type type)
{
    size_t nfiles;
    char **files = tc_corpus_files(&nfiles);
    emz_cctx *c = emz_cctx_create();
    emz_dctx *d = emz_dctx_create();
    for (size_t i = 0; i < nfiles; i++) {
        size_t size;
        uint8_t *data = read_file(files[i], &size);
        tu_roundtrip_ex(c, d, data, size, type, 0, NULL);
        free(data);
        free(files[i]);
    }
    free(files);
    emz_cctx_free(c);
    emz_dctx_free(d);
}

Test(corpus, whole_files_as_bytes, .timeout = 600) { whole_files_as(EMZ_TYPE_BYTES); }
Test(corpus, whole_files_as_bf16, .timeout = 600) { whole_files_as(EMZ_TYPE_BF16); }

/* The first tensors of one file of each kind, decoded by ranges that cross chunk boundaries. */
Test(corpus, ranges_of_whole_file, .timeout = 600)
{
    size_t nfiles;
    char **files = tc_corpus_files(&nfiles);
    emz_cctx *c = emz_cctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 16384) == EMZ_OK);
    for (size_t i = 0; i < nfiles; i++) {
        st_file f = parse_safetensors(files[i]);
        size_t len = f.size - f.data_start;
        if (len > 2 * 1024 * 1024) len = 2 * 1024 * 1024;
        emz_type type;
        cr_assert(map_dtype(&f.tensors[0], &type));
        uint8_t *frame = NULL;
        const uint8_t *p = f.data + f.data_start;
        size_t fsize = tu_roundtrip_ex(c, NULL, p, len, type, 16384, &frame);
        uint8_t *out = tu_xmalloc(len);
        uint64_t s = i + 1;
        for (int r = 0; r < 50; r++) {
            uint64_t off = tu_rand(&s) % (len + 1);
            uint64_t l = tu_rand(&s) % (len - off + 1);
            if (r & 1) l %= 40000;
            emz_status st = emz_decompress_range(NULL, out, len, frame, fsize, off, l);
            cr_assert(st == EMZ_OK, "%s: range %llu+%llu: %s", files[i], (unsigned long long)off,
                      (unsigned long long)l, emz_error_name(st));
            if (l) cr_assert(memcmp(out, p + off, l) == 0, "%s: range %llu+%llu differs", files[i],
                             (unsigned long long)off, (unsigned long long)l);
        }
        free(out);
        free(frame);
        free_st(&f);
        free(files[i]);
    }
    free(files);
    emz_cctx_free(c);
}
