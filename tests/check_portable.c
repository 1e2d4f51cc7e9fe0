/* check_portable.c - the equivalence cases (equivalence_cases.c) and a corpus round trip in
 * plain C, for targets where Criterion cannot run (AArch64 under qemu-user: check-neon.sh).
 * Every case of equivalence_cases.h runs for every implementation this CPU offers, scalar
 * included, as in test_impl_equivalence.c. Then every file of each corpus directory given
 * (tests/data, and the full corpus when there is one): the first 256 KiB of each tensor, stored
 * as emzip stores it (the library's own safetensors parser decides), round-trips with every
 * implementation, with frames identical to scalar's; and files of up to 1 MiB whole, as
 * checkpoints, with containers identical to scalar's. Blocks (include/emzip.h, "Trained tables
 * and blocks"): every implementation trains the same table file, writes the same blocks as
 * scalar (with and without tables and checksum) and decodes scalar's, and a batch on a pool of
 * threads gives the single calls' blocks. Usage: check_portable CORPUS_DIR...
 * The last line is "N passed, N failed"; the exit status is non-zero on any failure. */
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emzip.h"
#include "engine/dispatch.h"
#include "engine/kv_train.h"
#include "equivalence_cases.h"
#include "format/safetensors_header.h"
#include "test_data.h"

static unsigned long n_passed, n_failed;

/* The reporter: counts every check and prints the first 50 failures. */
static void check(void *harness, int ok, const char *fmt, ...) EQ_PRINTF(3, 4);
static void check(void *harness, int ok, const char *fmt, ...) {
    (void)harness;
    if (ok) {
        n_passed++;
        return;
    }
    if (++n_failed <= 50) {
        va_list ap;
        va_start(ap, fmt);
        fputs("FAIL: ", stdout);
        vprintf(fmt, ap);
        fputc('\n', stdout);
        va_end(ap);
    }
}

/* A kernel that reads or writes outside its buffers may fault instead of failing a check: the
 * handler (installed for the whole run) then names the step in progress. */
static char current_call[200] = "startup";

static void doing(void *harness, const char *what) {
    (void)harness;
    snprintf(current_call, sizeof current_call, "%s", what);
}

static const eq_reporter reporter = {check, doing, NULL};

static void on_fault(int sig) {
    static const char msg[] = "FAIL: fault (SIGSEGV/SIGBUS) in ";
    (void)sig;
    if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0 ||
        write(STDOUT_FILENO, current_call, strlen(current_call)) < 0 ||
        write(STDOUT_FILENO, "\n", 1) < 0)
        _exit(1);
    _exit(1);
}

static void report_faults(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fault;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory (%zu bytes)\n", n);
        exit(2);
    }
    return p;
}

/* ---- blocks ---- */

#define BLOCK_MAX (64 * 1024 + 3)

/* Block data: 0 weight-like values, 1 random bytes, 2 a constant, 3 every 16-bit pattern (or
 * every byte) in order, 4 values with a run of zeros and a few random bytes among them. */
static void block_data(uint8_t *p, size_t n, emz_type type, int kind, uint64_t seed) {
    if (kind == 0) tu_fill_smooth(p, n, type, seed);
    if (kind == 1) tu_fill_random(p, n, seed);
    if (kind == 2) memset(p, 0x3C, n);
    if (kind == 3)
        for (size_t i = 0; i < n; i++)
            p[i] =
                (uint8_t)(type == EMZ_TYPE_BF16 || type == EMZ_TYPE_FP16 ? (i / 2) >> (8 * (i & 1))
                                                                         : i);
    if (kind == 4) {
        tu_fill_smooth(p, n, type, seed);
        memset(p + n / 3, 0, n / 3);
        for (size_t i = 0; i < n; i += 61)
            p[i] = (uint8_t)tu_rand(&seed);
    }
}

/* Scales element i's value by 2^(c % 11 - 5), c = i % (8 x 64) its channel, by adding to its
 * exponent field (clamped inside the normal range): channels of different scales, as a K/V
 * cache's; FP8's every fourth channel also mostly one value. Types without an exponent stay as
 * they are. */
static void scale_channels(uint8_t *p, size_t n, emz_type type) {
    unsigned bytes = type == EMZ_TYPE_FP32                            ? 4
                     : type == EMZ_TYPE_BF16 || type == EMZ_TYPE_FP16 ? 2
                                                                      : 1;
    unsigned bits = type == EMZ_TYPE_BF16 || type == EMZ_TYPE_FP32       ? 8
                    : type == EMZ_TYPE_FP16 || type == EMZ_TYPE_FP8_E5M2 ? 5
                    : type == EMZ_TYPE_FP8_E4M3                          ? 4
                                                                         : 0;
    if (!bits) return;
    unsigned low = 8 * bytes - 1 - bits, mask = (1u << bits) - 1;
    for (size_t i = 0; i + bytes <= n; i += bytes) {
        uint32_t v = 0;
        for (unsigned b = 0; b < bytes; b++)
            v |= (uint32_t)p[i + b] << 8 * b;
        int e = (int)(v >> low & mask) + (int)(i / bytes % 512 % 11) - 5;
        e = e < 1 ? 1 : e > (int)mask - 1 ? (int)mask - 1 : e; /* normal, not inf/NaN */
        v = (v & ~(mask << low)) | (uint32_t)e << low;
        /* FP8: every fourth channel mostly one value, channels that differ in spread too, so
         * that the tables get channel clusters (version 3 blocks, kernel permute_rows) */
        if (bytes == 1 && i % 4 == 0 && (i * 0x9E3779B97F4A7C15ull >> 61) != 0) v = 0x38;
        for (unsigned b = 0; b < bytes; b++)
            p[i + b] = (uint8_t)(v >> 8 * b);
    }
}

/* Tables of the type trained by each implementation's kernels: the same file from every one
 * (returned, loaded, for the scalar kernels). */
static emz_tables *block_tables(emz_type type) {
    enum { PER = 48 * 1024 };
    uint8_t *data = xmalloc(4 * PER), *ref = NULL;
    emz_tables_sample samples[4];
    for (int i = 0; i < 4; i++) {
        tu_fill_smooth(data + i * PER, PER, type, 100 + (uint64_t)i);
        samples[i] = (emz_tables_sample){data + i * PER, PER, (uint32_t)i % 2};
    }
    scale_channels(data, 4 * PER, type);
    emz_tables_options o = {type, 2, 8, 64, 8192};
    size_t ref_size = 0;
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        const emz_kernels *k = NULL;
        if (!emz_impl_available((emz_impl)impl) || emz_kernels_resolve((emz_impl)impl, &k))
            continue;
        uint8_t *file = NULL;
        size_t size = 0;
        emz_status st = emz_kv_train(k, &o, samples, 4, &file, &size, NULL, 0);
        check(NULL, st == EMZ_OK, "train %s with %s: %s", emz_type_name(type),
              emz_impl_name((emz_impl)impl), emz_error_name(st));
        if (st != EMZ_OK) continue;
        if (!ref) {
            ref = file, ref_size = size;
            continue;
        }
        check(NULL, size == ref_size && memcmp(file, ref, size) == 0,
              "%s: the %s kernels train another table file than scalar's", emz_type_name(type),
              emz_impl_name((emz_impl)impl));
        free(file);
    }
    emz_tables *t = NULL;
    emz_status st = ref ? emz_tables_load(ref, ref_size, NULL, &t, NULL, 0) : EMZ_ERROR_CORRUPT;
    check(NULL, st == EMZ_OK, "load the %s tables: %s", emz_type_name(type), emz_error_name(st));
    /* the data's channels differ: the types with an exponent get channel shifts, so that
     * their blocks (version 2) go through every implementation's shift kernel */
    uint32_t channels = 0;
    bool exponent = type != EMZ_TYPE_BYTES && type != EMZ_TYPE_FP4_E2M1;
    if (t) emz_tables_group_shift(t, 0, &channels);
    check(NULL, channels == (exponent ? 8 * 64u : 0), "%s tables: a channel shift of %u channels",
          emz_type_name(type), channels);
    /* and FP8's channels differ in spread: clusters, whose blocks (version 3) go through every
     * implementation's permute_rows kernel (512 channels: AVX-512's vector form) */
    uint32_t clusters = 0;
    bool fp8 = type == EMZ_TYPE_FP8_E4M3 || type == EMZ_TYPE_FP8_E5M2;
    if (t) emz_tables_group_clusters(t, 0, &clusters);
    check(NULL, fp8 ? clusters >= 2 : clusters == 0, "%s tables: %u channel clusters",
          emz_type_name(type), clusters);
    free(ref);
    free(data);
    return t;
}

static emz_block_ctx *block_ctx(const emz_tables *t, emz_impl impl, int checksum) {
    emz_block_ctx *c = emz_block_ctx_create(t);
    if (!c || emz_block_ctx_set_param(c, EMZ_PARAM_IMPL, impl) != EMZ_OK ||
        emz_block_ctx_set_param(c, EMZ_PARAM_BLOCK_CHECKSUM, checksum) != EMZ_OK) {
        fprintf(stderr, "cannot make a block context for %s\n", emz_impl_name(impl));
        exit(2);
    }
    return c;
}

/* One block of src with impl and with scalar: the same bytes; each decodes the other's. */
static void block_pair(emz_block_ctx *ref, emz_block_ctx *c, emz_type type, uint32_t group,
                       const uint8_t *src, size_t n, uint8_t *a, uint8_t *b, uint8_t *out,
                       const char *what) {
    size_t na = 0, nb = 0, got = 0;
    emz_status sa = emz_block_compress(ref, type, group, src, n, a, n + 19, &na);
    emz_status sb = emz_block_compress(c, type, group, src, n, b, n + 19, &nb);
    check(NULL, sa == EMZ_OK && sb == EMZ_OK, "%s: compress: %s, %s", what, emz_error_name(sa),
          emz_error_name(sb));
    if (sa != EMZ_OK || sb != EMZ_OK) return;
    check(NULL, na == nb && memcmp(a, b, na) == 0, "%s: blocks differ (%zu, %zu bytes)", what, na,
          nb);
    out[n] = 0xC7;
    emz_status st = emz_block_decompress(c, a, na, out, n, &got);
    check(NULL, st == EMZ_OK && got == n && memcmp(out, src, n) == 0 && out[n] == 0xC7,
          "%s: decoding scalar's block: %s", what, emz_error_name(st));
    st = emz_block_decompress(ref, b, nb, out, n, &got);
    check(NULL, st == EMZ_OK && got == n && memcmp(out, src, n) == 0,
          "%s: scalar decoding the block: %s", what, emz_error_name(st));
}

static void check_blocks_impl(emz_type type, const emz_tables *t, emz_impl impl, uint8_t *src,
                              uint8_t *a, uint8_t *b, uint8_t *out) {
    static const size_t sizes[] = {1,   2,   3,    7,    31,   64,    100,
                                   255, 256, 1000, 4096, 5003, 32768, BLOCK_MAX};
    for (int checksum = 0; checksum < 2; checksum++) {
        emz_block_ctx *ref = block_ctx(t, EMZ_IMPL_SCALAR, checksum);
        emz_block_ctx *c = block_ctx(t, impl, checksum);
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (int kind = 0; kind < 5; kind++) {
                size_t n = sizes[s];
                char what[160];
                snprintf(what, sizeof what, "block %s %s tables, checksum %d, %zu bytes, data %d",
                         emz_type_name(type), t ? "with" : "without", checksum, n, kind);
                doing(NULL, what);
                block_data(src, n, type, kind, 7 * s + (uint64_t)kind);
                block_pair(ref, c, type, (uint32_t)s % 2, src, n, a, b, out, what);
            }
        emz_block_ctx_free(ref);
        emz_block_ctx_free(c);
    }
}

/* A batch of blocks on a pool of three threads: the single calls' blocks, and back. */
static void check_block_batch(emz_type type, const emz_tables *t, emz_impl impl) {
    enum { JOBS = 24, SIZE = 3000 };
    uint8_t *src = xmalloc(JOBS * SIZE), *dst = xmalloc(JOBS * (SIZE + 19)), one[SIZE + 19];
    uint8_t *out = xmalloc(JOBS * SIZE);
    emz_block_job jobs[JOBS];
    emz_block_ctx *c = block_ctx(t, impl, 1);
    check(NULL, emz_block_ctx_set_param(c, EMZ_PARAM_THREADS, 3) == EMZ_OK, "threads");
    for (int i = 0; i < JOBS; i++) {
        block_data(src + i * SIZE, SIZE - (size_t)i, type, i % 5, (uint64_t)i);
        jobs[i] = (emz_block_job){src + i * SIZE, SIZE - (size_t)i, dst + i * (SIZE + 19),
                                  SIZE + 19,      (uint32_t)i % 2,  0,
                                  EMZ_OK};
    }
    emz_status st = emz_block_compress_batch(c, type, jobs, JOBS);
    check(NULL, st == EMZ_OK, "%s batch, %s: %s", emz_type_name(type), emz_impl_name(impl),
          emz_error_name(st));
    for (int i = 0; i < JOBS && st == EMZ_OK; i++) {
        size_t n = 0;
        emz_status s1 = emz_block_compress(c, type, (uint32_t)i % 2, src + i * SIZE,
                                           SIZE - (size_t)i, one, sizeof one, &n);
        check(NULL, s1 == EMZ_OK && n == jobs[i].written && memcmp(one, jobs[i].dst, n) == 0,
              "%s batch, %s: job %d differs from a single call", emz_type_name(type),
              emz_impl_name(impl), i);
        jobs[i] = (emz_block_job){dst + i * (SIZE + 19), n, out + i * SIZE, SIZE, 0, 0, EMZ_OK};
    }
    if (st == EMZ_OK) st = emz_block_decompress_batch(c, jobs, JOBS);
    check(NULL, st == EMZ_OK, "%s batch decompress, %s: %s", emz_type_name(type),
          emz_impl_name(impl), emz_error_name(st));
    for (int i = 0; i < JOBS && st == EMZ_OK; i++)
        check(NULL,
              jobs[i].written == SIZE - (size_t)i &&
                  memcmp(out + i * SIZE, src + i * SIZE, SIZE - (size_t)i) == 0,
              "%s batch decompress, %s: job %d", emz_type_name(type), emz_impl_name(impl), i);
    emz_block_ctx_free(c);
    free(src), free(dst), free(out);
}

static void check_blocks(void) {
    uint8_t *src = xmalloc(BLOCK_MAX), *a = xmalloc(BLOCK_MAX + 19), *b = xmalloc(BLOCK_MAX + 19);
    uint8_t *out = xmalloc(BLOCK_MAX + 1);
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type type = all_types[k];
        snprintf(current_call, sizeof current_call, "training %s tables", emz_type_name(type));
        emz_tables *t = block_tables(type);
        for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
            if (!emz_impl_available((emz_impl)impl)) continue;
            const unsigned long failed_before = n_failed;
            if (t) check_blocks_impl(type, t, (emz_impl)impl, src, a, b, out);
            check_blocks_impl(type, NULL, (emz_impl)impl, src, a, b, out);
            check_block_batch(type, t, (emz_impl)impl);
            printf("  blocks %-17s %-6s %s\n", emz_type_name(type), emz_impl_name((emz_impl)impl),
                   n_failed == failed_before ? "ok" : "FAILED");
        }
        emz_tables_free(t);
    }
    free(src), free(a), free(b), free(out);
}

/* ---- corpus ---- */

static int read_file(const char *path, uint8_t **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t cap = 1 << 20, n = 0;
    uint8_t *b = xmalloc(cap);
    for (size_t r; (r = fread(b + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap *= 2);
            if (!nb) exit(2);
            b = nb;
        }
    }
    int ok = !ferror(f);
    fclose(f);
    *data = b, *size = n;
    return ok;
}

#define SLICE (256 * 1024)
#define CONTAINER_MAX (1024 * 1024)

/* Every tensor of one file: its first 256 KiB round-trip with every implementation. */
static void check_file(const char *path) {
    uint8_t *f = NULL;
    size_t size = 0, bytes_in = 0, bytes_out = 0;
    unsigned long failed_before = n_failed;
    emz_st_header h = {0};
    char why[256];
    int ok = read_file(path, &f, &size) && size >= 8;
    check(NULL, ok, "%s: cannot read", path);
    uint64_t hl = 0;
    for (int i = 7; ok && i >= 0; i--)
        hl = hl << 8 | f[i];
    if (ok) {
        ok = hl <= size - 8;
        check(NULL, ok, "%s: header length %llu too large", path, (unsigned long long)hl);
    }
    if (ok) {
        emz_status st = emz_st_parse(f + 8, (size_t)hl, size - 8 - hl, &h, why, sizeof why);
        ok = st == EMZ_OK;
        check(NULL, ok, "%s: %s: %s", path, emz_error_name(st), why);
    }
    const uint8_t *data = ok ? f + 8 + hl : NULL;
    snprintf(current_call, sizeof current_call, "the corpus file %s", path);
    for (size_t i = 0; i < h.count; i++) {
        const emz_st_tensor *t = &h.tensors[i];
        const emz_type type = emz_st_storage_type(t->name, t->dtype);
        const size_t len = t->end - t->begin < SLICE ? (size_t)(t->end - t->begin) : SLICE;
        for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
            if (!emz_impl_available((emz_impl)impl)) continue;
            char what[400];
            snprintf(what, sizeof what, "%s: %s (%s as %s, %zu bytes)", path, t->name, t->dtype,
                     emz_type_name(type), len);
            size_t out =
                eq_frame_check(&reporter, (emz_impl)impl, data + t->begin, len, type, 65536, what);
            if (impl == EMZ_IMPL_SCALAR) bytes_in += len, bytes_out += out;
        }
    }
    /* Small files whole, as checkpoints: containers (table sets included) identical to
     * scalar's. */
    for (int impl = EMZ_IMPL_SCALAR; ok && size <= CONTAINER_MAX && impl < EMZ_IMPL_COUNT; impl++) {
        int has_set = 0;
        if (emz_impl_available((emz_impl)impl))
            eq_container_check(&reporter, (emz_impl)impl, f, size, path, &has_set);
    }
    if (ok) check(NULL, h.count > 0, "%s: no tensors", path);
    printf("  corpus %s: %zu tensors, %zu -> %zu bytes: %s\n", path, h.count, bytes_in, bytes_out,
           n_failed == failed_before ? "ok" : "FAILED");
    emz_st_free(&h);
    free(f);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file of one corpus directory; returns how many there were. */
static size_t check_corpus(const char *dir) {
    DIR *dp = opendir(dir);
    check(NULL, dp != NULL, "cannot open corpus directory %s", dir);
    if (!dp) return 0;
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(dp));) {
        size_t l = strlen(e->d_name);
        if (l < 12 || strcmp(e->d_name + l - 12, ".safetensors") != 0) continue;
        char **nn = realloc(names, (n + 1) * sizeof *names);
        if (!nn) exit(2);
        names = nn;
        names[n] = xmalloc(strlen(dir) + l + 2);
        sprintf(names[n++], "%s/%s", dir, e->d_name);
    }
    closedir(dp);
    check(NULL, n > 0, "no .safetensors files in %s", dir);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        check_file(names[i]);
        free(names[i]);
    }
    free(names);
    return n;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    report_faults();
    printf("emzip %s; implementations available:", emz_version_string());
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++)
        if (emz_impl_available((emz_impl)impl)) printf(" %s", emz_impl_name((emz_impl)impl));
    printf("; default %s\n", emz_impl_name(emz_impl_default()));
    for (size_t c = 0; c < EQ_CASE_COUNT; c++)
        for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
            if (!emz_impl_available((emz_impl)impl)) continue;
            const unsigned long failed_before = n_failed;
            snprintf(current_call, sizeof current_call, "%s, %s", eq_cases[c].name,
                     emz_impl_name((emz_impl)impl));
            eq_cases[c].run(&reporter, (emz_impl)impl, eq_cases[c].arg);
            printf("  %-24s %-6s %s\n", eq_cases[c].name, emz_impl_name((emz_impl)impl),
                   n_failed == failed_before ? "ok" : "FAILED");
        }
    check_blocks();
    size_t *files = xmalloc((size_t)argc * sizeof *files);
    for (int i = 1; i < argc; i++)
        files[i] = check_corpus(argv[i]);
    printf("corpus:"); /* which corpora, on one line */
    for (int i = 1; i < argc; i++)
        printf("%s %s (%zu files)", i > 1 ? " and" : "", argv[i], files[i]);
    free(files);
    printf("\n%lu passed, %lu failed\n", n_passed, n_failed);
    return n_failed ? 1 : 0;
}
