/* test_format_versions.c - every format version this library has written still decodes: the
 * committed files of tests/data/v1 to v4 (MANIFEST: file, original, SHA-256 of the original)
 * restore their originals with every implementation, and a version this library does not know is
 * refused as such. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emzip.h"
#include "frame_reader.h"
#include "test_util.h"

typedef struct {
    uint8_t *data;
    size_t size;
} blob;

static blob read_blob(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    blob b = {NULL, 0};
    cr_assert(fseek(f, 0, SEEK_END) == 0);
    long size = ftell(f);
    cr_assert(size >= 0 && fseek(f, 0, SEEK_SET) == 0);
    b.size = (size_t)size;
    b.data = tu_xmalloc(b.size + 1);
    cr_assert(fread(b.data, 1, b.size, f) == b.size, "cannot read %s", path);
    fclose(f);
    return b;
}

static const char *sample_dir(void) {
    const char *dir = getenv("EMZIP_TEST_SAMPLE");
    cr_assert(dir != NULL && dir[0], "EMZIP_TEST_SAMPLE (tests/data) is not set");
    return dir;
}

typedef struct {
    char file[128], original[128];
} entry;

/* The MANIFEST lines of tests/data/VERSION_DIR. */
static size_t manifest(const char *version_dir, entry *e, size_t cap) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", sample_dir(), version_dir);
    blob m = read_blob(dir, "MANIFEST");
    m.data[m.size] = 0;
    size_t n = 0;
    char hash[65];
    for (char *line = strtok((char *)m.data, "\n"); line && n < cap; line = strtok(NULL, "\n"))
        if (sscanf(line, "%127s %127s %64s", e[n].file, e[n].original, hash) == 3) n++;
    free(m.data);
    cr_assert(n > 0, "%s/MANIFEST lists no files", dir);
    return n;
}

/* Decodes every file of the version's MANIFEST with every implementation this CPU runs, through
 * the reader (frames and containers alike) and, for bare frames, emz_decompress. */
static void decode_all(const char *version_dir, unsigned version_byte) {
    entry e[64];
    size_t n = manifest(version_dir, e, 64);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", sample_dir(), version_dir);
    emz_dctx *d = emz_dctx_create();
    for (size_t i = 0; i < n; i++) {
        blob c = read_blob(dir, e[i].file), want = read_blob(sample_dir(), e[i].original);
        cr_assert(c.size > 5 && c.data[4] == version_byte, "%s: not a version %u file", e[i].file,
                  version_byte);
        uint8_t *out = tu_xmalloc(want.size + 1);
        for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
            if (!emz_impl_available((emz_impl)impl)) continue;
            cr_assert(emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl) == EMZ_OK);
            emz_reader *r = NULL;
            emz_status st = emz_reader_open_memory(d, c.data, c.size, &r);
            cr_assert(st == EMZ_OK, "%s: %s", e[i].file, emz_error_message(st));
            st = emz_reader_read(r, d, out, want.size, 0, want.size);
            cr_assert(st == EMZ_OK, "%s (%s): %s %s", e[i].file, emz_impl_name((emz_impl)impl),
                      emz_error_message(st), emz_dctx_error_detail(d));
            cr_assert(memcmp(out, want.data, want.size) == 0, "%s (%s) does not restore %s",
                      e[i].file, emz_impl_name((emz_impl)impl), e[i].original);
            emz_reader_close(r);
            size_t got = 0;
            if (c.data[3] == 'Z') {
                st = emz_decompress(d, out, want.size, c.data, c.size, &got);
                cr_assert(st == EMZ_OK && got == want.size &&
                              memcmp(out, want.data, want.size) == 0,
                          "%s: emz_decompress", e[i].file);
            }
        }
        free(out), free(c.data), free(want.data);
    }
    emz_dctx_free(d);
}

Test(format_versions, version_1_files_decode) {
    decode_all("v1", 1);
}

Test(format_versions, version_2_files_decode) {
    decode_all("v2", 2);
}

Test(format_versions, version_3_files_decode) {
    decode_all("v3", 3);
}

Test(format_versions, version_4_files_decode) {
    decode_all("v4", 4);
}

/* Delta containers (versions 4 and 5): each file of tests/data/delta-vN/MANIFEST (container,
 * the checkpoint it restores, its base in the sample) decodes against its base with every
 * implementation, and refuses to decode without it. */
static void decode_deltas(unsigned version) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/delta-v%u", sample_dir(), version);
    blob m = read_blob(dir, "MANIFEST");
    m.data[m.size] = 0;
    emz_dctx *d = emz_dctx_create();
    unsigned files = 0;
    char file[128], original[128], base_name[128], hash[65];
    for (char *line = strtok((char *)m.data, "\n"); line; line = strtok(NULL, "\n")) {
        if (sscanf(line, "%127s %127s %127s %64s", file, original, base_name, hash) != 4) continue;
        blob c = read_blob(dir, file), want = read_blob(dir, original);
        blob base = read_blob(sample_dir(), base_name);
        cr_assert(c.size > 5 && c.data[4] == version, "%s: not a version %u container", file,
                  version);
        uint8_t *out = tu_xmalloc(want.size + 1);
        for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
            if (!emz_impl_available((emz_impl)impl)) continue;
            cr_assert(emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl) == EMZ_OK);
            emz_reader *r = NULL;
            cr_assert(emz_reader_open_memory(d, c.data, c.size, &r) == EMZ_OK, "%s", file);
            cr_assert(emz_reader_read(r, d, out, want.size, 0, want.size) == EMZ_ERROR_WRONG_BASE,
                      "%s without its base", file);
            cr_assert(emz_reader_set_base_memory(r, base.data, base.size) == EMZ_OK);
            emz_status st = emz_reader_read(r, d, out, want.size, 0, want.size);
            cr_assert(st == EMZ_OK, "%s (%s): %s %s", file, emz_impl_name((emz_impl)impl),
                      emz_error_message(st), emz_dctx_error_detail(d));
            cr_assert(memcmp(out, want.data, want.size) == 0, "%s (%s) does not restore %s", file,
                      emz_impl_name((emz_impl)impl), original);
            emz_reader_close(r);
        }
        free(out), free(c.data), free(want.data), free(base.data);
        files++;
    }
    cr_assert(files >= 2, "delta-v%u/MANIFEST lists %u files", version, files);
    free(m.data);
    emz_dctx_free(d);
}

Test(format_versions, delta_containers_version_4_decode_against_their_base) {
    decode_deltas(4);
}

/* Version 5: their difference chunks are LOW (tests/data/delta-v5/README.md). */
Test(format_versions, delta_containers_version_5_decode_against_their_base) {
    decode_deltas(5);
}

/* The bare frames of a version's files, read by the independent test decoder (written from
 * docs/FORMAT.md), restore their originals; counts of the stream modes, layouts and table forms
 * they use go to the caller. */
static unsigned decode_frames_independently(const char *version_dir, unsigned modes[3],
                                            unsigned layouts[4], unsigned forms[2]) {
    entry e[64];
    size_t n = manifest(version_dir, e, 64);
    char dir[4096], err[256];
    snprintf(dir, sizeof dir, "%s/%s", sample_dir(), version_dir);
    unsigned frames = 0;
    memset(fr_forms_seen, 0, sizeof fr_forms_seen);
    for (size_t i = 0; i < n; i++) {
        blob c = read_blob(dir, e[i].file);
        if (c.data[3] == 'Z') {
            blob want = read_blob(sample_dir(), e[i].original);
            uint8_t *out = NULL;
            size_t out_n = 0;
            cr_assert(
                fr_decode_layouts(c.data, c.size, &out, &out_n, err, sizeof err, modes, layouts),
                "%s: %s", e[i].file, err);
            cr_assert(out_n == want.size && memcmp(out, want.data, out_n) == 0, "%s", e[i].file);
            frames++;
            free(out), free(want.data);
        }
        free(c.data);
    }
    forms[0] = fr_forms_seen[0], forms[1] = fr_forms_seen[1];
    return frames;
}

/* The v1 files hold what their README promises: every stream mode, in frames that the
 * independent test decoder also reads back to the original. */
Test(format_versions, version_1_files_cover_every_mode) {
    unsigned modes[3] = {0, 0, 0}, layouts[4] = {0, 0, 0, 0}, forms[2];
    unsigned frames = decode_frames_independently("v1", modes, layouts, forms);
    cr_assert(frames >= 5, "only %u bare frames", frames);
    cr_assert(modes[0] && modes[1] && modes[2], "modes seen: RAW %u, CONSTANT %u, HUFFMAN %u",
              modes[0], modes[1], modes[2]);
}

/* The v2 files hold every layout, stream mode and table form of version 2. */
Test(format_versions, version_2_files_cover_every_layout_mode_and_table_form) {
    unsigned modes[3] = {0, 0, 0}, layouts[4] = {0, 0, 0, 0}, forms[2];
    unsigned frames = decode_frames_independently("v2", modes, layouts, forms);
    cr_assert(frames >= 8, "only %u bare frames", frames);
    cr_assert(modes[0] && modes[1] && modes[2], "modes seen: RAW %u, CONSTANT %u, HUFFMAN %u",
              modes[0], modes[1], modes[2]);
    for (unsigned l = 0; l < 4; l++)
        cr_assert(layouts[l], "layout %u (SPLIT, SPLIT with planes, WHOLE, BYTES) not seen", l);
    cr_assert(forms[0] && forms[1], "table forms seen: nibble %u, compact %u", forms[0], forms[1]);
}

/* The v3 and v4 bare frames read back with the independent decoder too; v4's are streamed
 * (flags 2, sizes in the footer). */
Test(format_versions, version_3_and_4_frames_decode_independently) {
    unsigned modes[3] = {0, 0, 0}, layouts[4] = {0, 0, 0, 0}, forms[2];
    cr_assert(decode_frames_independently("v3", modes, layouts, forms) >= 6);
    cr_assert(layouts[2] && layouts[3], "WHOLE %u, BYTES %u", layouts[2], layouts[3]);
    cr_assert(decode_frames_independently("v4", modes, layouts, forms) == 2);
    entry e[8];
    size_t n = manifest("v4", e, 8);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/v4", sample_dir());
    for (size_t i = 0; i < n; i++) {
        blob c = read_blob(dir, e[i].file);
        cr_assert(c.data[7] == 2 && tu_get64(c.data + 8) == 0, "%s is not streamed", e[i].file);
        free(c.data);
    }
}

/* A version byte this library does not know, under a valid header checksum: refused as an
 * unsupported version, for frames and containers alike. */
Test(format_versions, unknown_versions_are_refused) {
    entry e[64];
    size_t n = manifest("v1", e, 64);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/v1", sample_dir());
    unsigned kinds = 0;
    for (size_t i = 0; i < n; i++) {
        blob c = read_blob(dir, e[i].file);
        for (unsigned version = 0; version < 256; version += 51) {
            if (version >= 1 && version <= 4) continue;
            c.data[4] = (uint8_t)version;
            uint32_t sum = fw_checksum32(c.data, 28);
            memcpy(c.data + 28, &sum, 4); /* little-endian hosts only: the suite's hosts */
            emz_reader *r = NULL;
            emz_status st = emz_reader_open_memory(NULL, c.data, c.size, &r);
            cr_assert(st == EMZ_ERROR_UNSUPPORTED_VERSION, "%s as version %u: %s", e[i].file,
                      version, emz_error_name(st));
            emz_frame_info info;
            if (c.data[3] == 'Z')
                cr_assert(emz_frame_info_get(c.data, c.size, &info) ==
                          EMZ_ERROR_UNSUPPORTED_VERSION);
        }
        kinds |= c.data[3] == 'Z' ? 1 : 2;
        free(c.data);
    }
    cr_assert(kinds == 3, "MANIFEST holds frames and containers");
}

/* K/V blocks and table files of versions 1 and 2 (tests/data/kv-v1, written by emzip before
 * channel shifts, and kv-v2, before channel clusters: tests/data/make_kv_blocks.py) still decode,
 * with every implementation, to the pages they were made from; and the tables still code new
 * blocks, of the same version. */
Test(format_versions, kv_older_blocks) {
    static const char *const types[] = {"bf16", "e4m3"}, *const pages[] = {"k0", "k1", "v0", "v1"};
    unsigned decoded = 0;
    for (unsigned version = 1; version <= 2; version++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/kv-v%u", sample_dir(), version);
        for (size_t t = 0; t < 2; t++) {
            char name[64];
            snprintf(name, sizeof name, "%s.emzt", types[t]);
            blob f = read_blob(dir, name);
            cr_assert(f.size > 5 && f.data[4] == version, "kv-v%u/%s is a version %u table file",
                      version, name, version);
            emz_tables *tables = NULL;
            emz_status st = emz_tables_load(f.data, f.size, NULL, &tables, NULL, 0);
            cr_assert(st == EMZ_OK, "%s: %s", name, emz_error_name(st));
            for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
                if (!emz_impl_available((emz_impl)impl)) continue;
                emz_block_ctx *c = emz_block_ctx_create(tables);
                cr_assert(c && emz_block_ctx_set_param(c, EMZ_PARAM_IMPL, impl) == EMZ_OK);
                for (size_t p = 0; p < 4; p++) {
                    snprintf(name, sizeof name, "%s.%s.blk", types[t], pages[p]);
                    blob b = read_blob(dir, name);
                    snprintf(name, sizeof name, "%s.%s.page", types[t], pages[p]);
                    blob want = read_blob(dir, name);
                    cr_assert(b.size > 2 && (b.data[1] >> 5) + 1u == version,
                              "kv-v%u/%s.%s: a version %u block", version, types[t], pages[p],
                              version);
                    uint8_t *out = tu_xmalloc(want.size), *again = tu_xmalloc(want.size + 19);
                    size_t got = 0, n = 0;
                    st = emz_block_decompress(c, b.data, b.size, out, want.size, &got);
                    cr_assert(st == EMZ_OK && got == want.size && memcmp(out, want.data, got) == 0,
                              "kv-v%u/%s.%s with %s: %s (%s)", version, types[t], pages[p],
                              emz_impl_name((emz_impl)impl), emz_error_name(st),
                              emz_block_ctx_error_detail(c));
                    /* coded again with the same tables: a block of the same version that decodes */
                    emz_type type = t == 0 ? EMZ_TYPE_BF16 : EMZ_TYPE_FP8_E4M3;
                    cr_assert(emz_block_compress(c, type, pages[p][0] == 'v', want.data, want.size,
                                                 again, want.size + 19, &n) == EMZ_OK);
                    cr_assert((again[1] >> 5) + 1u == version,
                              "a block coded with version %u tables is version %u", version,
                              version);
                    cr_assert(emz_block_decompress(c, again, n, out, want.size, &got) == EMZ_OK &&
                              memcmp(out, want.data, want.size) == 0);
                    free(out), free(again), free(b.data), free(want.data);
                    decoded++;
                }
                emz_block_ctx_free(c);
            }
            emz_tables_free(tables);
            free(f.data);
        }
    }
    cr_assert(decoded >= 16);
}
