/* hostile_common.h - helpers of the hostile-input tests: guarded decoding and the checks that a
 * forged frame is rejected (and that the independent reader agrees it is invalid). */
#ifndef EMZ_HOSTILE_COMMON_H
#define EMZ_HOSTILE_COMMON_H

#include "frame_reader.h"

#define CHUNK 4096u
#define NDATA (3 * CHUNK)

static inline emz_dctx *dctx_verify(int on) {
    emz_dctx *d = emz_dctx_create();
    cr_assert(d != NULL);
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_VERIFY_CHECKSUM, on) == EMZ_OK);
    return d;
}

/* Decompresses into a buffer of `cap` bytes followed by a canary; checks the canary. */
static inline emz_status decode_guarded(emz_dctx *d, const uint8_t *frame, size_t fsize, size_t cap,
                                        uint8_t **out_data, size_t *out_size) {
    uint8_t *out = tu_xmalloc(cap + 64);
    memset(out + cap, 0xC7, 64);
    size_t os = 0;
    emz_status st = emz_decompress(d, out, cap, frame, fsize, &os);
    for (size_t i = cap; i < cap + 64; i++)
        cr_assert(out[i] == 0xC7, "decompress wrote past its capacity");
    if (out_data)
        *out_data = out;
    else
        free(out);
    if (out_size) *out_size = os;
    return st;
}

static inline uint8_t *smooth_bf16(size_t n, uint64_t seed) {
    uint8_t *p = tu_xmalloc(n);
    tu_fill_smooth(p, n, EMZ_TYPE_BF16, seed);
    return p;
}

/* A library frame of 3 chunks of 4 KiB of smooth BF16. */
static inline uint8_t *library_frame(const uint8_t *data, size_t n, emz_type type, size_t *fsize) {
    emz_cctx *c = emz_cctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, CHUNK) == EMZ_OK);
    uint8_t *f = tu_xmalloc(emz_compress_bound(n));
    cr_assert(emz_compress(c, f, emz_compress_bound(n), data, n, type, fsize) == EMZ_OK);
    emz_cctx_free(c);
    return f;
}

static inline int is_one_of(emz_status st, const emz_status *set, int n) {
    for (int i = 0; i < n; i++)
        if (st == set[i]) return 1;
    return 0;
}

/* The forged frame must be rejected: with verification on as CORRUPT (or CHECKSUM), with it off
 * as CORRUPT. Ranges over the forged chunk likewise; a range over chunk 0 alone still decodes
 * when chunk 0 is intact. */
/* The independent reader's verdict: a self-check that a forgery is invalid per FORMAT.md. */
static inline int reader_accepts(const uint8_t *frame, size_t fsize, char *err, size_t errcap) {
    uint8_t *out = NULL;
    size_t on;
    unsigned modes[3] = {0};
    int ok = fr_decode(frame, fsize, &out, &on, err, errcap, modes);
    free(out);
    return ok;
}

static inline void expect_corrupt(const char *what, const uint8_t *frame, size_t fsize,
                                  const uint8_t *orig, size_t n, size_t forged_chunk,
                                  int strict_when_unverified) {
    char err[256];
    cr_assert(!reader_accepts(frame, fsize, err, sizeof err),
              "test bug: forgery '%s' is a valid frame", what);
    for (int v = 1; v >= 0; v--) {
        emz_dctx *d = dctx_verify(v);
        emz_status st = decode_guarded(d, frame, fsize, n, NULL, NULL);
        if (v || !strict_when_unverified)
            cr_assert(st == EMZ_ERROR_CORRUPT || st == EMZ_ERROR_CHECKSUM,
                      "%s (verify %d): got %s, expected corrupt", what, v, emz_error_name(st));
        else
            cr_assert(st == EMZ_ERROR_CORRUPT, "%s (verify off): got %s, expected corrupt", what,
                      emz_error_name(st));
        uint8_t *out = tu_xmalloc(n + 1);
        size_t off = forged_chunk * CHUNK + 5;
        if (off < n) {
            size_t len = n - off < 100 ? n - off : 100;
            st = emz_decompress_range(d, out, n, frame, fsize, off, len);
            if (v || !strict_when_unverified)
                cr_assert(st == EMZ_ERROR_CORRUPT || st == EMZ_ERROR_CHECKSUM,
                          "%s: range (verify %d): %s", what, v, emz_error_name(st));
            else
                cr_assert(st == EMZ_ERROR_CORRUPT, "%s: range (verify off): %s", what,
                          emz_error_name(st));
        }
        if (forged_chunk > 0 && orig) {
            st = emz_decompress_range(d, out, n, frame, fsize, 10, 1000);
            cr_assert(st == EMZ_OK, "%s: a range of intact chunk 0 failed: %s", what,
                      emz_error_name(st));
            cr_assert(memcmp(out, orig + 10, 1000) == 0);
        }
        free(out);
        emz_dctx_free(d);
    }
}

static inline void expect_decodes(const char *what, const uint8_t *frame, size_t fsize,
                                  const uint8_t *orig, size_t n) {
    char err[256];
    cr_assert(reader_accepts(frame, fsize, err, sizeof err), "test bug: '%s' is invalid: %s", what,
              err);
    for (int v = 1; v >= 0; v--) {
        emz_dctx *d = dctx_verify(v);
        uint8_t *out = NULL;
        size_t os = 0;
        emz_status st = decode_guarded(d, frame, fsize, n, &out, &os);
        cr_assert(st == EMZ_OK, "%s (verify %d): %s", what, v, emz_error_name(st));
        cr_assert(os == n && (n == 0 || memcmp(out, orig, n) == 0), "%s: decoded data differ",
                  what);
        free(out);
        emz_dctx_free(d);
    }
}

#endif
