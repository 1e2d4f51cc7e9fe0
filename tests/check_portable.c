/* check_portable.c - the equivalence cases (equivalence_cases.c) and a corpus round trip in
 * plain C, for targets where Criterion cannot run (AArch64 under qemu-user: check-neon.sh).
 * Every case of equivalence_cases.h runs for every implementation this CPU offers, scalar
 * included, as in test_impl_equivalence.c. Then every file of each corpus directory given
 * (tests/data, and the full corpus when there is one): the first 256 KiB of each tensor, stored
 * as emzip stores it (the library's own safetensors parser decides), round-trips with every
 * implementation, with frames identical to scalar's; and files of up to 1 MiB whole, as
 * checkpoints, with containers identical to scalar's. Usage: check_portable CORPUS_DIR...
 * The last line is "N passed, N failed"; the exit status is non-zero on any failure. */
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emzip.h"
#include "equivalence_cases.h"
#include "format/safetensors_header.h"

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
