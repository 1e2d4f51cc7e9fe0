/* test_roundtrip_synthetic.c - round trips of generated data through every type and chunk size. */
#include "test_util.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

Test(synthetic, empty_input) {
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type t = all_types[k];
        uint8_t dummy[1] = {0}, frame[64];
        size_t fsize = 0;
        emz_status st = emz_compress(NULL, frame, sizeof frame, dummy, 0, t, &fsize);
        cr_assert(st == EMZ_OK, "type %d: %s", (int)t, emz_error_name(st));
        /* header + index checksum, no chunks */
        cr_assert(fsize == 36, "empty frame is %zu bytes, expected 36", fsize);
        emz_frame_info info;
        cr_assert(emz_frame_info_get(frame, fsize, &info) == EMZ_OK);
        cr_assert(info.original_size == 0 && info.element_count == 0 && info.chunk_count == 0);
        size_t osize = 99;
        uint8_t out[1] = {0x5A};
        st = emz_decompress(NULL, out, 0, frame, fsize, &osize);
        cr_assert(st == EMZ_OK, "type %d: %s", (int)t, emz_error_name(st));
        cr_assert(osize == 0);
        cr_assert(out[0] == 0x5A, "decompress of an empty frame wrote a byte");
        cr_assert(emz_decompress_range(NULL, out, 0, frame, fsize, 0, 0) == EMZ_OK);
        cr_assert(emz_decompress_range(NULL, out, 1, frame, fsize, 0, 1) == EMZ_ERROR_RANGE);
        /* element API with 0 elements */
        st = emz_compress_elements(NULL, frame, sizeof frame, dummy, 0, t, &fsize);
        cr_assert(st == EMZ_OK && fsize == 36);
    }
}

Test(synthetic, one_element) {
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type t = all_types[k];
        uint8_t v[4] = {0x12, 0xC3, 0x7F, 0x80};
        size_t n = tu_elem_bytes(t);
        tu_roundtrip_chunk(v, n, t, 0);
        size_t fsize = 0;
        uint8_t frame[128], out[4];
        cr_assert(emz_compress_elements(NULL, frame, sizeof frame, v, 1, t, &fsize) == EMZ_OK);
        emz_frame_info info;
        cr_assert(emz_frame_info_get(frame, fsize, &info) == EMZ_OK);
        cr_assert(info.element_count == 1, "type %d: element_count %llu", (int)t,
                  (unsigned long long)info.element_count);
        cr_assert(info.original_size == n || (t == EMZ_TYPE_FP4_E2M1 && info.original_size == 1));
        size_t osize = 0;
        cr_assert(emz_decompress(NULL, out, sizeof out, frame, fsize, &osize) == EMZ_OK);
        cr_assert(osize == (t == EMZ_TYPE_FP4_E2M1 ? 1 : n) && memcmp(out, v, osize) == 0);
    }
}

Test(synthetic, every_length_0_to_300, .timeout = 120) {
    uint8_t buf[300];
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_cctx *c = emz_cctx_create();
        emz_dctx *d = emz_dctx_create();
        for (size_t n = 0; n <= 300; n++) {
            tu_fill_random(buf, n, 1000 + n);
            tu_roundtrip_ex(c, d, buf, n, all_types[k], 0, NULL);
            tu_fill_smooth(buf, n, all_types[k], 2000 + n);
            tu_roundtrip_ex(c, d, buf, n, all_types[k], 0, NULL);
            memset(buf, 0x3C, n);
            tu_roundtrip_ex(c, d, buf, n, all_types[k], 0, NULL);
        }
        emz_cctx_free(c);
        emz_dctx_free(d);
    }
}

Test(synthetic, chunk_boundaries, .timeout = 120) {
    size_t cap = 3 * 4096 + 16;
    uint8_t *buf = tu_xmalloc(cap);
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type t = all_types[k];
        long es = (long)tu_elem_bytes(t);
        emz_cctx *c = emz_cctx_create();
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 4096) == EMZ_OK);
        for (long chunks = 1; chunks <= 3; chunks++) {
            for (long d = -1; d <= 1; d++) {
                for (long tail = 0; tail < es; tail++) {
                    size_t n = (size_t)(chunks * 4096 + d * es + tail);
                    tu_fill_smooth(buf, n, t, (uint64_t)(n * 7 + k));
                    tu_roundtrip_ex(c, NULL, buf, n, t, 4096, NULL);
                    tu_fill_random(buf, n, (uint64_t)(n * 3 + k));
                    tu_roundtrip_ex(c, NULL, buf, n, t, 4096, NULL);
                }
            }
        }
        emz_cctx_free(c);
    }
    free(buf);
}

Test(synthetic, all_byte_patterns) {
    static const emz_type t8[] = {EMZ_TYPE_BYTES, EMZ_TYPE_FP8_E4M3, EMZ_TYPE_FP8_E5M2,
                                  EMZ_TYPE_FP4_E2M1};
    enum { REP = 64 };
    uint8_t *buf = tu_xmalloc(256 * REP);
    for (size_t i = 0; i < 256 * REP; i++)
        buf[i] = (uint8_t)(i * 167u + i / 256);
    for (unsigned k = 0; k < sizeof t8 / sizeof t8[0]; k++) {
        uint8_t seq[256];
        for (int i = 0; i < 256; i++)
            seq[i] = (uint8_t)i;
        tu_roundtrip_chunk(seq, 256, t8[k], 0);
        tu_roundtrip_chunk(seq, 256, t8[k], 4096);
        tu_roundtrip_chunk(buf, 256 * REP, t8[k], 4096);
        tu_roundtrip_chunk(buf, 256 * REP, t8[k], 0);
    }
    free(buf);
}

Test(synthetic, all_u16_patterns, .timeout = 120) {
    size_t n = 65536 * 2;
    uint8_t *buf = tu_xmalloc(n);
    for (uint32_t v = 0; v < 65536; v++)
        tu_put16(buf + 2 * v, (uint16_t)v);
    uint8_t *shuf = tu_xmalloc(n);
    for (uint32_t v = 0; v < 65536; v++)
        tu_put16(shuf + 2 * v, (uint16_t)(v * 40503u));
    static const emz_type t16[] = {EMZ_TYPE_BF16, EMZ_TYPE_FP16};
    for (int k = 0; k < 2; k++) {
        tu_roundtrip_chunk(buf, n, t16[k], 0);
        tu_roundtrip_chunk(buf, n, t16[k], 4096);
        tu_roundtrip_chunk(shuf, n, t16[k], 4096);
        tu_roundtrip_chunk(shuf, n, t16[k], 65536);
    }
    /* the other types must accept the same bytes */
    for (int k = 0; k < EMZ_TYPE_COUNT; k++)
        tu_roundtrip_chunk(shuf, n, all_types[k], 4096);
    free(buf);
    free(shuf);
}

Test(synthetic, fp32_special_values) {
    static const uint32_t mants[] = {0,        1,        2,        0x400000, 0x7FFFFF,
                                     0x2AAAAA, 0x555555, 0x000F0F, 0x7FFFFE};
    size_t nm = sizeof mants / sizeof mants[0];
    size_t count = 256 * nm * 2;
    uint8_t *buf = tu_xmalloc(count * 4 * 2);
    size_t i = 0;
    uint64_t s = 77;
    for (uint32_t sign = 0; sign < 2; sign++)
        for (uint32_t e = 0; e < 256; e++)
            for (size_t m = 0; m < nm; m++)
                tu_put32(buf + 4 * i++, sign << 31 | e << 23 | mants[m]);
    for (size_t j = 0; j < count; j++) /* random mantissas too */
        tu_put32(buf + 4 * i++, (uint32_t)(j & 511) << 23 | ((uint32_t)tu_rand(&s) & 0x7FFFFF));
    size_t n = 4 * i;
    tu_roundtrip_chunk(buf, n, EMZ_TYPE_FP32, 0);
    tu_roundtrip_chunk(buf, n, EMZ_TYPE_FP32, 4096);
    tu_roundtrip_chunk(buf, n - 1, EMZ_TYPE_FP32, 4096);
    tu_roundtrip_chunk(buf, n - 3, EMZ_TYPE_FP32, 4096);
    free(buf);
}

Test(synthetic, constant_data_is_tiny) {
    size_t n = MiB;
    uint8_t *buf = tu_xmalloc(n);
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type t = all_types[k];
        static const uint8_t pat[][4] = {{0, 0, 0, 0},
                                         {0x80, 0x3F, 0x80, 0x3F},
                                         {0x00, 0x3C, 0x00, 0x3C},
                                         {0x00, 0x00, 0x80, 0x3F},
                                         {0x38, 0x38, 0x38, 0x38},
                                         {0x3C, 0x3C, 0x3C, 0x3C},
                                         {0x77, 0x77, 0x77, 0x77}};
        for (int z = 0; z < 2; z++) {
            const uint8_t *p = z ? pat[k] : pat[0];
            for (size_t i = 0; i < n; i++)
                buf[i] = p[i % 4];
            size_t fsize = tu_roundtrip_chunk(buf, n, t, 0);
            cr_assert(fsize < n / 100, "constant 1 MiB of type %d compressed to %zu bytes", (int)t,
                      fsize);
        }
    }
    free(buf);
}

static bool one_byte_type(emz_type t) {
    return t == EMZ_TYPE_BYTES || t == EMZ_TYPE_FP8_E4M3 || t == EMZ_TYPE_FP8_E5M2;
}

/* Without EMZ_PARAM_CHUNK_SIZE each type gets its default chunk size (128 KiB for bytes and
 * FP8, 1 MiB for BF16 and FP32, 256 KiB for the rest); a size that is set applies to every
 * type. */
Test(synthetic, default_chunk_size_per_type) {
    size_t n = 2 * MiB; /* several chunks of every default size */
    uint8_t *buf = tu_xmalloc(n), *frame = tu_xmalloc(emz_compress_bound(n));
    tu_fill_random(buf, n, 7);
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type t = all_types[k];
        for (int set = 0; set < 2; set++) {
            emz_cctx *c = emz_cctx_create();
            cr_assert(c != NULL);
            if (set) cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 64 * KiB) == EMZ_OK);
            size_t fsize = 0;
            cr_assert(emz_compress(c, frame, emz_compress_bound(n), buf, n, t, &fsize) == EMZ_OK);
            emz_frame_info info;
            cr_assert(emz_frame_info_get(frame, fsize, &info) == EMZ_OK);
            uint64_t want = set                                        ? 64 * KiB
                            : one_byte_type(t)                         ? 128 * KiB
                            : t == EMZ_TYPE_BF16 || t == EMZ_TYPE_FP32 ? MiB
                                                                       : 256 * KiB;
            cr_assert(info.chunk_size == want, "type %d, chunk size %s: %llu, expected %llu",
                      (int)t, set ? "set" : "default", (unsigned long long)info.chunk_size,
                      (unsigned long long)want);
            emz_cctx_free(c);
        }
    }
    free(frame);
    free(buf);
}

Test(synthetic, random_data_respects_bound, .timeout = 120) {
    size_t n = MiB;
    uint8_t *buf = tu_xmalloc(n);
    tu_fill_random(buf, n, 42);
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        /* default: 128 KiB for the one-byte types (8 chunks), 1 MiB for BF16 and FP32 (1),
         * else 256 KiB (4 chunks) */
        size_t fsize = tu_roundtrip_chunk(buf, n, all_types[k], 0);
        bool mib = all_types[k] == EMZ_TYPE_BF16 || all_types[k] == EMZ_TYPE_FP32;
        size_t chunks = one_byte_type(all_types[k]) ? 8 : mib ? 1 : 4;
        cr_assert(fsize <= emz_compress_bound(n));
        cr_assert(fsize <= n + 36 + 13 * chunks, "type %d: random 1 MiB -> %zu bytes",
                  (int)all_types[k], fsize);
        fsize = tu_roundtrip_chunk(buf, n, all_types[k], 4096);
        cr_assert(fsize <= n + 36 + 13 * 256, "type %d: random 1 MiB chunk 4K -> %zu bytes",
                  (int)all_types[k], fsize);
        /* an odd size leaves a tail */
        fsize = tu_roundtrip_chunk(buf, n - 1, all_types[k], 0);
        cr_assert(fsize <= n - 1 + 36 + 13 * chunks);
    }
    free(buf);
}

Test(synthetic, compress_bound_values) {
    cr_assert(emz_compress_bound(0) == 36);
    cr_assert(emz_compress_bound(1) == 1 + 36 + 13);
    cr_assert(emz_compress_bound(4096) == 4096 + 36 + 13);
    cr_assert(emz_compress_bound(4097) == 4097 + 36 + 26);
    cr_assert(emz_compress_bound(MiB) == MiB + 36 + 13 * 256);
    cr_assert(emz_compress_bound(SIZE_MAX) == 0);
    cr_assert(emz_compress_bound(SIZE_MAX - 36) == 0);
}

Test(synthetic, misaligned_buffers, .timeout = 120) {
    size_t n = 3 * 4096 + 37;
    uint8_t *src0 = tu_xmalloc(n + 16), *frame0 = tu_xmalloc(emz_compress_bound(n) + 16),
            *out0 = tu_xmalloc(n + 16);
    uint8_t *ref = tu_xmalloc(n);
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type t = all_types[k];
        tu_fill_smooth(ref, n, t, 5 + (uint64_t)k);
        emz_cctx *c = emz_cctx_create();
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 4096) == EMZ_OK);
        for (int off = 0; off < 8; off++) {
            uint8_t *src = src0 + off, *frame = frame0 + (7 - off), *out = out0 + (off * 3) % 8;
            memcpy(src, ref, n);
            size_t fsize = 0, osize = 0;
            cr_assert(emz_compress(c, frame, emz_compress_bound(n), src, n, t, &fsize) == EMZ_OK);
            cr_assert(emz_decompress(NULL, out, n, frame, fsize, &osize) == EMZ_OK);
            cr_assert(osize == n && memcmp(out, ref, n) == 0, "type %d offset %d", (int)t, off);
            cr_assert(emz_decompress_range(NULL, out, n, frame, fsize, 4095, 4099) == EMZ_OK);
            cr_assert(memcmp(out, ref + 4095, 4099) == 0);
        }
        emz_cctx_free(c);
    }
    free(src0);
    free(frame0);
    free(out0);
    free(ref);
}

Test(synthetic, varied_chunk_sizes, .timeout = 120) {
    size_t n = 2 * MiB + 3 * 65536 + 1234;
    uint8_t *buf = tu_xmalloc(n);
    static const uint64_t cs[] = {4 * KiB, 64 * KiB, MiB, 8 * KiB, 16 * MiB};
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        tu_fill_smooth(buf, n, all_types[k], 99 + (uint64_t)k);
        for (unsigned j = 0; j < sizeof cs / sizeof cs[0]; j++)
            tu_roundtrip_chunk(buf, n, all_types[k], cs[j]);
    }
    free(buf);
}

Test(synthetic, fp4_odd_element_counts) {
    static const uint64_t counts[] = {1, 3, 301, 8191, 8193, 2 * 4096 * 2 + 1};
    uint8_t src[8200], frame[16384], out[8200];
    tu_fill_random(src, sizeof src, 3);
    for (unsigned j = 0; j < sizeof counts / sizeof counts[0]; j++) {
        uint64_t cnt = counts[j];
        size_t nbytes = (size_t)((cnt + 1) / 2);
        emz_cctx *c = emz_cctx_create();
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 4096) == EMZ_OK);
        size_t fsize = 0, osize = 0;
        emz_status st =
            emz_compress_elements(c, frame, sizeof frame, src, cnt, EMZ_TYPE_FP4_E2M1, &fsize);
        cr_assert(st == EMZ_OK, "count %llu: %s", (unsigned long long)cnt, emz_error_name(st));
        emz_frame_info info;
        cr_assert(emz_frame_info_get(frame, fsize, &info) == EMZ_OK);
        cr_assert(info.element_count == cnt, "element_count %llu != %llu",
                  (unsigned long long)info.element_count, (unsigned long long)cnt);
        cr_assert(info.original_size == nbytes);
        cr_assert(info.type == EMZ_TYPE_FP4_E2M1);
        memset(out, 0, sizeof out);
        cr_assert(emz_decompress(NULL, out, sizeof out, frame, fsize, &osize) == EMZ_OK);
        cr_assert(osize == nbytes);
        cr_assert(memcmp(out, src, nbytes) == 0,
                  "count %llu: bytes (incl. unused high nibble) differ", (unsigned long long)cnt);
        /* the same again with the unused nibble set to other values */
        for (unsigned hi = 0; hi < 16; hi += 5) {
            src[nbytes - 1] = (uint8_t)((src[nbytes - 1] & 0x0F) | hi << 4);
            cr_assert(emz_compress_elements(c, frame, sizeof frame, src, cnt, EMZ_TYPE_FP4_E2M1,
                                            &fsize) == EMZ_OK);
            cr_assert(emz_decompress(NULL, out, sizeof out, frame, fsize, &osize) == EMZ_OK);
            cr_assert(osize == nbytes && out[nbytes - 1] == src[nbytes - 1]);
        }
        emz_cctx_free(c);
    }
    /* elements of other types: byte size = count * element bytes */
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type t = all_types[k];
        if (t == EMZ_TYPE_FP4_E2M1) continue;
        size_t fsize = 0;
        cr_assert(emz_compress_elements(NULL, frame, sizeof frame, src, 301, t, &fsize) == EMZ_OK);
        emz_frame_info info;
        cr_assert(emz_frame_info_get(frame, fsize, &info) == EMZ_OK);
        cr_assert(info.element_count == 301 && info.original_size == 301 * tu_elem_bytes(t));
    }
    /* an even FP4 count via emz_compress matches emz_compress_elements */
    size_t f1 = 0, f2 = 0;
    uint8_t frame2[1024];
    cr_assert(emz_compress(NULL, frame, sizeof frame, src, 150, EMZ_TYPE_FP4_E2M1, &f1) == EMZ_OK);
    cr_assert(emz_compress_elements(NULL, frame2, sizeof frame2, src, 300, EMZ_TYPE_FP4_E2M1,
                                    &f2) == EMZ_OK);
    cr_assert(f1 == f2 && memcmp(frame, frame2, f1) == 0);
}

Test(synthetic, frame_info_fields) {
    size_t n = 10 * 4096 + 6;
    uint8_t *buf = tu_xmalloc(n);
    tu_fill_smooth(buf, n, EMZ_TYPE_FP32, 8);
    uint8_t *frame = NULL;
    emz_cctx *c = emz_cctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 8192) == EMZ_OK);
    size_t fsize = tu_roundtrip_ex(c, NULL, buf, n, EMZ_TYPE_FP32, 8192, &frame);
    emz_frame_info info;
    /* the header alone suffices */
    cr_assert(emz_frame_info_get(frame, EMZ_FRAME_HEADER_SIZE, &info) == EMZ_OK);
    cr_assert(info.type == EMZ_TYPE_FP32 && info.format_version == 3);
    cr_assert(info.original_size == n && info.element_count == n / 4);
    cr_assert(info.chunk_size == 8192 && info.chunk_count == 6);
    cr_assert(emz_frame_info_get(frame, EMZ_FRAME_HEADER_SIZE - 1, &info) != EMZ_OK);
    cr_assert(emz_frame_info_get(frame, 0, &info) != EMZ_OK);
    /* raw header layout per FORMAT.md */
    cr_assert(frame[0] == 0x89 && frame[1] == 'E' && frame[2] == 'M' && frame[3] == 'Z');
    cr_assert(frame[4] == 3 && frame[5] == 3 && frame[6] == 13 && frame[7] == 0);
    cr_assert(tu_get64(frame + 8) == n && tu_get64(frame + 16) == n / 4 &&
              tu_get32(frame + 24) == 0);
    /* index: payload sizes sum to the frame size minus header, index and index checksum */
    uint64_t sum = 0;
    const uint8_t *idx = frame + fsize - 4 - 8 * 6;
    for (int i = 0; i < 6; i++)
        sum += tu_get32(idx + 8 * i);
    cr_assert(sum == fsize - 36 - 48, "payload sizes sum to %llu", (unsigned long long)sum);
    emz_cctx_free(c);
    free(frame);
    free(buf);
}

Test(synthetic, decompress_range, .timeout = 120) {
    size_t n = 3 * 4096 + 2048 + 3;
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type t = all_types[k];
        uint8_t *buf = tu_xmalloc(n), *out = tu_xmalloc(n + 64), *frame = NULL;
        tu_fill_smooth(buf, n, t, 1234 + (uint64_t)k);
        emz_cctx *c = emz_cctx_create();
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 4096) == EMZ_OK);
        size_t fsize = tu_roundtrip_ex(c, NULL, buf, n, t, 4096, &frame);
        emz_dctx *d = emz_dctx_create();
        uint64_t s = 17;
        static const uint64_t fixed[][2] = {{0, 0},
                                            {0, 1},
                                            {4095, 2},
                                            {4096, 4096},
                                            {4095, 4098},
                                            {0, 3 * 4096 + 2051},
                                            {8191, 4099},
                                            {12287, 1},
                                            {12288, 2051},
                                            {3 * 4096 + 2050, 1},
                                            {3 * 4096 + 2051, 0},
                                            {100, 0},
                                            {1, 3 * 4096 + 2050}};
        for (unsigned j = 0; j < sizeof fixed / sizeof fixed[0] + 300; j++) {
            uint64_t off, len;
            if (j < sizeof fixed / sizeof fixed[0]) {
                off = fixed[j][0];
                len = fixed[j][1];
            } else {
                off = tu_rand(&s) % (n + 1);
                len = tu_rand(&s) % (n - off + 1);
                if (j % 3 == 0) len %= 64;
            }
            memset(out, 0xCD, n + 64);
            emz_status st =
                emz_decompress_range(j & 1 ? d : NULL, out, len, frame, fsize, off, len);
            cr_assert(st == EMZ_OK, "type %d range [%llu,+%llu): %s", (int)t,
                      (unsigned long long)off, (unsigned long long)len, emz_error_name(st));
            if (len)
                cr_assert(memcmp(out, buf + off, len) == 0, "range [%llu,+%llu) differs",
                          (unsigned long long)off, (unsigned long long)len);
            for (size_t i = len; i < len + 64; i++)
                cr_assert(out[i] == 0xCD, "range wrote past length");
        }
        /* out of range */
        cr_assert(emz_decompress_range(d, out, n + 64, frame, fsize, 0, n + 1) == EMZ_ERROR_RANGE);
        cr_assert(emz_decompress_range(d, out, n + 64, frame, fsize, n, 1) == EMZ_ERROR_RANGE);
        cr_assert(emz_decompress_range(d, out, n + 64, frame, fsize, n + 1, 0) == EMZ_ERROR_RANGE);
        cr_assert(emz_decompress_range(d, out, n + 64, frame, fsize, 5, n) == EMZ_ERROR_RANGE);
        cr_assert(emz_decompress_range(d, out, n + 64, frame, fsize, UINT64_MAX, 2) ==
                  EMZ_ERROR_RANGE);
        cr_assert(emz_decompress_range(d, out, n + 64, frame, fsize, 2, UINT64_MAX) ==
                  EMZ_ERROR_RANGE);
        cr_assert(emz_decompress_range(d, out, n + 64, frame, fsize, UINT64_MAX, UINT64_MAX) ==
                  EMZ_ERROR_RANGE);
        /* too-small destination */
        emz_status st = emz_decompress_range(d, out, 99, frame, fsize, 10, 100);
        cr_assert(st == EMZ_ERROR_DST_TOO_SMALL, "range into short dst: %s", emz_error_name(st));
        emz_cctx_free(c);
        emz_dctx_free(d);
        free(frame);
        free(buf);
        free(out);
    }
}

Test(synthetic, dst_capacity_exact) {
    size_t n = 2 * 4096 + 100;
    uint8_t *buf = tu_xmalloc(n), *frame = NULL, *out = tu_xmalloc(n + 32);
    tu_fill_smooth(buf, n, EMZ_TYPE_BF16, 55);
    emz_cctx *c = emz_cctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 4096) == EMZ_OK);
    size_t fsize = tu_roundtrip_ex(c, NULL, buf, n, EMZ_TYPE_BF16, 4096, &frame);
    size_t osize = 0;
    cr_assert(emz_decompress(NULL, out, n, frame, fsize, &osize) == EMZ_OK && osize == n);
    memset(out, 0x11, n + 32);
    emz_status st = emz_decompress(NULL, out, n - 1, frame, fsize, &osize);
    cr_assert(st == EMZ_ERROR_DST_TOO_SMALL, "capacity n-1: %s", emz_error_name(st));
    for (size_t i = 0; i < n + 32; i++)
        cr_assert(out[i] == 0x11, "DST_TOO_SMALL must write nothing");
    cr_assert(emz_decompress(NULL, out, 0, frame, fsize, &osize) == EMZ_ERROR_DST_TOO_SMALL);
    cr_assert(emz_decompress(NULL, NULL, 0, frame, fsize, &osize) != EMZ_OK);

    /* compression into too-small buffers: error, no write past capacity */
    size_t cap_total = fsize + 64;
    uint8_t *dst = tu_xmalloc(cap_total);
    for (size_t cap = 0; cap < fsize; cap += (cap < 64 || cap + 64 > fsize) ? 1 : 97) {
        memset(dst, 0xA5, cap_total);
        size_t got = 777;
        st = emz_compress(c, dst, cap, buf, n, EMZ_TYPE_BF16, &got);
        cr_assert(st == EMZ_ERROR_DST_TOO_SMALL, "capacity %zu of %zu: %s", cap, fsize,
                  emz_error_name(st));
        for (size_t i = cap; i < cap_total; i++)
            cr_assert(dst[i] == 0xA5, "compress with capacity %zu wrote byte %zu", cap, i);
    }
    /* exactly the frame size suffices */
    size_t got = 0;
    cr_assert(emz_compress(c, dst, fsize, buf, n, EMZ_TYPE_BF16, &got) == EMZ_OK);
    cr_assert(got == fsize && memcmp(dst, frame, fsize) == 0);
    emz_cctx_free(c);
    free(dst);
    free(frame);
    free(buf);
    free(out);
}

Test(synthetic, api_argument_errors) {
    uint8_t src[64] = {1, 2, 3}, dst[256];
    size_t ds = 0;
    emz_frame_info info;
    cr_assert(emz_compress(NULL, NULL, sizeof dst, src, sizeof src, EMZ_TYPE_BF16, &ds) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_compress(NULL, dst, sizeof dst, NULL, sizeof src, EMZ_TYPE_BF16, &ds) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_compress(NULL, dst, sizeof dst, src, sizeof src, EMZ_TYPE_BF16, NULL) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_compress(NULL, dst, sizeof dst, src, sizeof src, (emz_type)99, &ds) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_compress(NULL, dst, sizeof dst, src, sizeof src, (emz_type)7, &ds) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_compress(NULL, dst, sizeof dst, src, sizeof src, (emz_type)-1, &ds) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_compress_elements(NULL, dst, sizeof dst, src, 3, (emz_type)99, &ds) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_compress_elements(NULL, dst, sizeof dst, NULL, 3, EMZ_TYPE_FP16, &ds) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_compress_elements(NULL, dst, sizeof dst, src, 3, EMZ_TYPE_FP16, NULL) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    /* element counts whose byte size overflows */
    emz_status st =
        emz_compress_elements(NULL, dst, sizeof dst, src, UINT64_MAX, EMZ_TYPE_FP32, &ds);
    cr_assert(st != EMZ_OK, "UINT64_MAX FP32 elements accepted");
    st = emz_compress_elements(NULL, dst, sizeof dst, src, UINT64_MAX / 2, EMZ_TYPE_BF16, &ds);
    cr_assert(st != EMZ_OK);

    emz_cctx *c = emz_cctx_create();
    cr_assert(c != NULL);
    static const int64_t bad_chunks[] = {0,
                                         -1,
                                         1,
                                         1000,
                                         2048,
                                         4095,
                                         4097,
                                         3 * 4096,
                                         (int64_t)1 << 25,
                                         ((int64_t)1 << 24) + 4096,
                                         INT64_MAX,
                                         INT64_MIN,
                                         (int64_t)1 << 32};
    for (unsigned i = 0; i < sizeof bad_chunks / sizeof bad_chunks[0]; i++)
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, bad_chunks[i]) ==
                      EMZ_ERROR_INVALID_ARGUMENT,
                  "chunk size %lld accepted", (long long)bad_chunks[i]);
    for (int l = 12; l <= 24; l++)
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, (int64_t)1 << l) == EMZ_OK);
    cr_assert(emz_cctx_set_param(c, (emz_param)99, 1) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_cctx_set_param(c, (emz_param)0, 1) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_cctx_set_param(NULL, EMZ_PARAM_CHUNK_SIZE, 4096) == EMZ_ERROR_INVALID_ARGUMENT);
    /* a rejected value leaves the previous one in force */
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 8192) == EMZ_OK);
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 1000) != EMZ_OK);
    uint8_t big[20000] = {0};
    uint8_t bigdst[21000];
    cr_assert(emz_compress(c, bigdst, sizeof bigdst, big, sizeof big, EMZ_TYPE_BYTES, &ds) ==
              EMZ_OK);
    cr_assert(emz_frame_info_get(bigdst, ds, &info) == EMZ_OK && info.chunk_size == 8192);
    emz_cctx_free(c);
    emz_cctx_free(NULL);

    emz_dctx *d = emz_dctx_create();
    cr_assert(d != NULL);
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_VERIFY_CHECKSUM, 0) == EMZ_OK);
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_VERIFY_CHECKSUM, 1) == EMZ_OK);
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_CHUNK_SIZE, 4096) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_dctx_set_param(d, (emz_param)99, 1) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_dctx_set_param(NULL, EMZ_PARAM_VERIFY_CHECKSUM, 1) == EMZ_ERROR_INVALID_ARGUMENT);

    /* decompression arguments */
    cr_assert(emz_compress(NULL, dst, sizeof dst, src, sizeof src, EMZ_TYPE_BF16, &ds) == EMZ_OK);
    uint8_t out[64];
    size_t os = 0;
    cr_assert(emz_decompress(d, out, sizeof out, NULL, ds, &os) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_decompress(d, NULL, sizeof out, dst, ds, &os) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_decompress(d, out, sizeof out, dst, ds, NULL) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_decompress_range(d, out, sizeof out, NULL, ds, 0, 1) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_decompress_range(d, NULL, sizeof out, dst, ds, 0, 1) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_frame_info_get(NULL, ds, &info) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_frame_info_get(dst, ds, NULL) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_decompress(d, out, sizeof out, dst, ds, &os) == EMZ_OK && os == sizeof src);
    emz_dctx_free(d);
    emz_dctx_free(NULL);

    emz_type t;
    cr_assert(emz_type_from_name(NULL, &t) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_type_from_name("bf16", NULL) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_type_from_name("nope", &t) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_type_from_name("", &t) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_type_from_name("bf16x", &t) == EMZ_ERROR_INVALID_ARGUMENT);
}

Test(synthetic, error_and_type_names) {
    for (int s = -3; s < 40; s++) {
        const char *a = emz_error_name((emz_status)s), *b = emz_error_message((emz_status)s);
        cr_assert(a != NULL && b != NULL, "status %d", s);
        cr_assert(a[0] != 0 && b[0] != 0, "status %d has an empty name/message", s);
    }
    cr_assert(emz_error_name((emz_status)1000000) != NULL &&
              emz_error_message((emz_status)1000000) != NULL);
    /* known statuses have distinct names */
    for (int s = 0; s <= 9; s++)
        for (int r = s + 1; r <= 9; r++)
            cr_assert(strcmp(emz_error_name((emz_status)s), emz_error_name((emz_status)r)) != 0);
    cr_assert_str_eq(emz_error_name(EMZ_ERROR_CORRUPT), "corrupt");
    cr_assert_str_eq(emz_version_string(), EMZ_VERSION_STRING);

    static const char *names[] = {"bytes", "bf16", "fp16", "fp32", "e4m3", "e5m2", "fp4"};
    static const unsigned bits[] = {8, 16, 16, 32, 8, 8, 4};
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        const char *nm = emz_type_name(all_types[k]);
        cr_assert(nm != NULL);
        cr_assert_str_eq(nm, names[k]);
        emz_type t = (emz_type)99;
        cr_assert(emz_type_from_name(nm, &t) == EMZ_OK && t == all_types[k], "%s", nm);
        cr_assert(emz_type_bits(all_types[k]) == bits[k]);
    }
    cr_assert(emz_type_name((emz_type)7) == NULL && emz_type_name((emz_type)99) == NULL);
    cr_assert(emz_type_name((emz_type)-1) == NULL);
    cr_assert(emz_type_bits((emz_type)99) == 0 && emz_type_bits((emz_type)7) == 0);
    static const struct {
        const char *n;
        emz_type t;
    } st[] = {
        {"BF16", EMZ_TYPE_BF16},        {"bf16", EMZ_TYPE_BF16},
        {"F16", EMZ_TYPE_FP16},         {"f16", EMZ_TYPE_FP16},
        {"F32", EMZ_TYPE_FP32},         {"F8_E4M3", EMZ_TYPE_FP8_E4M3},
        {"f8_e4m3", EMZ_TYPE_FP8_E4M3}, {"F8_E5M2", EMZ_TYPE_FP8_E5M2},
        {"U8", EMZ_TYPE_BYTES},         {"u8", EMZ_TYPE_BYTES},
    };
    for (unsigned i = 0; i < sizeof st / sizeof st[0]; i++) {
        emz_type t = (emz_type)99;
        cr_assert(emz_type_from_name(st[i].n, &t) == EMZ_OK && t == st[i].t, "name %s", st[i].n);
    }
}

Test(synthetic, deterministic_output) {
    size_t n = 300000 + 7;
    uint8_t *a = tu_xmalloc(n), *other = tu_xmalloc(n);
    tu_fill_smooth(a, n, EMZ_TYPE_BF16, 31);
    tu_fill_random(other, n, 32);
    size_t cap = emz_compress_bound(n);
    uint8_t *f1 = tu_xmalloc(cap), *f2 = tu_xmalloc(cap), *f3 = tu_xmalloc(cap);
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type t = all_types[k];
        emz_cctx *c = emz_cctx_create();
        size_t s1, s2, s3, s4;
        cr_assert(emz_compress(c, f1, cap, a, n, t, &s1) == EMZ_OK);
        cr_assert(emz_compress(c, f3, cap, other, n, t, &s3) == EMZ_OK);
        cr_assert(emz_compress(c, f2, cap, a, n, t, &s2) == EMZ_OK);
        cr_assert(s1 == s2 && memcmp(f1, f2, s1) == 0, "type %d: reused context changed output",
                  (int)t);
        cr_assert(emz_compress(NULL, f2, cap, a, n, t, &s4) == EMZ_OK);
        cr_assert(s1 == s4 && memcmp(f1, f2, s1) == 0, "type %d: NULL context differs", (int)t);
        /* with a non-default chunk size, reuse is deterministic too */
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 4096) == EMZ_OK);
        cr_assert(emz_compress(c, f1, cap, a, n, t, &s1) == EMZ_OK);
        cr_assert(emz_compress(c, f3, cap, other, n / 3, t, &s3) == EMZ_OK);
        cr_assert(emz_compress(c, f2, cap, a, n, t, &s2) == EMZ_OK);
        cr_assert(s1 == s2 && memcmp(f1, f2, s1) == 0);
        emz_cctx_free(c);
    }
    free(a);
    free(other);
    free(f1);
    free(f2);
    free(f3);
}
