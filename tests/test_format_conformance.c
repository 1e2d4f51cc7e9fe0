/* test_format_conformance.c - the library's frames decoded by the independent strict reader
 * (frame_reader.h), so encoder and decoder cannot share a misreading of docs/FORMAT.md. */
#include "frame_reader.h"
#include "test_corpus.h"

static unsigned modes_total[3], layouts_total[4];

static void check_frame_of(const uint8_t *src, size_t n, emz_type type, int64_t chunk,
                           int odd_fp4) {
    emz_cctx *c = emz_cctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, chunk) == EMZ_OK);
    size_t cap = emz_compress_bound(n), fsize;
    uint8_t *frame = tu_xmalloc(cap);
    emz_status st =
        odd_fp4 ? emz_compress_elements(c, frame, cap, src, 2 * (uint64_t)n - 1, type, &fsize)
                : emz_compress(c, frame, cap, src, n, type, &fsize);
    cr_assert(st == EMZ_OK, "%s", emz_error_name(st));
    uint8_t *out = NULL;
    size_t on = 0;
    char err[256] = "";
    int ok =
        fr_decode_layouts(frame, fsize, &out, &on, err, sizeof err, modes_total, layouts_total);
    cr_assert(ok,
              "type %s size %zu chunk %lld: the independent reader rejects the library's frame: %s",
              emz_type_name(type), n, (long long)chunk, err);
    cr_assert(on == n && (n == 0 || memcmp(out, src, n) == 0),
              "type %s size %zu: independent decode differs", emz_type_name(type), n);
    emz_frame_info info;
    cr_assert(emz_frame_info_get(frame, fsize, &info) == EMZ_OK);
    if (odd_fp4) cr_assert(info.element_count == 2 * (uint64_t)n - 1);
    free(out);
    free(frame);
    emz_cctx_free(c);
}

Test(conformance, synthetic_frames_follow_the_spec, .timeout = 600) {
    static const size_t sizes[] = {0,     1,     2, 3, 5, 17, 300, 4095, 4096, 4097, 3 * 4096 + 3,
                                   70000, 300001};
    static const int64_t chunks[] = {4096, 65536, 262144};
    size_t maxn = 300001;
    uint8_t *buf = tu_xmalloc(maxn);
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type t = all_types[k];
        for (unsigned si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            size_t n = sizes[si];
            for (int kind = 0; kind < 4; kind++) {
                switch (kind) {
                case 0:
                    tu_fill_smooth(buf, n, t, n + 1);
                    break;
                case 1:
                    tu_fill_random(buf, n, n + 2);
                    break;
                case 2:
                    memset(buf, 0x3C, n);
                    break;
                case 3: /* smooth with constant and random stretches */
                    tu_fill_smooth(buf, n, t, n + 3);
                    if (n > 9000) {
                        memset(buf + 100, 0, 4500);
                        tu_fill_random(buf + 5000, 4000, 7);
                    }
                    break;
                }
                for (unsigned ci = 0; ci < 3; ci++) {
                    if (n > 100000 && chunks[ci] == 4096 && kind != 0) continue;
                    check_frame_of(buf, n, t, chunks[ci], 0);
                }
                if (t == EMZ_TYPE_FP4_E2M1 && n) check_frame_of(buf, n, t, 4096, 1);
            }
        }
    }
    free(buf);
    cr_log_info("stream modes seen: RAW %u, CONSTANT %u, HUFFMAN %u", modes_total[0],
                modes_total[1], modes_total[2]);
    cr_assert(modes_total[0] && modes_total[1] && modes_total[2],
              "not every stream mode was exercised");
    cr_log_info("chunk layouts seen: SPLIT %u, SPLIT with planes %u, WHOLE %u, BYTES %u",
                layouts_total[0], layouts_total[1], layouts_total[2], layouts_total[3]);
    for (unsigned l = 0; l < 4; l++)
        cr_assert(layouts_total[l],
                  "chunk layout %u (of SPLIT, planes, WHOLE, BYTES) never written", l);
    cr_log_info("code tables seen: nibble form %u, compact form %u, sparse form %u",
                fr_forms_seen[0], fr_forms_seen[1], fr_forms_seen[2]);
    cr_assert(fr_forms_seen[0] && fr_forms_seen[1] && fr_forms_seen[2],
              "a code table form was never written");
}

/* All 2^16 u16 patterns and all bytes, as in the round-trip tests. */
Test(conformance, all_patterns_follow_the_spec, .timeout = 300) {
    uint8_t *buf = tu_xmalloc(2 * 65536);
    for (uint32_t v = 0; v < 65536; v++)
        tu_put16(buf + 2 * v, (uint16_t)(v * 40503u));
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        check_frame_of(buf, 2 * 65536, all_types[k], 4096, 0);
        check_frame_of(buf, 2 * 65536, all_types[k], 1 << 17, 0);
    }
    free(buf);
}

/* The first 1 MiB of each corpus file, with the type its name says. */
Test(conformance, corpus_frames_follow_the_spec, .timeout = 600) {
    static const struct {
        const char *tag;
        emz_type t;
    } kinds[] = {
        {".bf16.", EMZ_TYPE_BF16},     {".f16.", EMZ_TYPE_FP16},
        {".f32.", EMZ_TYPE_FP32},      {".e4m3.", EMZ_TYPE_FP8_E4M3},
        {".e5m2.", EMZ_TYPE_FP8_E5M2}, {".mxfp4.", EMZ_TYPE_FP4_E2M1},
    };
    enum { KINDS = sizeof kinds / sizeof kinds[0] };
    tc_corpora corpora = tc_corpora_get();
    uint8_t *buf = tu_xmalloc(1 << 20);
    unsigned forms_before[2] = {fr_forms_seen[0], fr_forms_seen[1]};
    for (size_t c = 0; c < corpora.n; c++) {
        size_t nfiles;
        char **files = tc_files_of(&corpora.c[c], &nfiles);
        bool seen[KINDS] = {false};
        for (size_t i = 0; i < nfiles; i++) {
            unsigned k = 0;
            while (k < KINDS && !strstr(files[i], kinds[k].tag))
                k++;
            cr_assert(k < KINDS, "%s: the name does not say the type", files[i]);
            FILE *f = fopen(files[i], "rb");
            cr_assert(f != NULL, "cannot open %s", files[i]);
            size_t n = fread(buf, 1, 1 << 20, f);
            fclose(f);
            check_frame_of(buf, n, kinds[k].t, 65536, 0);
            check_frame_of(buf, n, kinds[k].t, 4096, 0);
            seen[k] = true;
        }
        tc_free_files(files, nfiles);
        for (unsigned k = 0; k < KINDS; k++)
            cr_assert(seen[k], "%s has no %ssafetensors file", corpora.c[c].dir, kinds[k].tag);
    }
    cr_log_info("corpus code tables: nibble form %u, compact form %u",
                fr_forms_seen[0] - forms_before[0], fr_forms_seen[1] - forms_before[1]);
    if (corpora.n)
        cr_assert(fr_forms_seen[0] > forms_before[0] && fr_forms_seen[1] > forms_before[1],
                  "both code table forms in the corpus frames");
    free(buf);
}
