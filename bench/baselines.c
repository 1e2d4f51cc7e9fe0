/* baselines.c - libdeflate and zstd on a whole file in one shot (bench only). */
#include "baselines.h"

#include "bench_util.h"

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

int baselines_init(baseline b[BASELINE_COUNT], const uint8_t *src, size_t size, char *err,
                   size_t errlen) {
    static const struct {
        const char *codec;
        int level;
    } set[BASELINE_COUNT] = {
        {"libdeflate", 1}, {"libdeflate", 6}, {"libdeflate", 12},
        {"zstd", 1},       {"zstd", 3},       {"zstd", 19},
    };
    memset(b, 0, sizeof(baseline) * BASELINE_COUNT);
    /* room for either codec's worst case; DEFLATE stored blocks add ~5 bytes per 64 KiB */
    size_t zb = ZSTD_compressBound(size), db = size + size / 8 + 65536;
    for (int k = 0; k < BASELINE_COUNT; k++) {
        baseline *x = &b[k];
        x->codec = set[k].codec;
        x->is_zstd = strcmp(x->codec, "zstd") == 0;
        x->level = set[k].level;
        snprintf(x->level_str, sizeof x->level_str, "%d", x->level);
        x->src = src;
        x->size = size;
        x->cap = zb > db ? zb : db;
        x->cbuf = xmalloc(x->cap);
        x->dbuf = xmalloc(size);
        if (x->is_zstd) {
            x->comp = ZSTD_createCCtx();
            x->decomp = ZSTD_createDCtx();
        } else {
            x->comp = libdeflate_alloc_compressor(x->level);
            x->decomp = libdeflate_alloc_decompressor();
        }
        if (!x->comp || !x->decomp) {
            snprintf(err, errlen, "%s %d: cannot create its contexts", x->codec, x->level);
            return -1;
        }
    }
    return 0;
}

void baselines_free(baseline b[BASELINE_COUNT]) {
    for (int k = 0; k < BASELINE_COUNT; k++) {
        baseline *x = &b[k];
        if (x->is_zstd) {
            ZSTD_freeCCtx(x->comp);
            ZSTD_freeDCtx(x->decomp);
        } else {
            libdeflate_free_compressor(x->comp);
            libdeflate_free_decompressor(x->decomp);
        }
        free(x->cbuf);
        free(x->dbuf);
    }
    memset(b, 0, sizeof(baseline) * BASELINE_COUNT);
}

int baseline_compress(void *arg) {
    baseline *x = arg;
    if (x->is_zstd) {
        size_t r = ZSTD_compressCCtx(x->comp, x->cbuf, x->cap, x->src, x->size, x->level);
        if (ZSTD_isError(r)) return -1;
        x->csize = r;
    } else {
        x->csize = libdeflate_deflate_compress(x->comp, x->src, x->size, x->cbuf, x->cap);
        if (!x->csize) return -1;
    }
    return 0;
}

int baseline_decompress(void *arg) {
    baseline *x = arg;
    if (x->is_zstd) {
        size_t r = ZSTD_decompressDCtx(x->decomp, x->dbuf, x->size, x->cbuf, x->csize);
        return !ZSTD_isError(r) && r == x->size ? 0 : -1;
    }
    size_t actual = 0;
    enum libdeflate_result r =
        libdeflate_deflate_decompress(x->decomp, x->cbuf, x->csize, x->dbuf, x->size, &actual);
    return r == LIBDEFLATE_SUCCESS && actual == x->size ? 0 : -1;
}

int baseline_roundtrip_ok(const baseline *b) {
    return memcmp(b->dbuf, b->src, b->size) == 0;
}
