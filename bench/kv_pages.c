/* kv_pages.c - loading dumped K/V caches as pages, training tables on them, and the entropy
 * bound of their split (kv_pages.h). */
#include "kv_pages.h"

#include "bench_util.h"
#include "format/safetensors_header.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether needle occurs in the first n bytes of hay (memmem is a GNU extension). */
static int contains(const uint8_t *hay, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(hay + i, needle, k)) return 1;
    return 0;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of DIR's prompt_*.safetensors (malloc'd); *n receives their count. */
static char **prompt_files(const char *dir, size_t *n) {
    DIR *d = opendir(dir);
    char **names = NULL;
    *n = 0;
    if (!d) return NULL;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "prompt_", 7) || len < 12 ||
            strcmp(e->d_name + len - 12, ".safetensors"))
            continue;
        names = realloc(names, (*n + 1) * sizeof *names);
        names[*n] = xmalloc(strlen(dir) + len + 2);
        sprintf(names[(*n)++], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (*n) qsort(names, *n, sizeof *names, by_name);
    return names;
}

/* A file's layers as pages, when its metadata names the split. 1: skipped, 0: added, -1: bad. */
static int add_file(kv_pages *p, const char *path, const char *split) {
    size_t size = 0;
    uint8_t *f = read_whole_file(path, &size);
    if (!f || size < 8) return -1;
    uint64_t n = 0;
    memcpy(&n, f, 8); /* little-endian hosts only: a benchmark */
    char want[64], why[256];
    snprintf(want, sizeof want, "\"split\":\"%s\"", split);
    emz_st_header h = {0};
    if (n > size - 8 || !contains(f + 8, n, want)) {
        free(f);
        return n > size - 8 ? -1 : 1;
    }
    if (emz_st_parse(f + 8, n, size - 8 - n, &h, why, sizeof why) != EMZ_OK) {
        fprintf(stderr, "emzip-kv-bench: %s: %s\n", path, why);
        free(f);
        return -1;
    }
    p->files = realloc(p->files, (p->file_count + 1) * sizeof *p->files);
    p->files[p->file_count++] = f;
    for (size_t l = 0; l < h.count; l++) {
        const emz_st_tensor *t = &h.tensors[l];
        unsigned bits = 0;
        emz_st_dtype_bits(t->dtype, &bits);
        if (t->dims != 5 || t->shape[0] != 2) continue;
        size_t page = (size_t)(t->shape[2] * t->shape[3] * t->shape[4] * bits / 8);
        if (p->page_bytes && (page != p->page_bytes || t->type != p->type)) return -1;
        p->page_bytes = page, p->type = t->type;
        p->heads = (uint32_t)t->shape[3], p->head_dim = (uint32_t)t->shape[4];
        if (2 * l + 2 > p->groups) p->groups = (uint32_t)(2 * l + 2);
        for (unsigned kv = 0; kv < 2; kv++, p->caches++)
            for (uint64_t b = 0; b < t->shape[1]; b++) {
                p->page = realloc(p->page, (p->count + 1) * sizeof *p->page);
                p->page[p->count++] =
                    (kv_page){f + 8 + n + t->begin + (kv * t->shape[1] + b) * page,
                              (uint32_t)(2 * l + kv), p->caches};
            }
    }
    emz_st_free(&h);
    return 0;
}

int kv_pages_load(const char *dir, const char *split, kv_pages *p) {
    size_t n = 0;
    char **names = prompt_files(dir, &n);
    int bad = 0;
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < n; i++) {
        if (!bad && add_file(p, names[i], split) < 0) {
            fprintf(stderr, "emzip-kv-bench: %s: not a cache of the others' kind\n", names[i]);
            bad = 1;
        }
        free(names[i]);
    }
    free(names);
    if (!bad && p->count == 0) fprintf(stderr, "emzip-kv-bench: %s: no %s pages\n", dir, split);
    return bad || p->count == 0 ? -1 : 0;
}

void kv_pages_free(kv_pages *p) {
    for (size_t i = 0; i < p->file_count; i++)
        free(p->files[i]);
    free(p->files), free(p->page);
    memset(p, 0, sizeof *p);
}

emz_tables *kv_pages_train(const kv_pages *p, int layout) {
    emz_tables_sample *s = xcalloc(p->caches, sizeof *s);
    for (size_t i = 0; i < p->count; i++) { /* a cache's pages are consecutive in its file */
        emz_tables_sample *x = &s[p->page[i].cache];
        if (!x->data) x->data = p->page[i].data, x->group = p->page[i].group;
        x->size += p->page_bytes;
    }
    emz_tables_options o = {p->type, p->groups, layout ? p->heads : 0, layout ? p->head_dim : 0,
                            (uint32_t)p->page_bytes};
    emz_tables *t = NULL;
    emz_status st = emz_tables_train(&o, s, p->caches, &t, NULL, 0);
    free(s);
    if (st != EMZ_OK) {
        fprintf(stderr, "emzip-kv-bench: training: %s\n", emz_error_name(st));
        exit(1);
    }
    return t;
}

uint8_t *kv_pages_join(const kv_pages *p) {
    uint8_t *all = xmalloc(p->count * p->page_bytes);
    for (size_t i = 0; i < p->count; i++)
        memcpy(all + i * p->page_bytes, p->page[i].data, p->page_bytes);
    return all;
}

static double entropy_bits(const uint64_t *h, unsigned n) {
    uint64_t total = 0;
    double bits = 0;
    for (unsigned s = 0; s < n; s++)
        total += h[s];
    for (unsigned s = 0; s < n; s++)
        if (h[s]) bits += (double)h[s] * log2((double)total / (double)h[s]);
    return bits;
}

/* Adds one page's symbols to the histograms of its cache's streams (up to four of 256). */
static void count_page(emz_type type, const uint8_t *d, size_t bytes, uint64_t h[4][256]) {
    for (size_t i = 0; type == EMZ_TYPE_BF16 && i + 1 < bytes; i += 2) {
        unsigned v = d[i] | d[i + 1] << 8;
        h[0][v >> 7 & 0xFF]++, h[1][(v >> 15) << 7 | (v & 0x7F)]++;
    }
    for (size_t i = 0; type == EMZ_TYPE_FP16 && i + 1 < bytes; i += 2) {
        unsigned v = d[i] | d[i + 1] << 8;
        h[0][v >> 10 & 0x1F]++, h[1][(v >> 15) << 2 | (v >> 8 & 3)]++, h[2][v & 0xFF]++;
    }
    for (size_t i = 0; type == EMZ_TYPE_FP32 && i + 3 < bytes; i += 4) {
        uint32_t v = d[i] | d[i + 1] << 8 | d[i + 2] << 16 | (uint32_t)d[i + 3] << 24;
        h[0][v >> 23 & 0xFF]++, h[1][(v >> 31) << 7 | (v >> 16 & 0x7F)]++;
        h[2][v & 0xFF]++, h[3][v >> 8 & 0xFF]++;
    }
    for (size_t i = 0;
         type != EMZ_TYPE_BF16 && type != EMZ_TYPE_FP16 && type != EMZ_TYPE_FP32 && i < bytes; i++)
        h[0][d[i]]++;
}

double kv_pages_bound_bits(const kv_pages *p) {
    uint64_t(*h)[4][256] = xcalloc(p->caches, sizeof *h);
    for (size_t i = 0; i < p->count; i++)
        count_page(p->type, p->page[i].data, p->page_bytes, h[p->page[i].cache]);
    double bits = 0;
    for (uint32_t c = 0; c < p->caches; c++)
        for (int s = 0; s < 4; s++)
            bits += entropy_bits(h[c][s], 256);
    free(h);
    return bits;
}
