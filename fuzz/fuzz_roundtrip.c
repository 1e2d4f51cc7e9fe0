/* fuzz_roundtrip.c - libFuzzer target: any input compresses and decompresses to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emzip.h"

/* Input: byte 0 selects the type (low 3 bits, mod 7) and chunk size (bits 3..4: 4, 64, 256 KiB,
 * 1 MiB, BF16's and FP32's default); byte 1 bit 0 selects emz_compress_elements with an odd FP4
 * count; the rest is data. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static emz_cctx *cctx;
    static emz_dctx *dctx;
    if (!cctx) {
        cctx = emz_cctx_create();
        dctx = emz_dctx_create();
        if (!cctx || !dctx) abort();
    }
    if (size < 2) return 0;
    emz_type type = (emz_type)((data[0] & 7) % EMZ_TYPE_COUNT);
    static const int64_t chunks[4] = {4096, 65536, 262144, 1048576};
    if (emz_cctx_set_param(cctx, EMZ_PARAM_CHUNK_SIZE, chunks[(data[0] >> 3) & 3]) != EMZ_OK)
        abort();
    int odd_fp4 = type == EMZ_TYPE_FP4_E2M1 && (data[1] & 1);
    const uint8_t *src = data + 2;
    size_t n = size - 2;

    size_t cap = emz_compress_bound(n);
    uint8_t *frame = malloc(cap + 16);
    if (!frame) return 0;
    memset(frame + cap, 0xC7, 16);
    size_t fsize = 0;
    emz_status st;
    if (odd_fp4 && n > 0)
        st = emz_compress_elements(cctx, frame, cap, src, 2 * (uint64_t)n - 1, type, &fsize);
    else
        st = emz_compress(cctx, frame, cap, src, n, type, &fsize);
    if (st != EMZ_OK || fsize > cap) abort();
    for (int i = 0; i < 16; i++)
        if (frame[cap + i] != 0xC7) abort();

    emz_frame_info info;
    if (emz_frame_info_get(frame, fsize, &info) != EMZ_OK) abort();
    if (info.original_size != n || info.type != type) abort();

    uint8_t *out = malloc(n + 1);
    if (!out) abort();
    size_t os = 0;
    st = emz_decompress(dctx, out, n, frame, fsize, &os);
    if (st != EMZ_OK || os != n || (n && memcmp(out, src, n) != 0)) abort();
    if (n > 2) {
        uint64_t off = data[1] % n, len = (n - off) / 2;
        if (emz_decompress_range(dctx, out, n, frame, fsize, off, len) != EMZ_OK) abort();
        if (len && memcmp(out, src + off, len) != 0) abort();
    }
    /* same input, same bytes */
    uint8_t *again = malloc(cap);
    size_t fs2 = 0;
    if (again) {
        if (odd_fp4 && n > 0)
            st = emz_compress_elements(cctx, again, cap, src, 2 * (uint64_t)n - 1, type, &fs2);
        else
            st = emz_compress(cctx, again, cap, src, n, type, &fs2);
        if (st != EMZ_OK || fs2 != fsize || memcmp(again, frame, fsize) != 0) abort();
        free(again);
    }
    free(out);
    free(frame);
    return 0;
}
