/* fuzz_decompress.c - libFuzzer target: hostile frames through frame_info, decompress, ranges.
 * Each input is decoded as it is, then again with its header and index checksums (and a streamed
 * frame's footer checksum) recomputed, so that mutations reach the chunk payload decoder instead
 * of stopping at a checksum. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "emzip.h"

#define MAX_OUT ((uint64_t)64 << 20)

static void check_canary(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0xC7) abort(); /* wrote past the capacity it was given */
}

static void run(const uint8_t *data, size_t size);

static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p) {
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}
static void wr32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A short frame (version 3) whose check is made to match what it decodes to with checksums
 * off, so that the fuzzer also reaches past the check; NULL when it does not decode. */
static uint8_t *with_valid_check(const uint8_t *data, size_t size) {
    emz_frame_info info;
    if (size < 14 || data[4] != 3 || !(data[7] & 1) ||
        emz_frame_info_get(data, size, &info) != EMZ_OK || info.original_size > MAX_OUT)
        return NULL;
    static emz_dctx *off;
    if (!off && (!(off = emz_dctx_create()) ||
                 emz_dctx_set_param(off, EMZ_PARAM_VERIFY_CHECKSUM, 0) != EMZ_OK))
        abort();
    size_t n = (size_t)info.original_size, os, header = 8;
    while (header < 12 && (data[header] & 0x80))
        header++;
    header++;
    uint8_t *out = malloc(n ? n : 1), *copy = malloc(size);
    if (out && copy && emz_decompress(off, out, n, data, size, &os) == EMZ_OK) {
        memcpy(copy, data, size);
        wr32(copy + size - 4, (uint32_t)XXH3_64bits(out, os) ^ (uint32_t)XXH3_64bits(copy, header));
        free(out);
        return copy;
    }
    free(out), free(copy);
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    run(data, size);
    uint8_t *fixed = with_valid_check(data, size);
    if (fixed) {
        if (memcmp(fixed, data, size) != 0) run(fixed, size);
        free(fixed);
        return 0;
    }
    if (size < 36) return 0;
    /* the same input with valid header and index checksums (FORMAT.md: checksum32 = low 32 bits of
     * XXH3_64) */
    uint8_t *copy = malloc(size);
    if (!copy) return 0;
    memcpy(copy, data, size);
    wr32(copy + 28, (uint32_t)XXH3_64bits(copy, 28));
    unsigned log2 = copy[6];
    /* a streamed frame (version 4, flags 2): the sizes from its footer, resealed too */
    size_t end = size, least = 36;
    uint64_t osz = rd64(copy + 8);
    if (copy[4] >= 4 && copy[7] == 2 && size >= 56) {
        end = size - 20, least = 56;
        wr32(copy + end + 16, (uint32_t)XXH3_64bits(copy + end, 16));
        osz = rd64(copy + end);
    }
    if (log2 >= 12 && log2 <= 24) {
        uint64_t C = (uint64_t)1 << log2, cc = osz / C + (osz % C != 0);
        if (cc <= (size - least) / 8) {
            size_t idx = end - 4 - 8 * (size_t)cc;
            wr32(copy + end - 4, (uint32_t)XXH3_64bits(copy + idx, 8 * (size_t)cc));
        }
    }
    if (memcmp(copy, data, size) != 0) run(copy, size);
    free(copy);
    return 0;
}

static void run(const uint8_t *data, size_t size) {
    static emz_dctx *on, *off;
    if (!on) {
        on = emz_dctx_create();
        off = emz_dctx_create();
        /* the unverified context also decodes on two threads: hostile chunks on workers */
        if (!on || !off || emz_dctx_set_param(off, EMZ_PARAM_VERIFY_CHECKSUM, 0) != EMZ_OK ||
            emz_dctx_set_param(off, EMZ_PARAM_THREADS, 2) != EMZ_OK)
            abort();
    }
    emz_frame_info info;
    emz_status st = emz_frame_info_get(data, size, &info);
    if (st != EMZ_OK || info.original_size > MAX_OUT) {
        /* still feed it to the decoder with a small buffer: it must fail cleanly */
        uint8_t small[256 + 16];
        size_t os;
        memset(small + 256, 0xC7, 16);
        (void)emz_decompress(off, small, 256, data, size, &os);
        check_canary(small + 256, 16);
        return;
    }
    size_t n = (size_t)info.original_size;
    uint8_t *out = malloc(n + 16);
    if (!out) return;
    size_t os = 0;
    memset(out + n, 0xC7, 16);
    st = emz_decompress(on, out, n, data, size, &os);
    if (st == EMZ_OK && os != n) abort();
    st = emz_decompress(off, out, n, data, size, &os);
    if (st == EMZ_OK && os != n) abort();
    check_canary(out + n, 16);
    /* a few ranges: the whole, the middle, across the first chunk boundary, the end */
    uint64_t ranges[4][2] = {
        {0, n}, {n / 3, n / 3}, {info.chunk_size ? info.chunk_size - 1 : 0, 2}, {n ? n - 1 : 0, 1}};
    for (int r = 0; r < 4; r++) {
        uint64_t off_r = ranges[r][0], len = ranges[r][1];
        if (off_r > n || len > n - off_r) continue;
        memset(out + len, 0xC7, 16);
        (void)emz_decompress_range(r & 1 ? off : on, out, (size_t)len, data, size, off_r, len);
        check_canary(out + len, 16);
    }
    free(out);
}
