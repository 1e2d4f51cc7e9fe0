/* test_hostile_input.c - truncated, bit-flipped, forged (header, index) and random frames must
 * be rejected cleanly, never crash and never write past the capacity given. */
#include "hostile_common.h"

/* ---- truncation and extension ---- */

Test(hostile, truncation_and_extension, .timeout = 300) {
    uint8_t *data = smooth_bf16(NDATA, 1);
    size_t fsize;
    uint8_t *frame = library_frame(data, NDATA, EMZ_TYPE_BF16, &fsize);
    for (int v = 1; v >= 0; v--) {
        emz_dctx *d = dctx_verify(v);
        for (size_t len = 0; len < fsize; len++) {
            uint8_t *copy = tu_xmalloc(len); /* exact size, so ASan sees over-reads */
            memcpy(copy, frame, len);
            emz_status st = decode_guarded(d, copy, len, NDATA, NULL, NULL);
            cr_assert(st != EMZ_OK, "truncated frame of %zu/%zu bytes accepted", len, fsize);
            uint8_t tmp[16];
            st = emz_decompress_range(d, tmp, sizeof tmp, copy, len, 100, 16);
            cr_assert(st != EMZ_OK, "range of a truncated frame of %zu/%zu bytes accepted", len,
                      fsize);
            free(copy);
        }
        uint8_t *longer = tu_xmalloc(fsize + 1);
        memcpy(longer, frame, fsize);
        for (int b = 0; b < 256; b += 85) {
            longer[fsize] = (uint8_t)b;
            cr_assert(decode_guarded(d, longer, fsize + 1, NDATA, NULL, NULL) != EMZ_OK,
                      "frame + 1 byte accepted");
        }
        free(longer);
        emz_dctx_free(d);
    }
    free(frame);
    free(data);
}

/* ---- single-bit flips ---- */

/* strict: every flip must be rejected (header, index and data are checksummed, padding bits
 * must be zero, and mode values are two bits apart). Non-strict only requires that an
 * accepted flip decodes to the original. */
static void flip_all_bits(const char *what, const uint8_t *frame, size_t fsize, const uint8_t *orig,
                          size_t n, size_t stride, int strict) {
    uint8_t *copy = tu_xmalloc(fsize);
    emz_dctx *on = dctx_verify(1), *off = dctx_verify(0);
    uint8_t *out = tu_xmalloc(n + 64);
    for (size_t bit = 0; bit < 8 * fsize; bit += stride) {
        memcpy(copy, frame, fsize);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        memset(out + n, 0xC7, 64);
        size_t os;
        emz_status st = emz_decompress(on, out, n, copy, fsize, &os);
        if (st == EMZ_OK)
            cr_assert(!strict && os == n && memcmp(out, orig, n) == 0,
                      "%s: flipping bit %zu (byte %zu of %zu) went undetected (output %s)", what,
                      bit, bit / 8, fsize,
                      os == n && memcmp(out, orig, n) == 0 ? "equals the original" : "differs");
        st = emz_decompress(off, out, n, copy, fsize, &os);
        (void)st; /* anything but a crash is fine without chunk checksums */
        for (size_t i = n; i < n + 64; i++)
            cr_assert(out[i] == 0xC7, "%s: bit %zu: write past capacity", what, bit);
        emz_frame_info info;
        (void)emz_frame_info_get(copy, fsize, &info);
        if (n > 200) {
            st = emz_decompress_range(on, out, n, copy, fsize, n / 2 - 100, 200);
            (void)st;
        }
    }
    free(out);
    free(copy);
    emz_dctx_free(on);
    emz_dctx_free(off);
}

Test(hostile, every_bit_flip_bf16, .timeout = 600) {
    uint8_t *data = smooth_bf16(NDATA, 2);
    size_t fsize;
    uint8_t *frame = library_frame(data, NDATA, EMZ_TYPE_BF16, &fsize);
    cr_assert(fsize < NDATA, "smooth BF16 did not compress (%zu bytes)", fsize);
    flip_all_bits("bf16", frame, fsize, data, NDATA, fsize <= 20000 ? 1 : 13, 1);
    free(frame);
    free(data);
}

Test(hostile, bit_flips_other_types, .timeout = 600) {
    static const emz_type ts[] = {EMZ_TYPE_FP32,     EMZ_TYPE_FP16,     EMZ_TYPE_FP8_E4M3,
                                  EMZ_TYPE_FP8_E5M2, EMZ_TYPE_FP4_E2M1, EMZ_TYPE_BYTES};
    for (unsigned k = 0; k < sizeof ts / sizeof ts[0]; k++) {
        size_t n = NDATA + 3;
        uint8_t *data = tu_xmalloc(n);
        tu_fill_smooth(data, n, ts[k], 3 + k);
        size_t fsize;
        uint8_t *frame = library_frame(data, n, ts[k], &fsize);
        flip_all_bits(emz_type_name(ts[k]), frame, fsize, data, n, 7, 1);
        /* and the independent writer's frame with constant + raw streams */
        memset(data + CHUNK, 0x3C, CHUNK);
        fw_copt o = fw_default_copt();
        o.s[1].mode = FW_RAW;
        fw_spec sp = {ts[k], 12, SIZE_MAX, NULL, &o, NULL, NULL, 2};
        free(frame);
        frame = fw_build(&sp, data, n, &fsize);
        flip_all_bits(emz_type_name(ts[k]), frame, fsize, data, n, 5, 1);
        free(frame);
        free(data);
    }
}

/* ---- forged headers ---- */

Test(hostile, forged_headers) {
    uint8_t *data = smooth_bf16(NDATA, 4);
    size_t fsize;
    uint8_t *frame = library_frame(data, NDATA, EMZ_TYPE_BF16, &fsize);
    uint8_t *f = tu_xmalloc(fsize);
    size_t cap = NDATA + 2 * CHUNK;
    emz_frame_info info;
    emz_status st;

    /* wrong magic */
    for (int i = 0; i < 4; i++) {
        memcpy(f, frame, fsize);
        f[i] ^= 0x20;
        cr_assert(emz_frame_info_get(f, fsize, &info) == EMZ_ERROR_NOT_EMZIP, "magic byte %d", i);
        cr_assert((st = decode_guarded(NULL, f, fsize, cap, NULL, NULL)) == EMZ_ERROR_NOT_EMZIP,
                  "magic byte %d: %s", i, emz_error_name(st));
        fw_fix_header(f);
        cr_assert(decode_guarded(NULL, f, fsize, cap, NULL, NULL) == EMZ_ERROR_NOT_EMZIP);
    }
    /* short input that is not emzip at all */
    cr_assert(emz_frame_info_get("PK\3\4", 4, &info) != EMZ_OK);

    /* other versions, with a valid header checksum */
    static const uint8_t versions[] = {0, 5, 6, 255}; /* 1-4 are known */
    for (unsigned i = 0; i < sizeof versions; i++) {
        memcpy(f, frame, fsize);
        f[4] = versions[i];
        fw_fix_header(f);
        st = emz_frame_info_get(f, fsize, &info);
        cr_assert(st == EMZ_ERROR_UNSUPPORTED_VERSION, "version %u: frame_info_get %s", versions[i],
                  emz_error_name(st));
        st = decode_guarded(NULL, f, fsize, cap, NULL, NULL);
        cr_assert(st == EMZ_ERROR_UNSUPPORTED_VERSION, "version %u: %s", versions[i],
                  emz_error_name(st));
    }

    /* header checksum wrong */
    memcpy(f, frame, fsize);
    f[29] ^= 1;
    st = decode_guarded(NULL, f, fsize, cap, NULL, NULL);
    cr_assert(st == EMZ_ERROR_CHECKSUM || st == EMZ_ERROR_CORRUPT, "bad header checksum: %s",
              emz_error_name(st));
    cr_assert(emz_frame_info_get(f, fsize, &info) != EMZ_OK,
              "frame_info_get ignores the header checksum");

    /* header fields out of range (checksum recomputed) */
    struct {
        int off, width;
        uint64_t value;
        const char *what;
    } bad[] = {
        {5, 1, 7, "type 7"},
        {5, 1, 99, "type 99"},
        {6, 1, 11, "chunk_log2 11"},
        {6, 1, 25, "chunk_log2 25"},
        {6, 1, 0, "chunk_log2 0"},
        {6, 1, 64, "chunk_log2 64"},
        {6, 1, 255, "chunk_log2 255"},
        {7, 1, 1, "flags 1"},
        {7, 1, 0x80, "flags 0x80"},
        {24, 4, 1, "reserved 1"},
        {24, 4, 0x80000000u, "reserved 2^31"},
        {16, 8, NDATA / 2 + 1, "element_count + 1"},
        {16, 8, NDATA / 2 - 1, "element_count - 1"},
        {16, 8, NDATA, "element_count = bytes"},
        {16, 8, UINT64_MAX, "element_count max"},
        {8, 8, NDATA - 1, "original_size - 1 (odd)"},
        {8, 8, NDATA + 3, "original_size + 3 (odd)"},
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(f, frame, fsize);
        for (int b = 0; b < bad[i].width; b++)
            f[bad[i].off + b] = (uint8_t)(bad[i].value >> (8 * b));
        fw_fix_header(f);
        st = emz_frame_info_get(f, fsize, &info);
        cr_assert(st != EMZ_OK, "frame_info_get accepts %s", bad[i].what);
        st = decode_guarded(NULL, f, fsize, cap, NULL, NULL);
        cr_assert(st == EMZ_ERROR_CORRUPT || st == EMZ_ERROR_UNSUPPORTED_VERSION, "%s: got %s",
                  bad[i].what, emz_error_name(st));
    }

    /* lying original_size, with element_count kept consistent (header valid on its own) */
    static const int64_t deltas[] = {2,        -2,        4096,    -4096,
                                     2 * 4096, -2 * 4096, 1 << 20, -(int64_t)NDATA};
    for (unsigned i = 0; i < sizeof deltas / sizeof deltas[0]; i++) {
        for (int variant = 0; variant < 2; variant++) {
            memcpy(f, frame, fsize);
            uint64_t sz = (uint64_t)((int64_t)NDATA + deltas[i]);
            tu_put64(f + 8, sz);
            tu_put64(f + 16, sz / 2);
            fw_fix_header(f);
            if (variant)
                fw_fix_index(f, fsize); /* also make the index checksum match its new place */
            size_t c2 = sz > cap ? (size_t)sz : cap;
            st = decode_guarded(NULL, f, fsize, c2, NULL, NULL);
            static const emz_status ok[] = {EMZ_ERROR_CORRUPT, EMZ_ERROR_CHECKSUM,
                                            EMZ_ERROR_TRUNCATED};
            cr_assert(is_one_of(st, ok, 3), "original_size %+lld (variant %d): got %s",
                      (long long)deltas[i], variant, emz_error_name(st));
            emz_dctx *d = dctx_verify(0);
            st = decode_guarded(d, f, fsize, c2, NULL, NULL);
            cr_assert(is_one_of(st, ok, 3), "original_size %+lld unverified: got %s",
                      (long long)deltas[i], emz_error_name(st));
            emz_dctx_free(d);
        }
    }
    /* absurd sizes */
    static const uint64_t huge[] = {(uint64_t)1 << 40, (uint64_t)1 << 62, UINT64_MAX - 1,
                                    UINT64_MAX};
    for (unsigned i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        memcpy(f, frame, fsize);
        tu_put64(f + 8, huge[i]);
        tu_put64(f + 16, huge[i] / 2);
        fw_fix_header(f);
        st = decode_guarded(NULL, f, fsize, cap, NULL, NULL);
        static const emz_status ok[] = {EMZ_ERROR_CORRUPT, EMZ_ERROR_CHECKSUM, EMZ_ERROR_TRUNCATED,
                                        EMZ_ERROR_DST_TOO_SMALL};
        cr_assert(is_one_of(st, ok, 4), "original_size %llu: %s", (unsigned long long)huge[i],
                  emz_error_name(st));
        uint8_t tmp[64];
        st = emz_decompress_range(NULL, tmp, sizeof tmp, f, fsize, 0, 64);
        cr_assert(st != EMZ_OK, "range on original_size %llu accepted",
                  (unsigned long long)huge[i]);
        st = emz_decompress_range(NULL, tmp, sizeof tmp, f, fsize, huge[i] - 64, 64);
        cr_assert(st != EMZ_OK, "range at the end of original_size %llu accepted",
                  (unsigned long long)huge[i]);
    }
    /* FP4 with an element count that is neither 2n nor 2n - 1 (two chunks: the full header,
     * which stores the count; a short header stores only its parity) */
    {
        enum { N = 5000 };
        static uint8_t src[N], fr[N + 200];
        tu_fill_random(src, sizeof src, 9);
        size_t fs;
        emz_cctx *cc = emz_cctx_create();
        cr_assert(emz_cctx_set_param(cc, EMZ_PARAM_CHUNK_SIZE, 4096) == EMZ_OK);
        cr_assert(emz_compress(cc, fr, sizeof fr, src, sizeof src, EMZ_TYPE_FP4_E2M1, &fs) ==
                  EMZ_OK);
        emz_cctx_free(cc);
        cr_assert(fr[7] == 0, "a full header");
        static const uint64_t counts[] = {2 * N - 2, 2 * N + 1, N, 0};
        for (unsigned i = 0; i < 4; i++) {
            tu_put64(fr + 16, counts[i]);
            fw_fix_header(fr);
            cr_assert(emz_frame_info_get(fr, fs, &info) == EMZ_ERROR_CORRUPT, "fp4 count %llu",
                      (unsigned long long)counts[i]);
            cr_assert(decode_guarded(NULL, fr, fs, 2 * N, NULL, NULL) == EMZ_ERROR_CORRUPT);
        }
        tu_put64(fr + 16, 2 * N - 1); /* odd count: valid */
        fw_fix_header(fr);
        cr_assert(emz_frame_info_get(fr, fs, &info) == EMZ_OK && info.element_count == 2 * N - 1);
        /* the chunk checksum covers the bytes, not the count, so the frame decodes */
        uint8_t *o = NULL;
        size_t os;
        cr_assert(decode_guarded(NULL, fr, fs, N, &o, &os) == EMZ_OK && os == N &&
                  memcmp(o, src, N) == 0);
        free(o);
    }
    free(f);
    free(frame);
    free(data);
}

/* ---- forged index ---- */

Test(hostile, forged_index) {
    uint8_t *data = smooth_bf16(NDATA, 5);
    size_t fsize;
    uint8_t *frame = library_frame(data, NDATA, EMZ_TYPE_BF16, &fsize);
    fw_layout L = fw_parse(frame, fsize);
    cr_assert(L.chunk_count == 3);
    uint8_t *f = tu_xmalloc(fsize);
    emz_status st;

    /* index checksum wrong */
    memcpy(f, frame, fsize);
    f[fsize - 1] ^= 0x40;
    st = decode_guarded(NULL, f, fsize, NDATA, NULL, NULL);
    cr_assert(st == EMZ_ERROR_CHECKSUM || st == EMZ_ERROR_CORRUPT, "bad index checksum: %s",
              emz_error_name(st));
    {
        emz_dctx *d = dctx_verify(0);
        st = decode_guarded(d, f, fsize, NDATA, NULL, NULL);
        cr_assert(st == EMZ_ERROR_CHECKSUM || st == EMZ_ERROR_CORRUPT,
                  "index checksum must be verified even with chunk verification off: %s",
                  emz_error_name(st));
        uint8_t tmp[16];
        st = emz_decompress_range(d, tmp, 16, f, fsize, 0, 16);
        cr_assert(st != EMZ_OK, "range ignores the index checksum");
        emz_dctx_free(d);
    }

    /* payload sizes (index checksum recomputed) */
    struct {
        int64_t d0, d1, d2;
        const char *what;
    } sz[] = {
        {1, 0, 0, "size0 + 1"},
        {-1, 0, 0, "size0 - 1"},
        {1, -1, 0, "size0 + 1, size1 - 1"},
        {-1, 1, 0, "size0 - 1, size1 + 1"},
        {0, 0, 1, "size2 + 1"},
        {0, 1, -1, "size1 + 1, size2 - 1"},
        {0x80000000ll, -0x80000000ll, 0, "sizes wrapping mod 2^32"},
        {0xFFFFFFFFll, 1, 0, "size0 + 2^32 - 1, size1 + 1"},
        {(int64_t)1 << 31, (int64_t)1 << 31, 0, "size0, size1 + 2^31"},
        {0, 0x80000000ll, -0x80000000ll, "sizes 1, 2 wrapping mod 2^32"},
    };
    for (unsigned i = 0; i < sizeof sz / sizeof sz[0]; i++) {
        memcpy(f, frame, fsize);
        const int64_t dd[3] = {sz[i].d0, sz[i].d1, sz[i].d2};
        for (int c = 0; c < 3; c++)
            tu_put32(f + L.index_off + 8 * c,
                     (uint32_t)(L.payload_size[c] + (uint32_t)(uint64_t)dd[c]));
        fw_fix_index(f, fsize);
        size_t first_forged = dd[0] ? 0 : dd[1] ? 1 : 2;
        expect_corrupt(sz[i].what, f, fsize, NULL, NDATA, first_forged, 1);
    }
    /* sizes that add up but give one chunk a payload beyond the expansion bound (len + 5): the
     * frame is refused when its index is read, before any payload is allocated or read */
    {
        memcpy(f, frame, fsize);
        cr_assert(L.payload_size[2] > 6);
        tu_put32(f + L.index_off + 8, (uint32_t)(L.payload_size[1] + L.payload_size[2] - 1));
        tu_put32(f + L.index_off + 16, 1);
        cr_assert(L.payload_size[1] + L.payload_size[2] - 1 > CHUNK + 5);
        fw_fix_index(f, fsize);
        for (int v = 0; v < 2; v++) {
            emz_dctx *d = dctx_verify(v);
            st = decode_guarded(d, f, fsize, NDATA, NULL, NULL);
            cr_assert(st == EMZ_ERROR_CORRUPT, "payload over the bound: %s", emz_error_name(st));
            uint8_t tmp[16];
            st = emz_decompress_range(d, tmp, 16, f, fsize, 0, 16);
            cr_assert(st == EMZ_ERROR_CORRUPT, "range of a frame with a payload over the bound");
            emz_dctx_free(d);
        }
        emz_reader *r = NULL; /* the reader's own index loader (files, streams) */
        st = emz_reader_open_memory(NULL, f, fsize, &r);
        cr_assert(st == EMZ_ERROR_CORRUPT, "reader: payload over the bound: %s",
                  emz_error_name(st));
    }
    static const uint32_t abs_sizes[] = {0, 0xFFFFFFFFu, 0x7FFFFFFFu, 1};
    for (unsigned i = 0; i < 4; i++)
        for (int c = 0; c < 3; c++) {
            memcpy(f, frame, fsize);
            tu_put32(f + L.index_off + 8 * c, abs_sizes[i]);
            fw_fix_index(f, fsize);
            char what[64];
            snprintf(what, sizeof what, "payload size %d = %u", c, abs_sizes[i]);
            expect_corrupt(what, f, fsize, NULL, NDATA, (size_t)c, 1);
            /* and with the other sizes compensating so the sum is right */
            if (abs_sizes[i] < L.payload_size[c]) {
                int o = c == 2 ? 1 : c + 1;
                tu_put32(f + L.index_off + 8 * o,
                         L.payload_size[o] + L.payload_size[c] - abs_sizes[i]);
                fw_fix_index(f, fsize);
                snprintf(what, sizeof what, "payload size %d = %u, %d compensating", c,
                         abs_sizes[i], o);
                expect_corrupt(what, f, fsize, NULL, NDATA, (size_t)(c < o ? c : o), 1);
            }
        }

    /* a wrong chunk checksum: CHECKSUM when verifying, correct data when not */
    memcpy(f, frame, fsize);
    f[L.index_off + 8 * 1 + 4] ^= 0x01;
    fw_fix_index(f, fsize);
    st = decode_guarded(NULL, f, fsize, NDATA, NULL, NULL);
    cr_assert(st == EMZ_ERROR_CHECKSUM, "bad chunk checksum: %s", emz_error_name(st));
    {
        emz_dctx *on = dctx_verify(1), *off = dctx_verify(0);
        uint8_t *out = NULL;
        size_t os;
        st = decode_guarded(off, f, fsize, NDATA, &out, &os);
        cr_assert(st == EMZ_OK && os == NDATA && memcmp(out, data, NDATA) == 0, "verify off: %s",
                  emz_error_name(st));
        st = emz_decompress_range(on, out, NDATA, f, fsize, CHUNK + 1, 10);
        cr_assert(st == EMZ_ERROR_CHECKSUM, "range over the bad chunk: %s", emz_error_name(st));
        st = emz_decompress_range(on, out, NDATA, f, fsize, 2 * CHUNK - 5, 10);
        cr_assert(st == EMZ_ERROR_CHECKSUM, "range into the bad chunk: %s", emz_error_name(st));
        st = emz_decompress_range(on, out, NDATA, f, fsize, 0, CHUNK);
        cr_assert(st == EMZ_OK && memcmp(out, data, CHUNK) == 0, "range over intact chunk 0: %s",
                  emz_error_name(st));
        st = emz_decompress_range(on, out, NDATA, f, fsize, 2 * CHUNK, CHUNK);
        cr_assert(st == EMZ_OK && memcmp(out, data + 2 * CHUNK, CHUNK) == 0,
                  "range over intact chunk 2: %s", emz_error_name(st));
        st = emz_decompress_range(off, out, NDATA, f, fsize, CHUNK + 1, 10);
        cr_assert(st == EMZ_OK && memcmp(out, data + CHUNK + 1, 10) == 0);
        free(out);
        emz_dctx_free(on);
        emz_dctx_free(off);
    }
    /* swapping two index entries (sizes and checksums) with the index checksum fixed */
    memcpy(f, frame, fsize);
    memcpy(f + L.index_off, frame + L.index_off + 8, 8);
    memcpy(f + L.index_off + 8, frame + L.index_off, 8);
    fw_fix_index(f, fsize);
    st = decode_guarded(NULL, f, fsize, NDATA, NULL, NULL);
    cr_assert(st == EMZ_ERROR_CORRUPT || st == EMZ_ERROR_CHECKSUM, "swapped index entries: %s",
              emz_error_name(st));

    /* library payloads: layout byte and mode byte forged in place */
    static const uint8_t layouts[] = {2, 4, 0x80, 0xFF};
    for (unsigned i = 0; i < sizeof layouts; i++) {
        memcpy(f, frame, fsize);
        f[L.payload_off[1]] = layouts[i];
        char what[64];
        snprintf(what, sizeof what, "library frame, layout byte %u", layouts[i]);
        expect_corrupt(what, f, fsize, data, NDATA, 1, 1);
    }
    static const uint8_t modes[] = {1, 2, 4, 0x81, 0xFF};
    for (unsigned i = 0; i < sizeof modes; i++) {
        memcpy(f, frame, fsize);
        f[L.payload_off[1] + 1] = modes[i];
        char what[64];
        snprintf(what, sizeof what, "library frame, stream mode %u", modes[i]);
        expect_corrupt(what, f, fsize, data, NDATA, 1, 1);
    }
    free(f);
    free(frame);
    free(data);
}

/* ---- random inputs ---- */

Test(hostile, random_garbage, .timeout = 600) {
    uint64_t s = 12345;
    emz_dctx *on = dctx_verify(1), *off = dctx_verify(0);
    size_t cap = 1 << 16;
    uint8_t *out = tu_xmalloc(cap + 64);
    for (int iter = 0; iter < 10000; iter++) {
        size_t n = (size_t)(tu_rand(&s) % (iter % 10 == 0 ? 20000 : 600));
        uint8_t *g = tu_xmalloc(n);
        tu_fill_random(g, n, tu_rand(&s));
        int kind = iter % 4;
        if (kind >= 1 && n >= 32) { /* a plausible header */
            g[0] = 0x89;
            g[1] = 'E';
            g[2] = 'M';
            g[3] = 'Z';
            g[4] = 1;
            g[5] = (uint8_t)(tu_rand(&s) % 8);
            g[6] = (uint8_t)(12 + tu_rand(&s) % 3);
            g[7] = 0;
            uint64_t osz = tu_rand(&s) % (3 * 4096 * (kind == 3 ? 4 : 1));
            tu_put64(g + 8, osz);
            tu_put64(g + 16, g[5] == 6                  ? 2 * osz
                             : (g[5] == 1 || g[5] == 2) ? osz / 2
                             : g[5] == 3                ? osz / 4
                                                        : osz);
            tu_put32(g + 24, 0);
            if (kind >= 2) fw_fix_header(g);
            if (kind == 3) { /* a consistent index too: payload decoding sees garbage */
                uint64_t C = (uint64_t)1 << g[6], cc = (osz + C - 1) / C;
                if (n >= 36 + 8 * cc) {
                    size_t avail = n - 36 - 8 * (size_t)cc, io = n - 4 - 8 * (size_t)cc;
                    for (uint64_t c = 0; c < cc; c++) {
                        uint32_t ps =
                            c + 1 == cc ? (uint32_t)avail : (uint32_t)(tu_rand(&s) % (avail + 1));
                        tu_put32(g + io + 8 * c, ps);
                        avail -= ps;
                    }
                    fw_fix_index(g, n);
                }
            }
        }
        memset(out + cap, 0xC7, 64);
        size_t os;
        emz_status st = emz_decompress(on, out, cap, g, n, &os);
        cr_assert(st != EMZ_OK || n == 36, "garbage #%d (%zu bytes) accepted", iter, n);
        st = emz_decompress(off, out, cap, g, n, &os);
        (void)st;
        uint64_t ro = tu_rand(&s) % 20000, rl = tu_rand(&s) % 5000;
        st = emz_decompress_range(off, out, cap, g, n, ro, rl);
        (void)st;
        for (size_t i = cap; i < cap + 64; i++)
            cr_assert(out[i] == 0xC7, "garbage #%d: write past capacity", iter);
        emz_frame_info info;
        (void)emz_frame_info_get(g, n, &info);
        free(g);
    }
    free(out);
    emz_dctx_free(on);
    emz_dctx_free(off);
}

Test(hostile, random_mutations_of_valid_frames, .timeout = 600) {
    uint64_t s = 999;
    emz_dctx *on = dctx_verify(1), *off = dctx_verify(0);
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        size_t n = NDATA + (size_t)k;
        uint8_t *data = tu_xmalloc(n);
        tu_fill_smooth(data, n, all_types[k], 500 + (uint64_t)k);
        for (size_t i = CHUNK; i < CHUNK + 1000; i++)
            data[i] = 0; /* some CONSTANT-friendly runs */
        size_t fsize;
        uint8_t *frame = library_frame(data, n, all_types[k], &fsize);
        uint8_t *f = tu_xmalloc(fsize), *out = tu_xmalloc(n + 64);
        fw_layout L = fw_parse(frame, fsize);
        for (int iter = 0; iter < 1500; iter++) {
            memcpy(f, frame, fsize);
            int muts = 1 + (int)(tu_rand(&s) % 8);
            for (int m = 0; m < muts; m++) {
                size_t at =
                    32 + (size_t)(tu_rand(&s) % (L.index_off - 32)); /* payload bytes only */
                if (tu_rand(&s) & 1)
                    f[at] ^= (uint8_t)(1u << (tu_rand(&s) % 8));
                else
                    f[at] = (uint8_t)tu_rand(&s);
            }
            memset(out + n, 0xC7, 64);
            size_t os;
            emz_status st = emz_decompress(on, out, n, f, fsize, &os);
            if (st == EMZ_OK)
                cr_assert(os == n && memcmp(out, data, n) == 0,
                          "mutated frame decoded to different data");
            char err[256];
            int ra = reader_accepts(f, fsize, err, sizeof err);
            cr_assert(ra == (st == EMZ_OK), "library says %s, the independent reader %s (%s)",
                      emz_error_name(st), ra ? "accepts" : "rejects", ra ? "" : err);
            st = emz_decompress(off, out, n, f, fsize, &os);
            (void)st;
            for (size_t i = n; i < n + 64; i++)
                cr_assert(out[i] == 0xC7, "write past capacity");
        }
        free(f);
        free(out);
        free(frame);
        free(data);
    }
    emz_dctx_free(on);
    emz_dctx_free(off);
}

/* ---- limits: the caller, not the file, bounds memory and output ---- */

/* A 60-byte frame of two 16 MiB chunks (constant data) asks for about 150 MiB of buffers a
 * thread: refused under a smaller EMZ_PARAM_MEMORY_LIMIT, decoded on fewer threads under a
 * limit that holds some; EMZ_PARAM_MAX_OUTPUT refuses what declares more, before allocating. */
Test(hostile, memory_and_output_limits) {
    size_t n = 20u << 20, fsize;
    uint8_t *data = calloc(1, n), *frame = tu_xmalloc(4096);
    cr_assert(data != NULL);
    emz_cctx *c = emz_cctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 16 << 20) == EMZ_OK);
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_MEMORY_LIMIT, 100 << 20) == EMZ_OK);
    cr_assert(emz_compress(c, frame, 4096, data, n, EMZ_TYPE_BF16, &fsize) == EMZ_ERROR_LIMIT,
              "encoding 16 MiB chunks under a 100 MiB limit");
    cr_assert(strstr(emz_cctx_error_detail(c), "memory limit is 100 MiB") != NULL, "%s",
              emz_cctx_error_detail(c));
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_MEMORY_LIMIT, 0) == EMZ_OK);
    cr_assert(emz_compress(c, frame, 4096, data, n, EMZ_TYPE_BF16, &fsize) == EMZ_OK);
    cr_assert(fsize < 100, "%zu bytes", fsize);
    emz_cctx_free(c);

    emz_dctx *d = emz_dctx_create();
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_MEMORY_LIMIT, -1) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_MAX_OUTPUT, -1) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_THREADS, 16) == EMZ_OK);
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_MEMORY_LIMIT, 64 << 20) == EMZ_OK);
    uint8_t *out = tu_xmalloc(n);
    size_t os;
    cr_assert(emz_decompress(d, out, n, frame, fsize, &os) == EMZ_ERROR_LIMIT);
    cr_assert(strstr(emz_dctx_error_detail(d), "16777216") != NULL, "%s", emz_dctx_error_detail(d));
    emz_reader *r = NULL;
    cr_assert(emz_reader_open_memory(d, frame, fsize, &r) == EMZ_OK, "opening needs no buffers");
    cr_assert(emz_reader_read(r, d, out, n, 0, n) == EMZ_ERROR_LIMIT);
    emz_reader_close(r);
    /* room for one thread of 16: decodes */
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_MEMORY_LIMIT, 200 << 20) == EMZ_OK);
    cr_assert(emz_decompress(d, out, n, frame, fsize, &os) == EMZ_OK && os == n);
    cr_assert(out[0] == 0 && out[n - 1] == 0);
    /* the declared size against EMZ_PARAM_MAX_OUTPUT */
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_MAX_OUTPUT, n - 1) == EMZ_OK);
    cr_assert(emz_decompress(d, out, n, frame, fsize, &os) == EMZ_ERROR_LIMIT);
    cr_assert(strstr(emz_dctx_error_detail(d), "declares 20971520 bytes") != NULL, "%s",
              emz_dctx_error_detail(d));
    uint8_t tmp[16];
    cr_assert(emz_decompress_range(d, tmp, 16, frame, fsize, 0, 16) == EMZ_ERROR_LIMIT);
    cr_assert(emz_reader_open_memory(d, frame, fsize, &r) == EMZ_ERROR_LIMIT && r == NULL);
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_MAX_OUTPUT, n) == EMZ_OK);
    cr_assert(emz_decompress(d, out, n, frame, fsize, &os) == EMZ_OK);
    cr_assert(strcmp(emz_error_name(EMZ_ERROR_LIMIT), "limit") == 0);
    emz_dctx_free(d);
    free(out), free(frame), free(data);
}
