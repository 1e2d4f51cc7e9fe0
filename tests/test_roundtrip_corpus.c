/* test_roundtrip_corpus.c - round trips of the real safetensors corpus, per tensor and whole. */
#include <dirent.h>

#include "format/safetensors_header.h"
#include "test_corpus.h"
#include "test_util.h"

typedef struct {
    uint8_t *data;
    size_t size;
    emz_st_header h; /* tensors sorted by data offset; h.data_start = 8 + header length */
} st_file;

static uint8_t *read_file(const char *path, size_t *size) {
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

/* The header, read by the library's own parser: the tests take each tensor's storage type from
 * it, as the CLI does, rather than from a mapping of their own. */
static st_file parse_safetensors(const char *path) {
    st_file f;
    memset(&f, 0, sizeof f);
    f.data = read_file(path, &f.size);
    cr_assert(f.size >= 8, "%s: too short", path);
    uint64_t hl = tu_get64(f.data);
    cr_assert(hl <= f.size - 8, "%s: header length %llu too large", path, (unsigned long long)hl);
    char why[256];
    emz_status st = emz_st_parse(f.data + 8, (size_t)hl, f.size - 8 - hl, &f.h, why, sizeof why);
    cr_assert(st == EMZ_OK, "%s: %s: %s", path, emz_error_name(st), why);
    cr_assert(f.h.count > 0, "%s: no tensors", path);
    return f;
}

static void free_st(st_file *f) {
    free(f->data);
    emz_st_free(&f->h);
}

/* The first 256 KiB of every tensor of one file; counts the tensors per storage type. */
static size_t tensor_slices_of(const char *path, emz_cctx *c, emz_dctx *d, size_t *per_type) {
    st_file f = parse_safetensors(path);
    for (size_t j = 0; j < f.h.count; j++) {
        const emz_st_tensor *t = &f.h.tensors[j];
        emz_type type = emz_st_storage_type(t->name, t->dtype);
        size_t len = (size_t)(t->end - t->begin);
        if (len > 256 * 1024) len = 256 * 1024;
        const uint8_t *p = f.data + f.h.data_start + t->begin;
        size_t fsize = tu_roundtrip_ex(c, d, p, len, type, 65536, NULL);
        if (len > 4096 && type != EMZ_TYPE_BYTES && type != EMZ_TYPE_FP4_E2M1)
            cr_assert(fsize < len, "%s: tensor %s (%s, %zu bytes) did not shrink: %zu", path,
                      t->name, t->dtype, len, fsize);
        per_type[type]++;
    }
    size_t tested = f.h.count;
    free_st(&f);
    return tested;
}

Test(corpus, tensor_slices, .timeout = 600) {
    tc_corpora corpora = tc_corpora_get();
    emz_cctx *c = emz_cctx_create();
    emz_dctx *d = emz_dctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 65536) == EMZ_OK);
    for (size_t k = 0; k < corpora.n; k++) {
        size_t nfiles, tested = 0, per_type[EMZ_TYPE_COUNT] = {0};
        char **files = tc_files_of(&corpora.c[k], &nfiles);
        for (size_t i = 0; i < nfiles; i++)
            tested += tensor_slices_of(files[i], c, d, per_type);
        tc_free_files(files, nfiles);
        cr_log_info("%s: round-tripped %zu tensor slices", corpora.c[k].dir, tested);
        /* the corpus README promises all these kinds, and the sample keeps every one */
        cr_assert(per_type[EMZ_TYPE_BF16] && per_type[EMZ_TYPE_FP16] && per_type[EMZ_TYPE_FP32] &&
                      per_type[EMZ_TYPE_FP8_E4M3] && per_type[EMZ_TYPE_FP8_E5M2] &&
                      per_type[EMZ_TYPE_FP4_E2M1] && per_type[EMZ_TYPE_BYTES],
                  "%s lacks some tensor types", corpora.c[k].dir);
    }
    emz_cctx_free(c);
    emz_dctx_free(d);
}

static void whole_files_as(emz_type type) {
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

Test(corpus, whole_files_as_bytes, .timeout = 600) {
    whole_files_as(EMZ_TYPE_BYTES);
}
Test(corpus, whole_files_as_bf16, .timeout = 600) {
    whole_files_as(EMZ_TYPE_BF16);
}

/* The first tensors of one file of each kind, decoded by ranges that cross chunk boundaries. */
Test(corpus, ranges_of_whole_file, .timeout = 600) {
    size_t nfiles;
    char **files = tc_corpus_files(&nfiles);
    emz_cctx *c = emz_cctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 16384) == EMZ_OK);
    for (size_t i = 0; i < nfiles; i++) {
        st_file f = parse_safetensors(files[i]);
        size_t len = f.size - (size_t)f.h.data_start;
        if (len > 2 * 1024 * 1024) len = 2 * 1024 * 1024;
        /* the type of the tensor whose data comes first */
        emz_type type = emz_st_storage_type(f.h.tensors[0].name, f.h.tensors[0].dtype);
        uint8_t *frame = NULL;
        const uint8_t *p = f.data + f.h.data_start;
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
            if (l)
                cr_assert(memcmp(out, p + off, l) == 0, "%s: range %llu+%llu differs", files[i],
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
