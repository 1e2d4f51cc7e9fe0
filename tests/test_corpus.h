/* test_corpus.h - finding the corpus of real safetensors files (../shared/corpus, passed by
 * meson as EMZ_CORPUS_DIR). The corpus is required: a test that cannot find it fails. */
#ifndef EMZ_TEST_CORPUS_H
#define EMZ_TEST_CORPUS_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline const char *tc_corpus_dir(void) {
    const char *d = getenv("EMZ_CORPUS_DIR");
    cr_assert(d != NULL && d[0], "EMZ_CORPUS_DIR is not set: the corpus is required");
    return d;
}

static inline int tc_compare_paths(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted paths of the corpus's *.safetensors files (malloc'd, as is the array); fails if
 * there are fewer than the 20 its README lists. */
static inline char **tc_corpus_files(size_t *count) {
    const char *dir = tc_corpus_dir();
    DIR *d = opendir(dir);
    cr_assert(d != NULL, "corpus directory %s not found", dir);
    char **v = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 12 || strcmp(e->d_name + l - 12, ".safetensors") != 0) continue;
        v = realloc(v, (n + 1) * sizeof *v);
        cr_assert(v != NULL);
        size_t size = strlen(dir) + l + 2;
        v[n] = malloc(size);
        cr_assert(v[n] != NULL);
        snprintf(v[n], size, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    cr_assert(n >= 20, "expected the 20 corpus files in %s, found %zu", dir, n);
    qsort(v, n, sizeof *v, tc_compare_paths);
    *count = n;
    return v;
}

#endif
