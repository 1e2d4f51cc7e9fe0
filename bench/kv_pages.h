/* kv_pages.h - the pages of K/V caches dumped by bench/kv/make_kv_caches.py, for
 * emzip-kv-bench: loading a directory's prompts of one split, training tables on them, and the
 * order-0 entropy bound of emzip's split (bench only). */
#ifndef EMZIP_BENCH_KV_PAGES_H
#define EMZIP_BENCH_KV_PAGES_H

#include "emzip.h"

#include <stddef.h>
#include <stdint.h>

typedef struct kv_page {
    const uint8_t *data; /* page_bytes bytes inside one of the files */
    uint32_t group;      /* 2 x layer + (0: K, 1: V) */
    uint32_t cache;      /* which (prompt, layer, K/V) cache it belongs to */
} kv_page;

typedef struct kv_pages {
    emz_type type;
    size_t page_bytes;
    uint32_t groups, heads, head_dim;
    kv_page *page;
    size_t count;
    uint32_t caches;
    uint8_t **files; /* the files' bytes */
    size_t file_count;
} kv_pages;

/* The pages of every DIR/prompt_*.safetensors whose metadata says "split":"<split>". 0 on
 * success; prints why and returns -1 otherwise. */
int kv_pages_load(const char *dir, const char *split, kv_pages *p);
void kv_pages_free(kv_pages *p);

/* Tables trained on all of p's pages (each cache one sample), with the caches' layout (and so
 * channel shifts) or without; exits on failure. */
emz_tables *kv_pages_train(const kv_pages *p, int layout);

/* All pages back to back (malloc'd). */
uint8_t *kv_pages_join(const kv_pages *p);

/* The order-0 entropy, in bits, of the streams emzip's split makes of each cache (a prompt's
 * layer and K/V, all its pages), summed over the caches: BF16 exponent + sign+mantissa; FP16
 * exponent + top plane (sign, 2 high mantissa bits) + low mantissa byte; FP8 the whole byte
 * (which is below exponent + sign+mantissa); FP32 exponent + the three planes. */
double kv_pages_bound_bits(const kv_pages *p);

#endif
