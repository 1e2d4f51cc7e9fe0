/* test_corpus.h - the real safetensors files the tests read: the committed sample always, and the
 * full corpus as well when it is asked for or found; one line per test program says which. */
#ifndef EMZ_TEST_CORPUS_H
#define EMZ_TEST_CORPUS_H

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The environment (tests/meson.build sets the first two):
 *   EMZIP_TEST_SAMPLE    tests/data, the sample committed with the sources: always used, so the
 *                        suite runs from a plain clone;
 *   EMZIP_SHARED_CORPUS  ../shared/corpus beside the source tree: used as well when it exists;
 *   EMZIP_CORPUS         the full corpus somewhere else (EMZ_CORPUS_DIR, its old name, too). It
 *                        was asked for, so a directory that is missing or holds no .safetensors
 *                        fails the corpus tests rather than being skipped. */

#define TC_FULL_FILES 20 /* the files its README lists: fewer means a damaged copy */

typedef struct {
    char dir[PATH_MAX]; /* resolved, for the messages */
    bool full;          /* the full corpus; otherwise the sample */
    size_t count;       /* its .safetensors files */
} tc_corpus;

typedef struct {
    tc_corpus c[2]; /* the full corpus first when there is one, then the sample */
    size_t n;
    char error[2 * PATH_MAX];   /* set: the corpora cannot be used, and this says why */
    char no_full[2 * PATH_MAX]; /* with the sample alone: why there is no full corpus */
} tc_corpora;

static inline int tc_compare_paths(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted paths of dir's *.safetensors files (malloc'd, as is the array), or NULL with errno
 * set if dir cannot be opened. */
static inline char **tc_list(const char *dir, size_t *count) {
    *count = 0;
    DIR *d = opendir(dir);
    if (d == NULL) return NULL;
    size_t n = 0;
    char **v = malloc(sizeof *v); /* not NULL when empty: NULL means "cannot open" */
    if (v == NULL) abort();
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t l = strlen(e->d_name);
        if (l < 12 || strcmp(e->d_name + l - 12, ".safetensors") != 0) continue;
        char **grown = realloc(v, (n + 1) * sizeof *v);
        if (grown == NULL) abort();
        v = grown;
        size_t size = strlen(dir) + l + 2;
        if ((v[n] = malloc(size)) == NULL) abort();
        snprintf(v[n++], size, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(v, n, sizeof *v, tc_compare_paths);
    *count = n;
    return v;
}

static inline void tc_free_files(char **files, size_t count) {
    for (size_t i = 0; i < count; i++)
        free(files[i]);
    free(files);
}

/* Adds dir (named by the variable var in messages) to out; false, with out->error, if it cannot
 * be opened or holds no .safetensors files. */
static inline bool tc_add(tc_corpora *out, const char *var, const char *dir, bool full) {
    size_t n;
    char **files = tc_list(dir, &n);
    if (files == NULL) {
        snprintf(out->error, sizeof out->error, "%s=%s: cannot open the directory (%s)", var, dir,
                 strerror(errno));
        return false;
    }
    tc_free_files(files, n);
    if (n == 0) {
        snprintf(out->error, sizeof out->error, "%s=%s holds no .safetensors files", var, dir);
        return false;
    }
    tc_corpus *c = &out->c[out->n++];
    if (realpath(dir, c->dir) == NULL) snprintf(c->dir, sizeof c->dir, "%s", dir);
    c->full = full;
    c->count = n;
    return true;
}

/* Which corpora this run uses; never fails a test itself (the report hook calls it too). */
static inline void tc_find(tc_corpora *out) {
    memset(out, 0, sizeof *out);
    const char *asked_var = "EMZIP_CORPUS", *asked = getenv(asked_var);
    if (asked == NULL || !asked[0]) asked_var = "EMZ_CORPUS_DIR", asked = getenv(asked_var);
    const char *shared = getenv("EMZIP_SHARED_CORPUS");
    DIR *probe = NULL;
    if (asked != NULL && asked[0]) {
        if (!tc_add(out, asked_var, asked, true)) return;
    } else if (shared != NULL && shared[0] && (probe = opendir(shared)) != NULL) {
        closedir(probe);
        if (!tc_add(out, "EMZIP_SHARED_CORPUS", shared, true)) return;
    } else if (shared != NULL && shared[0]) {
        snprintf(out->no_full, sizeof out->no_full, "EMZIP_CORPUS unset, %s absent", shared);
    } else {
        snprintf(out->no_full, sizeof out->no_full, "EMZIP_CORPUS unset");
    }
    if (out->n && out->c[0].count < TC_FULL_FILES) {
        snprintf(out->error, sizeof out->error,
                 "the full corpus %s holds %zu .safetensors files, not the %d its README lists",
                 out->c[0].dir, out->c[0].count, TC_FULL_FILES);
        return;
    }
    const char *sample = getenv("EMZIP_TEST_SAMPLE");
    if (sample == NULL || !sample[0])
        snprintf(out->error, sizeof out->error,
                 "EMZIP_TEST_SAMPLE is not set (meson test sets it to tests/data)");
    else
        tc_add(out, "EMZIP_TEST_SAMPLE", sample, false);
}

/* The one line that says which corpora the test program uses. */
static inline void tc_describe(const tc_corpora *c, FILE *out) {
    if (c->error[0])
        fprintf(out, "corpus: error: %s\n", c->error);
    else if (c->n == 2)
        fprintf(out, "corpus: %s (%zu files, the full corpus) and %s (%zu files, the sample)\n",
                c->c[0].dir, c->c[0].count, c->c[1].dir, c->c[1].count);
    else
        fprintf(out, "corpus: %s (%zu files, the sample); no full corpus (%s)\n", c->c[0].dir,
                c->c[0].count, c->no_full);
}

/* Once per test program, before its tests: the tests themselves run in child processes, each of
 * which would print it again. Flushed, so that no child inherits it unwritten. */
ReportHook(PRE_ALL)(struct criterion_test_set *tests) {
    (void)tests;
    tc_corpora c;
    tc_find(&c);
    tc_describe(&c, stdout);
    fflush(stdout);
}

/* The corpora of this run; fails the calling test if they cannot be used. */
static inline tc_corpora tc_corpora_get(void) {
    tc_corpora c;
    tc_find(&c);
    cr_assert(!c.error[0], "corpus: %s", c.error);
    return c;
}

/* The sorted paths of one corpus's .safetensors files (malloc'd, as is the array). */
static inline char **tc_files_of(const tc_corpus *c, size_t *count) {
    char **files = tc_list(c->dir, count);
    cr_assert(files != NULL && *count == c->count, "corpus %s changed during the run", c->dir);
    return files;
}

/* The files of every corpus of this run: the full corpus's, then the sample's. */
static inline char **tc_corpus_files(size_t *count) {
    tc_corpora c = tc_corpora_get();
    char **all = NULL;
    *count = 0;
    for (size_t k = 0; k < c.n; k++) {
        size_t n;
        char **files = tc_files_of(&c.c[k], &n);
        all = realloc(all, (*count + n) * sizeof *all);
        cr_assert(all != NULL);
        memcpy(all + *count, files, n * sizeof *files);
        *count += n;
        free(files);
    }
    return all;
}

#endif
