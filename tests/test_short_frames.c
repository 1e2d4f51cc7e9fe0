/* test_short_frames.c - what format version 3 adds (FORMAT.md, "Short frame" and "Code table"):
 * the short header of single-chunk frames and the sparse code table. Layout byte for byte as
 * the document says; every truncation and bit flip refused; forged fields refused with the
 * status they deserve; the independent reader (frame_reader.h) agrees on the library's frames. */
#include "hostile_common.h"

/* A library frame of n bytes of src as type, chunk size 4 KiB unless chunk is given. */
static uint8_t *frame_of(const uint8_t *src, size_t n, emz_type type, int64_t chunk,
                         size_t *fsize) {
    emz_cctx *c = emz_cctx_create();
    if (chunk) cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, chunk) == EMZ_OK);
    uint8_t *f = tu_xmalloc(emz_compress_bound(n));
    cr_assert(emz_compress(c, f, emz_compress_bound(n), src, n, type, fsize) == EMZ_OK);
    emz_cctx_free(c);
    return f;
}

/* 76 FP32 scales whose low bytes take a few values spread over 0..255: their byte planes get
 * sparse code tables (the committed tests/data/v2/scales.fp32 has such values). */
static void fill_scales(uint8_t *p, size_t count) {
    static const uint8_t lows[7] = {0x00, 0x13, 0x40, 0x77, 0x9C, 0xC5, 0xDB};
    for (size_t i = 0; i < count; i++) {
        uint32_t v = 0x3C000000u | (uint32_t)(i * 7919 % 97) << 16 |
                     (uint32_t)lows[(i * 5 + 1) % 7] << 8 | lows[i * 3 % 7];
        tu_put32(p + 4 * i, v);
    }
}

Test(short_frames, layout_follows_the_specification) {
    uint8_t src[8192];
    tu_fill_smooth(src, sizeof src, EMZ_TYPE_BF16, 3);
    static const size_t sizes[] = {1, 2, 127, 128, 300, 4095, 4096};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i], fsize, at = 8;
        uint8_t *f = frame_of(src, n, EMZ_TYPE_BF16, 4096, &fsize);
        cr_assert(f[4] == 3 && f[5] == EMZ_TYPE_BF16 && f[6] == 12 && f[7] == 1,
                  "size %zu: header %02x %02x %02x %02x", n, f[4], f[5], f[6], f[7]);
        uint64_t size = 0;
        for (unsigned shift = 0;; shift += 7) {
            size |= (uint64_t)(f[at] & 0x7F) << shift;
            if (!(f[at++] & 0x80)) break;
        }
        cr_assert(size == n && at == (n < 128 ? 9u : 10u), "size %zu: LEB128 %llu in %zu bytes", n,
                  (unsigned long long)size, at - 8);
        uint32_t check = tu_get32(f + fsize - 4);
        cr_assert(check == (fw_checksum32(src, n) ^ fw_checksum32(f, at)),
                  "size %zu: the check is not checksum32(original) ^ checksum32(header)", n);
        emz_frame_info info;
        cr_assert(emz_frame_info_get(f, at, &info) == EMZ_OK, "the short header alone suffices");
        cr_assert(info.format_version == 3 && info.original_size == n && info.chunk_count == 1 &&
                  info.chunk_size == 4096 && info.element_count == n / 2);
        cr_assert(emz_frame_info_get(f, at - 1, &info) == EMZ_ERROR_TRUNCATED);
        free(f);
    }
    /* two chunks: the full header */
    size_t fsize;
    uint8_t *f = frame_of(src, 4097, EMZ_TYPE_BF16, 4096, &fsize);
    cr_assert(f[4] == 3 && f[7] == 0 && tu_get64(f + 8) == 4097);
    free(f);
    /* an empty input: the full header, no chunk */
    f = frame_of(src, 0, EMZ_TYPE_BF16, 4096, &fsize);
    cr_assert(fsize == 36 && f[7] == 0);
    free(f);
    /* an odd FP4 element count: flag bit 1 */
    uint8_t fp4[2048];
    tu_fill_random(fp4, sizeof fp4, 5);
    emz_cctx *c = emz_cctx_create();
    uint8_t frame[4096];
    cr_assert(emz_compress_elements(c, frame, sizeof frame, fp4, 2 * 300 - 1, EMZ_TYPE_FP4_E2M1,
                                    &fsize) == EMZ_OK);
    emz_cctx_free(c);
    emz_frame_info info;
    cr_assert(frame[7] == 3 && emz_frame_info_get(frame, fsize, &info) == EMZ_OK &&
              info.element_count == 599 && info.original_size == 300);
}

/* The library writes sparse tables where they are smallest, and the independent reader (which
 * checks that each table has the form the version's writers choose) reads them. */
Test(short_frames, sparse_tables_are_written_and_read_independently) {
    uint8_t src[4 * 76];
    fill_scales(src, 76);
    size_t fsize;
    uint8_t *f = frame_of(src, sizeof src, EMZ_TYPE_FP32, 0, &fsize);
    unsigned before = fr_forms_seen[2], modes[3] = {0, 0, 0};
    uint8_t *out = NULL;
    size_t on = 0;
    char err[256];
    cr_assert(fr_decode(f, fsize, &out, &on, err, sizeof err, modes), "%s", err);
    cr_assert(on == sizeof src && memcmp(out, src, on) == 0);
    cr_assert(fr_forms_seen[2] > before, "no sparse table in a frame of 76 FP32 scales");
    cr_assert(fsize < sizeof src, "76 scales: %zu bytes", fsize);
    free(out), free(f);
}

/* Every truncation, every extension and every bit flip of short frames is refused (with
 * checksums on; with them off, nothing crashes or writes past the output). */
Test(short_frames, truncations_extensions_and_bit_flips_are_refused, .timeout = 300) {
    uint8_t src[4096];
    static const struct {
        emz_type type;
        size_t n;
    } cases[] = {{EMZ_TYPE_BF16, 4096}, {EMZ_TYPE_FP32, 304}, {EMZ_TYPE_FP8_E4M3, 1000},
                 {EMZ_TYPE_FP16, 3},    {EMZ_TYPE_BYTES, 1},  {EMZ_TYPE_FP4_E2M1, 777}};
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t n = cases[k].n, fsize;
        if (cases[k].type == EMZ_TYPE_FP32)
            fill_scales(src, n / 4);
        else
            tu_fill_smooth(src, n, cases[k].type, k + 1);
        uint8_t *f = frame_of(src, n, cases[k].type, 0, &fsize);
        cr_assert(f[7] & 1, "case %u is a short frame", k);
        emz_dctx *on = dctx_verify(1), *off = dctx_verify(0);
        uint8_t *out = tu_xmalloc(n + 64);
        for (size_t len = 0; len < fsize; len++) {
            uint8_t *cut = tu_xmalloc(len ? len : 1);
            memcpy(cut, f, len);
            cr_assert(decode_guarded(on, cut, len, n, NULL, NULL) != EMZ_OK, "case %u: %zu of %zu",
                      k, len, fsize);
            free(cut);
        }
        uint8_t *longer = tu_xmalloc(fsize + 1);
        memcpy(longer, f, fsize);
        longer[fsize] = 0;
        cr_assert(decode_guarded(on, longer, fsize + 1, n, NULL, NULL) != EMZ_OK);
        free(longer);
        for (size_t bit = 0; bit < 8 * fsize; bit++) {
            f[bit / 8] ^= (uint8_t)(1u << bit % 8);
            size_t os;
            memset(out + n, 0xC7, 64);
            emz_status st = emz_decompress(on, out, n, f, fsize, &os);
            cr_assert(st != EMZ_OK, "case %u: flipping bit %zu of %zu bytes went undetected", k,
                      bit, fsize);
            (void)emz_decompress(off, out, n, f, fsize, &os);
            for (size_t i = n; i < n + 64; i++)
                cr_assert(out[i] == 0xC7, "case %u: bit %zu: write past capacity", k, bit);
            f[bit / 8] ^= (uint8_t)(1u << bit % 8);
        }
        free(out), free(f);
        emz_dctx_free(on), emz_dctx_free(off);
    }
}

/* A copy of frame f (fsize bytes) with the size field rewritten as the given LEB128 bytes and
 * the check recomputed for the new header, so that only the structural checks can refuse it. */
static uint8_t *with_size_field(const uint8_t *f, size_t fsize, const uint8_t *leb, size_t leb_n,
                                const uint8_t *src, size_t n, size_t *out_size) {
    size_t old = 1;
    while (f[8 + old - 1] & 0x80)
        old++;
    size_t size = fsize - old + leb_n;
    uint8_t *g = tu_xmalloc(size);
    memcpy(g, f, 8);
    memcpy(g + 8, leb, leb_n);
    memcpy(g + 8 + leb_n, f + 8 + old, fsize - 8 - old);
    tu_put32(g + size - 4, fw_checksum32(src, n) ^ fw_checksum32(g, 8 + leb_n));
    *out_size = size;
    return g;
}

static void refused(const uint8_t *f, size_t fsize, size_t cap, emz_status want, const char *what) {
    emz_status st = decode_guarded(NULL, f, fsize, cap, NULL, NULL);
    cr_assert(st == want, "%s: %s, not %s", what, emz_error_name(st), emz_error_name(want));
    uint8_t *out = NULL;
    size_t on = 0;
    char err[256];
    unsigned modes[3] = {0, 0, 0};
    cr_assert(!fr_decode(f, fsize, &out, &on, err, sizeof err, modes),
              "%s: the independent reader accepts it", what);
}

Test(short_frames, forged_headers_are_refused) {
    uint8_t src[300];
    tu_fill_smooth(src, sizeof src, EMZ_TYPE_BF16, 9);
    size_t fsize, gsize;
    uint8_t *f = frame_of(src, sizeof src, EMZ_TYPE_BF16, 4096, &fsize);
    uint8_t *g = tu_xmalloc(fsize);
    /* flags of a later revision; the short flag in a version 2 header */
    memcpy(g, f, fsize);
    g[7] |= 4;
    refused(g, fsize, sizeof src, EMZ_ERROR_UNSUPPORTED_VERSION, "flag bit 2");
    memcpy(g, f, fsize); /* a version 2 header: its checksum or its flags refuse it */
    g[4] = 2;
    emz_status st = decode_guarded(NULL, g, fsize, sizeof src, NULL, NULL);
    cr_assert(st == EMZ_ERROR_CORRUPT || st == EMZ_ERROR_UNSUPPORTED_VERSION,
              "short flag in version 2: %s", emz_error_name(st));
    /* the odd-FP4 flag on BF16 (check recomputed) */
    memcpy(g, f, fsize);
    g[7] |= 2;
    tu_put32(g + fsize - 4, fw_checksum32(src, sizeof src) ^ fw_checksum32(g, 10));
    refused(g, fsize, sizeof src, EMZ_ERROR_CORRUPT, "odd FP4 flag on BF16");
    /* type and chunk_log2 out of range */
    memcpy(g, f, fsize);
    g[5] = 7;
    refused(g, fsize, sizeof src, EMZ_ERROR_CORRUPT, "type 7");
    memcpy(g, f, fsize);
    g[6] = 25;
    refused(g, fsize, sizeof src, EMZ_ERROR_CORRUPT, "chunk_log2 25");
    free(g);
    /* size fields: 0, beyond the chunk, not minimal, too long */
    static const struct {
        uint8_t leb[6];
        size_t n;
        const char *what;
    } sizes[] = {{{0x00}, 1, "size 0"},
                 {{0x81, 0x20}, 2, "size 4097 in a 4 KiB chunk"},
                 {{0xAC, 0x82, 0x00}, 3, "size 300 not minimal"},
                 {{0x80, 0x80, 0x80, 0x80, 0x01}, 5, "a 5-byte size"}};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        g = with_size_field(f, fsize, sizes[i].leb, sizes[i].n, src, sizeof src, &gsize);
        refused(g, gsize, 8192, EMZ_ERROR_CORRUPT, sizes[i].what);
        free(g);
    }
    /* a smaller size than the payload holds: the payload no longer fits the chunk */
    g = with_size_field(f, fsize, (const uint8_t[]){0x64}, 1, src, 100, &gsize);
    st = decode_guarded(NULL, g, gsize, 8192, NULL, NULL);
    cr_assert(st == EMZ_ERROR_CORRUPT, "size 100 over 300 bytes of payload: %s",
              emz_error_name(st));
    free(g);
    /* a payload beyond the expansion bound (len + 5) */
    g = tu_xmalloc(fsize + 400);
    memcpy(g, f, fsize - 4);
    memset(g + fsize - 4, 0, 400);
    tu_put32(g + fsize + 396, tu_get32(f + fsize - 4));
    refused(g, fsize + 400, sizeof src, EMZ_ERROR_CORRUPT, "payload over the bound");
    free(g);
    /* the check: any other value is a checksum error */
    g = tu_xmalloc(fsize);
    memcpy(g, f, fsize);
    g[fsize - 1] ^= 0x10;
    st = decode_guarded(NULL, g, fsize, sizeof src, NULL, NULL);
    cr_assert(st == EMZ_ERROR_CHECKSUM, "wrong check: %s", emz_error_name(st));
    free(g);
    free(f);
}

/* Sparse tables forged in a library frame of FP32 scales (check left as it is: a table the
 * parser refuses is CORRUPT before any checksum is looked at). */
Test(short_frames, forged_sparse_tables_are_refused) {
    uint8_t src[4 * 76];
    fill_scales(src, 76);
    size_t fsize;
    uint8_t *f = frame_of(src, sizeof src, EMZ_TYPE_FP32, 0, &fsize);
    /* the first stream's table: header (9 or 10 bytes), layout, mode, then last, first */
    size_t at = f[8] & 0x80 ? 10 : 9;
    cr_assert(f[at + 1] == 5, "the first stream is HUFFMAN");
    size_t t = at + 2;
    cr_assert(f[t] > f[t + 1] && (f[t + 2] & 0xF) == 0, "the first table is sparse");
    uint8_t *g = tu_xmalloc(fsize);
    /* the count: one more symbol than it lists, and more than fit between first and last */
    memcpy(g, f, fsize);
    g[t + 2] = (uint8_t)(g[t + 2] + 0x10);
    g[t + 3] = (uint8_t)(g[t + 3] + (g[t + 2] < 0x10));
    refused(g, fsize, sizeof src, EMZ_ERROR_CORRUPT, "count + 1");
    memcpy(g, f, fsize);
    g[t + 2] = (uint8_t)(g[t + 2] | 0xF0), g[t + 3] |= 0x0F;
    refused(g, fsize, sizeof src, EMZ_ERROR_CORRUPT, "count 255");
    /* first and last pulled together so that a listed symbol reaches last */
    memcpy(g, f, fsize);
    g[t] = (uint8_t)(g[t + 1] + 3);
    refused(g, fsize, sizeof src, EMZ_ERROR_CORRUPT, "a listed symbol at or past last");
    /* first's length 0 */
    memcpy(g, f, fsize);
    g[t + 3] &= 0x0F;
    refused(g, fsize, sizeof src, EMZ_ERROR_CORRUPT, "first length 0");
    free(g), free(f);
}
