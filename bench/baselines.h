/* baselines.h - libdeflate (raw DEFLATE) levels 1, 6, 12 and zstd levels 1, 3, 19 on a whole
 * file in one shot: the general-purpose codecs emzip is compared with (bench only; the library
 * never uses them). */
#ifndef EMZIP_BENCH_BASELINES_H
#define EMZIP_BENCH_BASELINES_H

#include <stddef.h>
#include <stdint.h>

#define BASELINE_COUNT 6

typedef struct baseline {
    const char *codec; /* "libdeflate" or "zstd" */
    int is_zstd;
    int level;
    char level_str[8];
    const uint8_t *src;
    size_t size;
    uint8_t *cbuf; /* the compressed file */
    size_t cap, csize;
    uint8_t *dbuf;       /* its own decompression target, so each round trip can be checked after
                            the interleaved timing */
    void *comp, *decomp; /* libdeflate_compressor / ZSTD_CCtx, and the decompressors */
} baseline;

/* Sets up the six codecs on src[0..size). 0, or -1 with a message in err. */
int baselines_init(baseline b[BASELINE_COUNT], const uint8_t *src, size_t size, char *err,
                   size_t errlen);
void baselines_free(baseline b[BASELINE_COUNT]);

/* Timing callbacks (arg: a baseline *): compress src into cbuf / decompress cbuf into dbuf. */
int baseline_compress(void *arg);
int baseline_decompress(void *arg);

/* 1 if dbuf holds the original bytes. */
int baseline_roundtrip_ok(const baseline *b);

#endif
