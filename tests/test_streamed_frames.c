/* test_streamed_frames.c - what format version 4 adds (FORMAT.md, "Streamed frame"), and
 * emz_compress_sequential, which writes it: an input read once, in order, of unknown size.
 * Inputs within the first window give emz_compress's bytes; longer ones a streamed frame whose
 * payloads and index are emz_compress's, laid out as the document says, decoded by every path
 * (emz_decompress, ranges, readers, the independent reader), the same for every thread count and
 * read pattern; every truncation and bit flip of its header and footer refused; forged footers
 * and headers refused with the status they deserve; failing input callbacks reported. */
#include "hostile_common.h"

enum { FIRST_WINDOW = 16 }; /* chunks; writer_sequential.c */

/* An input handed out in pieces: sizes cycle through `steps` (0: all that is asked). */
typedef struct piecewise {
    const uint8_t *data;
    size_t size, at, calls;
    const size_t *steps;
    size_t step_count;
    int fail_after; /* calls before a failure; -1: never */
    int overfill;   /* returns one byte more than asked once */
} piecewise;

static int64_t pull(void *opaque, void *buf, size_t size) {
    piecewise *p = opaque;
    if (p->fail_after >= 0 && (int)p->calls >= p->fail_after) return -1;
    size_t want = p->step_count ? p->steps[p->calls % p->step_count] : size;
    p->calls++;
    if (p->overfill) return (int64_t)size + 1;
    if (want > size) want = size;
    if (want > p->size - p->at) want = p->size - p->at;
    memcpy(buf, p->data + p->at, want);
    p->at += want;
    return (int64_t)want;
}

typedef struct out_buf {
    uint8_t *data;
    size_t size, cap;
} out_buf;

static int out_write(void *opaque, const void *data, size_t size) {
    out_buf *o = opaque;
    if (o->size + size > o->cap) {
        o->cap = (o->size + size) * 2;
        o->data = realloc(o->data, o->cap);
        cr_assert(o->data != NULL);
    }
    memcpy(o->data + o->size, data, size);
    o->size += size;
    return 0;
}

static emz_cctx *cctx_of(unsigned threads) {
    emz_cctx *c = emz_cctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, CHUNK) == EMZ_OK);
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_THREADS, threads) == EMZ_OK);
    return c;
}

/* emz_compress_sequential of data through the given read pattern. */
static out_buf sequential(const uint8_t *data, size_t n, emz_type type, unsigned threads,
                          const size_t *steps, size_t step_count) {
    piecewise p = {data, n, 0, 0, steps, step_count, -1, 0};
    out_buf o = {NULL, 0, 0};
    emz_sink sink = {out_write, &o};
    emz_cctx *c = cctx_of(threads);
    uint64_t written = 0;
    emz_status st = emz_compress_sequential(c, pull, &p, type, &sink, &written);
    cr_assert(st == EMZ_OK, "type %d, %zu bytes: %s (%s)", (int)type, n, emz_error_name(st),
              emz_cctx_error_detail(c));
    cr_assert(written == o.size && p.at == n);
    emz_cctx_free(c);
    return o;
}

static uint8_t *input_of(size_t n, emz_type type, uint64_t seed) {
    uint8_t *p = tu_xmalloc(n);
    tu_fill_smooth(p, n, type, seed);
    return p;
}

/* Decodes f every way the library offers and compares with the original. */
static void decodes_every_way(const uint8_t *f, size_t fsize, const uint8_t *orig, size_t n,
                              emz_type type) {
    emz_frame_info info;
    cr_assert(emz_frame_info_get(f, fsize, &info) == EMZ_OK);
    cr_assert(info.original_size == n && info.type == type &&
              info.element_count == tu_expected_elements(type, n) && info.chunk_size == CHUNK &&
              info.chunk_count == (n + CHUNK - 1) / CHUNK);
    uint8_t *out = NULL;
    size_t on = 0;
    emz_dctx *d = dctx_verify(1);
    cr_assert(decode_guarded(d, f, fsize, n, &out, &on) == EMZ_OK && on == n &&
              memcmp(out, orig, n) == 0);
    size_t lo = n / 3, len = n / 2;
    cr_assert(emz_decompress_range(d, out, n, f, fsize, lo, len) == EMZ_OK &&
              memcmp(out, orig + lo, len) == 0);
    emz_reader *r = NULL;
    cr_assert(emz_reader_open_memory(d, f, fsize, &r) == EMZ_OK);
    emz_frame_info rinfo;
    cr_assert(emz_reader_frame_info_get(r, &rinfo) == EMZ_OK &&
              memcmp(&rinfo, &info, sizeof info) == 0);
    memset(out, 0, n);
    cr_assert(emz_reader_read(r, d, out, n, lo, len) == EMZ_OK && memcmp(out, orig + lo, len) == 0);
    emz_reader_close(r);
    free(out);
    char err[256];
    unsigned modes[3] = {0};
    cr_assert(fr_decode(f, fsize, &out, &on, err, sizeof err, modes), "independent reader: %s",
              err);
    cr_assert(on == n && memcmp(out, orig, n) == 0);
    free(out);
    emz_dctx_free(d);
}

/* An input within the first window (and one byte more) is exactly emz_compress's frame. */
Test(streamed_frames, short_inputs_give_the_bytes_of_emz_compress) {
    static const size_t sizes[] = {
        0, 1, 3, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 7, FIRST_WINDOW * CHUNK};
    static const size_t steps[] = {1, 7, 4093, 100000};
    uint8_t *src = input_of(FIRST_WINDOW * CHUNK, EMZ_TYPE_BF16, 1);
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t fsize;
        uint8_t *f = library_frame(src, sizes[i], EMZ_TYPE_BF16, &fsize);
        out_buf o = sequential(src, sizes[i], EMZ_TYPE_BF16, 2, steps, 4);
        cr_assert(o.size == fsize && memcmp(o.data, f, fsize) == 0, "%zu bytes", sizes[i]);
        free(o.data), free(f);
    }
    free(src);
}

/* Longer inputs: a version 4 header without sizes, emz_compress's payloads and index, a footer
 * with the sizes; decoded by every path; the same bytes for every thread count and read
 * pattern. */
Test(streamed_frames, long_inputs_are_streamed_frames, .timeout = 300) {
    static const struct {
        emz_type type;
        size_t n;
    } cases[] = {{EMZ_TYPE_BF16, FIRST_WINDOW * CHUNK + 1}, {EMZ_TYPE_BF16, 17 * CHUNK},
                 {EMZ_TYPE_FP16, 40 * CHUNK + 3},           {EMZ_TYPE_FP32, 70 * CHUNK + 2},
                 {EMZ_TYPE_FP8_E4M3, 33 * CHUNK - 1},       {EMZ_TYPE_FP8_E5M2, 20 * CHUNK},
                 {EMZ_TYPE_FP4_E2M1, 25 * CHUNK + 5},       {EMZ_TYPE_BYTES, 100 * CHUNK + 99}};
    static const size_t odd[] = {1, 2, 4095, 4097, 3, 65536};
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        emz_type type = cases[k].type;
        size_t n = cases[k].n, fsize;
        uint8_t *src = input_of(n, type, k + 2);
        uint8_t *f = library_frame(src, n, type, &fsize);
        out_buf o = sequential(src, n, type, 1, NULL, 0);
        cr_assert(o.size == fsize + 20, "case %u: %zu bytes, the frame %zu", k, o.size, fsize);
        const uint8_t *s = o.data;
        cr_assert(s[4] == 4 && s[5] == type && s[6] == 12 && s[7] == 2 && tu_get64(s + 8) == 0 &&
                  tu_get64(s + 16) == 0 && tu_get32(s + 24) == 0 &&
                  tu_get32(s + 28) == fw_checksum32(s, 28));
        cr_assert(memcmp(s + 32, f + 32, fsize - 32) == 0, "case %u: payloads or index differ", k);
        const uint8_t *footer = s + o.size - 20;
        cr_assert(tu_get64(footer) == n && tu_get64(footer + 8) == tu_expected_elements(type, n) &&
                  tu_get32(footer + 16) == fw_checksum32(footer, 16));
        decodes_every_way(s, o.size, src, n, type);
        for (unsigned threads = 2; threads <= 4; threads += 2) {
            out_buf t = sequential(src, n, type, threads, odd, 6);
            cr_assert(t.size == o.size && memcmp(t.data, o.data, o.size) == 0,
                      "case %u: %u threads and odd reads changed the bytes", k, threads);
            free(t.data);
        }
        /* given only the header, the frame's sizes are unknown: refused, not guessed */
        emz_frame_info info;
        cr_assert(emz_frame_info_get(s, 32, &info) != EMZ_OK);
        free(o.data), free(f), free(src);
    }
}

/* Every truncation, and every bit flip of the header, footer, index and a payload, is refused
 * (with checksums on; with them off nothing crashes or writes past the output). */
Test(streamed_frames, truncations_and_bit_flips_are_refused, .timeout = 600) {
    size_t n = 18 * CHUNK + 100;
    uint8_t *src = input_of(n, EMZ_TYPE_BF16, 9);
    out_buf o = sequential(src, n, EMZ_TYPE_BF16, 1, NULL, 0);
    emz_dctx *on = dctx_verify(1), *off = dctx_verify(0);
    for (size_t len = 0; len < o.size; len += len < 64 || o.size - len < 256 ? 1 : 97)
        cr_assert(decode_guarded(on, o.data, len, n, NULL, NULL) != EMZ_OK, "%zu of %zu", len,
                  o.size);
    uint8_t *g = tu_xmalloc(o.size);
    size_t index_at = o.size - 24 - 8 * 19;
    for (size_t at = 0; at < o.size; at += at < 32 || at >= index_at ? 1 : 211) {
        for (unsigned bit = 0; bit < 8; bit++) {
            memcpy(g, o.data, o.size);
            g[at] ^= (uint8_t)(1u << bit);
            cr_assert(decode_guarded(on, g, o.size, n, NULL, NULL) != EMZ_OK, "byte %zu bit %u", at,
                      bit);
            (void)decode_guarded(off, g, o.size, n, NULL, NULL);
            emz_reader *r = NULL;
            if (emz_reader_open_memory(on, g, o.size, &r) == EMZ_OK) {
                uint8_t *out = tu_xmalloc(n);
                cr_assert(emz_reader_read(r, on, out, n, 0, n) != EMZ_OK, "reader: byte %zu bit %u",
                          at, bit);
                free(out);
                emz_reader_close(r);
            }
        }
    }
    free(g), free(o.data), free(src);
    emz_dctx_free(on), emz_dctx_free(off);
}

/* Rewrites the footer (and its checksum) of a streamed frame. */
static void forge_footer(uint8_t *f, size_t fsize, uint64_t size, uint64_t elements) {
    uint8_t *footer = f + fsize - 20;
    tu_put64(footer, size);
    tu_put64(footer + 8, elements);
    tu_put32(footer + 16, fw_checksum32(footer, 16));
}

/* Rewrites header fields and reseals the header checksum. */
static void reseal(uint8_t *f, unsigned version, unsigned flags, uint64_t size, uint64_t elements) {
    f[4] = (uint8_t)version, f[7] = (uint8_t)flags;
    tu_put64(f + 8, size);
    tu_put64(f + 16, elements);
    tu_put32(f + 28, fw_checksum32(f, 28));
}

static void expect_status(const uint8_t *f, size_t fsize, size_t n, emz_status want,
                          const char *what) {
    emz_dctx *d = dctx_verify(1);
    /* room for any size a forged footer declares that the frame's chunks could hold */
    emz_status st = decode_guarded(d, f, fsize, 4 * n, NULL, NULL);
    cr_assert(st == want, "%s: %s, expected %s", what, emz_error_name(st), emz_error_name(want));
    /* a reader may open a frame whose forged sizes still fit its index (as with a resealed
     * full header), but then fails to read it */
    emz_reader *r = NULL;
    st = emz_reader_open_memory(d, f, fsize, &r);
    if (st == EMZ_OK) {
        emz_reader_info info;
        cr_assert(emz_reader_info_get(r, &info) == EMZ_OK);
        uint8_t *out = tu_xmalloc(info.original_size);
        st = emz_reader_read(r, d, out, info.original_size, 0, info.original_size);
        if (want != EMZ_OK)
            cr_assert(st == EMZ_ERROR_CORRUPT || st == EMZ_ERROR_CHECKSUM, "%s (reader): %s", what,
                      emz_error_name(st));
        free(out);
        emz_reader_close(r);
    } else { /* the reader's own words for a frame that cannot hold what it declares */
        cr_assert(want != EMZ_OK && (st == want || st == EMZ_ERROR_CORRUPT), "%s (reader): %s",
                  what, emz_error_name(st));
    }
    emz_dctx_free(d);
}

Test(streamed_frames, forged_headers_and_footers_are_refused) {
    size_t n = 20 * CHUNK + 6;
    uint8_t *src = input_of(n, EMZ_TYPE_FP16, 4);
    out_buf o = sequential(src, n, EMZ_TYPE_FP16, 1, NULL, 0);
    uint8_t *g = tu_xmalloc(o.size);
    uint64_t e = n / 2;
    static const struct {
        uint64_t size, elements;
        emz_status want;
        const char *what;
    } footers[] = {
        {20 * CHUNK + 8, 10 * CHUNK + 4, EMZ_ERROR_CORRUPT, "a larger size"},
        {20 * CHUNK, 10 * CHUNK, EMZ_ERROR_CORRUPT, "a smaller size"},
        {64 * CHUNK, 32 * CHUNK, EMZ_ERROR_CORRUPT, "more chunks than the frame holds"},
        {UINT64_C(1) << 61, UINT64_C(1) << 60, EMZ_ERROR_TRUNCATED, "2^61 bytes: too many chunks"},
        {UINT64_MAX, UINT64_MAX / 2, EMZ_ERROR_CORRUPT, "2^64 - 1 bytes"},
        {20 * CHUNK + 6, 10 * CHUNK + 2, EMZ_ERROR_CORRUPT, "a wrong element count"},
        {0, 0, EMZ_ERROR_CORRUPT, "size 0"},
    };
    for (unsigned i = 0; i < sizeof footers / sizeof footers[0]; i++) {
        memcpy(g, o.data, o.size);
        forge_footer(g, o.size, footers[i].size, footers[i].elements);
        expect_status(g, o.size, n, footers[i].want, footers[i].what);
    }
    memcpy(g, o.data, o.size);
    forge_footer(g, o.size, n, e);
    expect_status(g, o.size, n, EMZ_OK, "the footer rewritten as it was");
    memcpy(g, o.data, o.size);
    reseal(g, 3, 2, 0, 0);
    expect_status(g, o.size, n, EMZ_ERROR_UNSUPPORTED_VERSION, "flags 2 in version 3");
    memcpy(g, o.data, o.size);
    reseal(g, 4, 2, n, e);
    expect_status(g, o.size, n, EMZ_ERROR_CORRUPT, "sizes in a streamed header");
    memcpy(g, o.data, o.size);
    reseal(g, 4, 6, 0, 0);
    expect_status(g, o.size, n, EMZ_ERROR_UNSUPPORTED_VERSION, "flags 6");
    memcpy(g, o.data, o.size);
    reseal(g, 5, 2, 0, 0);
    expect_status(g, o.size, n, EMZ_ERROR_UNSUPPORTED_VERSION, "version 5");
    /* the footer dropped and the header given the sizes: a version 4 frame as version 3 writes */
    memcpy(g, o.data, o.size);
    reseal(g, 4, 0, n, e);
    expect_status(g, o.size - 20, n, EMZ_OK, "a full version 4 frame without the streamed flag");
    free(g), free(o.data), free(src);
}

/* Many threads and large chunks whose windows would not all fit the memory limit: the threads
 * are cut, the call succeeds (a tiny input once failed here, asking 2 GiB for a window of 16
 * threads' chunks of 16 MiB). */
Test(streamed_frames, threads_are_cut_to_the_memory_limit) {
    uint8_t src[3] = {1, 2, 3};
    static const struct {
        int64_t chunk, limit;
        size_t n;
    } cases[] = {{16 << 20, 0, 2}, {4096, 1 << 20, 3}, {4096, 1 << 20, 0}};
    for (unsigned i = 0; i < 3; i++) {
        piecewise p = {src, cases[i].n, 0, 0, NULL, 0, -1, 0};
        out_buf o = {NULL, 0, 0};
        emz_sink sink = {out_write, &o};
        emz_cctx *c = emz_cctx_create();
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_THREADS, 16) == EMZ_OK);
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, cases[i].chunk) == EMZ_OK);
        if (cases[i].limit)
            cr_assert(emz_cctx_set_param(c, EMZ_PARAM_MEMORY_LIMIT, cases[i].limit) == EMZ_OK);
        emz_status st = emz_compress_sequential(c, pull, &p, EMZ_TYPE_BYTES, &sink, NULL);
        cr_assert(st == EMZ_OK, "case %u: %s (%s)", i, emz_error_name(st),
                  emz_cctx_error_detail(c));
        uint8_t frame[64];
        size_t fsize = 0;
        cr_assert(emz_compress(c, frame, sizeof frame, src, cases[i].n, EMZ_TYPE_BYTES, &fsize) ==
                  EMZ_OK);
        cr_assert(o.size == fsize && memcmp(o.data, frame, fsize) == 0, "case %u", i);
        emz_cctx_free(c), free(o.data);
    }
}

Test(streamed_frames, failing_inputs_and_outputs_are_reported) {
    size_t n = 30 * CHUNK;
    uint8_t *src = input_of(n, EMZ_TYPE_BF16, 5);
    static const int fail_afters[] = {0, 13, 20, 30}; /* 30 chunks take at least 31 calls */
    for (unsigned i = 0; i < 4; i++) {
        int fail_after = fail_afters[i];
        piecewise p = {src, n, 0, 0, NULL, 0, fail_after, 0};
        static const size_t one_chunk[] = {CHUNK};
        p.steps = one_chunk, p.step_count = 1;
        out_buf o = {NULL, 0, 0};
        emz_sink sink = {out_write, &o};
        emz_cctx *c = cctx_of(2);
        uint64_t written = 0;
        emz_status st = emz_compress_sequential(c, pull, &p, EMZ_TYPE_BF16, &sink, &written);
        cr_assert(st == EMZ_ERROR_IO, "failing after %d calls: %s", fail_after, emz_error_name(st));
        emz_cctx_free(c), free(o.data);
    }
    piecewise p = {src, n, 0, 0, NULL, 0, -1, 1};
    out_buf o = {NULL, 0, 0};
    emz_sink sink = {out_write, &o};
    emz_cctx *c = cctx_of(1);
    cr_assert(emz_compress_sequential(c, pull, &p, EMZ_TYPE_BF16, &sink, NULL) == EMZ_ERROR_IO);
    cr_assert(strstr(emz_cctx_error_detail(c), "more bytes") != NULL);
    cr_assert(emz_compress_sequential(c, NULL, &p, EMZ_TYPE_BF16, &sink, NULL) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_compress_sequential(c, pull, &p, (emz_type)7, &sink, NULL) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    emz_cctx_free(c), free(o.data), free(src);
}
