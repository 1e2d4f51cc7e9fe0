/* test_container_hostile.c - hostile containers of every version. Version 3 (what emzip
 * writes; laid out as version 2, its chunks by the rules of version 3 frames): a small container is
 * taken apart by a reader of this file's own (FORMAT.md, "Container"), forged (non-minimal LEB128,
 * sizes out of range, payloads over the expansion bound, sizes that do not add up, extra bytes, bad
 * chunk_log2 and type, flags, version 5) and put back together with its checksums recomputed, so
 * that the structural checks and not only the checksums are exercised; every truncation and every
 * single-bit flip of it, with and without recomputed checksums, fails cleanly or decodes to the
 * original. Version 1: the committed containers of tests/data/v1, truncated and flipped. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "emzip.h"
#include "test_util.h"

static uint32_t checksum32(const uint8_t *p, size_t n) {
    return (uint32_t)XXH3_64bits(p, n);
}

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static uint64_t get64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* ---- a small checkpoint and its container ----------------------------------------- */

/* A safetensors file: BF16 "a" (9000 bytes, three 4 KiB chunks), F8_E4M3 "b" (5000), F32 "s"
 * (8 bytes: a bytes segment with the header) and F16 "c" (4100). */
static uint8_t *small_checkpoint(size_t *size) {
    const char *json = "{\"s\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                       "\"a\":{\"dtype\":\"BF16\",\"shape\":[4500],\"data_offsets\":[8,9008]},"
                       "\"b\":{\"dtype\":\"F8_E4M3\",\"shape\":[5000],\"data_offsets\":[9008,"
                       "14008]},"
                       "\"c\":{\"dtype\":\"F16\",\"shape\":[2050],\"data_offsets\":[14008,18108]}}";
    size_t len = strlen(json);
    *size = 8 + len + 18108;
    uint8_t *f = tu_xmalloc(*size);
    for (int i = 0; i < 8; i++)
        f[i] = (uint8_t)((uint64_t)len >> 8 * i);
    memcpy(f + 8, json, len);
    uint64_t seed = 3;
    for (size_t i = 8 + len; i < *size; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint8_t r = (uint8_t)(seed >> 59);
        f[i] = (i & 1) ? (uint8_t)(0x3C + (r & 1)) : (uint8_t)(r * 7);
    }
    return f;
}

typedef struct mem_out {
    uint8_t *data;
    size_t size;
} mem_out;

static int out_write(void *opaque, const void *buf, size_t size) {
    mem_out *m = opaque;
    m->data = realloc(m->data, m->size + size);
    cr_assert(m->data != NULL);
    memcpy(m->data + m->size, buf, size);
    m->size += size;
    return 0;
}

static int src_read(void *opaque, void *buf, size_t size, uint64_t offset) {
    memcpy(buf, (const uint8_t *)opaque + offset, size);
    return 0;
}

static mem_out compress_checkpoint(const uint8_t *file, size_t size) {
    emz_cctx *c = emz_cctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 4096) == EMZ_OK);
    emz_source src = {src_read, (void *)file, size};
    mem_out out = {NULL, 0};
    emz_sink sink = {out_write, &out};
    cr_assert(emz_compress_safetensors(c, &src, &sink, NULL) == EMZ_OK);
    emz_cctx_free(c);
    return out;
}

/* Opens and, when that succeeds, decodes the whole file: the status of the first failure;
 * EMZ_OK only if the bytes are the original's. The detail of a failure goes to detail. */
static emz_status try_open(const uint8_t *c, size_t csize, const uint8_t *file, size_t size,
                           char *detail, size_t detail_size) {
    emz_dctx *d = emz_dctx_create();
    emz_reader *r = NULL;
    emz_status st = emz_reader_open_memory(d, c, csize, &r);
    if (st == EMZ_OK) {
        emz_reader_info info;
        emz_reader_info_get(r, &info);
        uint8_t *back = tu_xmalloc(size + 1);
        st = info.original_size == size ? emz_reader_read(r, d, back, size, 0, size)
                                        : EMZ_ERROR_CORRUPT;
        if (st == EMZ_OK && memcmp(back, file, size) != 0) st = EMZ_ERROR_CHECKSUM;
        free(back);
        emz_reader_close(r);
    } else {
        cr_assert(r == NULL);
    }
    if (detail) snprintf(detail, detail_size, "%s", emz_dctx_error_detail(d));
    emz_dctx_free(d);
    return st;
}

/* ---- this file's own reader and writer of version 2 and 3 containers --------------- */

enum { MAX_SEG = 16, MAX_CHUNK = 64 };

typedef struct forged {
    uint8_t head[32];
    uint64_t seg_count;
    uint64_t seg_size[MAX_SEG];
    unsigned seg_type[MAX_SEG], seg_log2[MAX_SEG], seg_pad[MAX_SEG];
    size_t chunks;
    uint64_t size[MAX_CHUNK]; /* the payload size written in the index */
    uint32_t sum[MAX_CHUNK];
    unsigned pad[MAX_CHUNK]; /* non-minimal LEB128: extra groups */
    const uint8_t *payload[MAX_CHUNK];
    size_t payload_len[MAX_CHUNK]; /* bytes of payload actually stored */
    size_t original_len[MAX_CHUNK];
    size_t extra;             /* zero bytes after the index */
    int keep_header_checksum; /* do not recompute the header checksum */
} forged;

static size_t leb(uint8_t *out, uint64_t v, unsigned pad) {
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        out[n++] = (uint8_t)(v | 0x80);
    out[n++] = (uint8_t)v;
    for (unsigned i = 0; i < pad; i++) { /* the same value, with superfluous zero groups */
        out[n - 1] |= 0x80;
        out[n++] = 0;
    }
    return n;
}

static uint64_t read_leb(const uint8_t *p, size_t *at) {
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        uint8_t b = p[(*at)++];
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) return v;
    }
}

static void parse(const uint8_t *c, size_t size, forged *f) {
    memset(f, 0, sizeof *f);
    memcpy(f->head, c, 32);
    cr_assert(memcmp(c,
                     "\x89"
                     "EMC",
                     4) == 0 &&
                  c[4] == 3 && c[6] == 0,
              "a version 3 container");
    f->seg_count = get64(c + 16);
    cr_assert(f->seg_count <= MAX_SEG);
    uint32_t meta = (uint32_t)get64(c + size - 8); /* low 4 bytes */
    meta &= 0xFFFFFFFFu;
    size_t dir = size - 8 - meta, at = dir;
    cr_assert_eq(checksum32(c + dir, meta), (uint32_t)(get64(c + size - 8) >> 32));
    for (uint64_t s = 0; s < f->seg_count; s++) {
        f->seg_size[s] = read_leb(c, &at);
        f->seg_type[s] = c[at++];
        f->seg_log2[s] = c[at++];
        uint64_t chunk = UINT64_C(1) << f->seg_log2[s];
        f->chunks += (size_t)((f->seg_size[s] + chunk - 1) / chunk);
    }
    cr_assert(f->chunks <= MAX_CHUNK);
    size_t payload = 32;
    for (size_t k = 0; k < f->chunks; k++) {
        f->size[k] = read_leb(c, &at);
        f->sum[k] = (uint32_t)get64(c + at);
        at += 4;
        f->payload[k] = c + payload;
        f->payload_len[k] = f->original_len[k] = (size_t)f->size[k];
        payload += (size_t)f->size[k];
    }
    cr_assert_eq(at, size - 8, "the index fills the stated size");
    cr_assert_eq(payload, dir, "the payloads end at the directory");
}

static mem_out build(const forged *f) {
    size_t cap = 64 + 16 * MAX_SEG + 16 * MAX_CHUNK + f->extra;
    for (size_t k = 0; k < f->chunks; k++)
        cap += f->payload_len[k] + 8;
    uint8_t *c = tu_xmalloc(cap);
    memcpy(c, f->head, 32);
    if (!f->keep_header_checksum) put32(c + 28, checksum32(c, 28));
    size_t at = 32;
    for (size_t k = 0; k < f->chunks; k++) {
        size_t have = f->payload_len[k];
        have = have < f->original_len[k] ? have : f->original_len[k];
        memcpy(c + at, f->payload[k], have);
        memset(c + at + have, 0, f->payload_len[k] - have); /* padding of a grown payload */
        at += f->payload_len[k];
    }
    size_t dir = at;
    for (uint64_t s = 0; s < f->seg_count; s++) {
        at += leb(c + at, f->seg_size[s], f->seg_pad[s]);
        c[at++] = (uint8_t)f->seg_type[s];
        c[at++] = (uint8_t)f->seg_log2[s];
    }
    for (size_t k = 0; k < f->chunks; k++) {
        at += leb(c + at, f->size[k], f->pad[k]);
        put32(c + at, f->sum[k]);
        at += 4;
    }
    memset(c + at, 0, f->extra);
    at += f->extra;
    put32(c + at, (uint32_t)(at - dir));
    put32(c + at + 4, checksum32(c + dir, at - dir));
    return (mem_out){c, at + 8};
}

/* ---- forgeries ---------------------------------------------------------------------- */

typedef struct fixture {
    uint8_t *file;
    size_t size;
    mem_out c;
    forged f;
} fixture;

static fixture setup(void) {
    fixture x;
    x.file = small_checkpoint(&x.size);
    x.c = compress_checkpoint(x.file, x.size);
    parse(x.c.data, x.c.size, &x.f);
    cr_assert(x.f.seg_count >= 4 && x.f.chunks >= 6, "%llu segments, %zu chunks",
              (unsigned long long)x.f.seg_count, x.f.chunks);
    return x;
}

static void teardown(fixture *x) {
    free(x->file), free(x->c.data);
}

/* Builds f, expects status `want` on opening, with `phrase` in the detail (if not NULL). */
static void expect(const fixture *x, const forged *f, emz_status want, const char *phrase,
                   const char *what) {
    mem_out c = build(f);
    char detail[512];
    emz_dctx *d = emz_dctx_create();
    emz_reader *r = NULL;
    emz_status st = emz_reader_open_memory(d, c.data, c.size, &r);
    snprintf(detail, sizeof detail, "%s", emz_dctx_error_detail(d));
    emz_dctx_free(d);
    emz_reader_close(r);
    cr_assert(st == want, "%s: %s, wanted %s (%s)", what, emz_error_name(st), emz_error_name(want),
              detail);
    if (phrase)
        cr_assert(strstr(detail, phrase) != NULL, "%s: detail \"%s\" lacks \"%s\"", what, detail,
                  phrase);
    (void)x;
    free(c.data);
}

Test(container_v2, rebuilt_unchanged_is_identical) {
    fixture x = setup();
    mem_out c = build(&x.f);
    cr_assert(c.size == x.c.size && memcmp(c.data, x.c.data, c.size) == 0);
    cr_assert(try_open(c.data, c.size, x.file, x.size, NULL, 0) == EMZ_OK);
    free(c.data);
    teardown(&x);
}

Test(container_v2, forged_directory_refused) {
    fixture x = setup();
    forged f = x.f;
    f.seg_pad[1] = 1;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "LEB128", "non-minimal segment size");
    f = x.f;
    f.seg_pad[0] = 9;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "LEB128", "segment size of 11 bytes");
    f = x.f;
    f.seg_size[2] = UINT64_C(1) << 62;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "LEB128", "segment size 2^62");
    f = x.f;
    f.seg_log2[1] = 11;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "chunk_log2", "chunk_log2 11");
    f.seg_log2[1] = 25;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "chunk_log2", "chunk_log2 25");
    f = x.f;
    f.seg_type[1] = EMZ_TYPE_COUNT;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "element type", "type 7");
    f.seg_type[1] = 255;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "element type", "type 255");
    /* sizes that do not add up to the header's: one more byte in the header, or in a segment */
    f = x.f;
    uint64_t total = get64(f.head + 8) + 1;
    for (int i = 0; i < 8; i++)
        f.head[8 + i] = (uint8_t)(total >> 8 * i);
    expect(&x, &f, EMZ_ERROR_CORRUPT, "add up", "original size + 1");
    f = x.f;
    f.seg_size[0] += 1;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "exceed", "segment 0 one byte longer");
    f = x.f;
    f.seg_size[0] -= 1;
    f.seg_size[f.seg_count - 1] += 1; /* adds up, but the chunks no longer match the index */
    expect(&x, &f, EMZ_ERROR_CORRUPT, NULL, "a byte moved between segments");
    teardown(&x);
}

Test(container_v2, forged_index_refused) {
    fixture x = setup();
    forged f = x.f;
    f.pad[3] = 1;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "LEB128", "non-minimal payload size");
    f = x.f;
    f.pad[0] = 4;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "LEB128", "payload size of 6 bytes");
    f = x.f;
    f.size[2] = UINT64_C(1) << 32;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "LEB128", "payload size 2^32");
    f = x.f;
    f.size[1] = 0, f.payload_len[1] = 0;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "is zero", "payload size 0");
    /* over the expansion bound: the payload itself grown to match, so only the bound fails */
    f = x.f;
    f.size[1] = 4096 + 6, f.payload_len[1] = 4096 + 6; /* chunk 1: the first of "a" */
    expect(&x, &f, EMZ_ERROR_CORRUPT, "chunk 1 payload size 4102 exceeds bound for 4096-byte chunk",
           "payload over the bound");
    f = x.f;
    f.size[1] = 300000, f.payload_len[1] = 300000;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "exceeds bound", "payload far over the bound");
    /* payloads that do not fill [32, directory): one byte more or less than stated */
    f = x.f;
    f.payload_len[2] += 1;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "directory starts", "a byte between payloads and directory");
    f = x.f;
    f.size[2] += 1; /* the stored payloads one byte short of what the index says */
    expect(&x, &f, EMZ_ERROR_CORRUPT, NULL, "payloads run into the directory");
    f = x.f;
    f.extra = 1;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "left after the index", "a byte after the index");
    f.extra = 5;
    expect(&x, &f, EMZ_ERROR_CORRUPT, "left after the index", "five bytes after the index");
    /* one chunk fewer in the index than the directory implies */
    f = x.f;
    f.chunks--;
    expect(&x, &f, EMZ_ERROR_CORRUPT, NULL, "an index entry missing");
    teardown(&x);
}

Test(container_v2, forged_header_refused) {
    fixture x = setup();
    forged f = x.f;
    f.head[6] = 1; /* a table set follows the header: here, none does */
    expect(&x, &f, EMZ_ERROR_CORRUPT, "table set", "flags 1 without a table set");
    f.head[6] = 0x80;
    expect(&x, &f, EMZ_ERROR_UNSUPPORTED_VERSION, "flags", "flags 0x80");
    f.head[6] = 3;
    expect(&x, &f, EMZ_ERROR_UNSUPPORTED_VERSION, "flags", "flags 3");
    f.head[6] = 2; /* the delta flag belongs to versions 4 and 5 */
    expect(&x, &f, EMZ_ERROR_UNSUPPORTED_VERSION, "flags", "flags 2 in version 3");
    f = x.f;
    f.head[4] = 4; /* version 4 (a delta) without its delta flag */
    expect(&x, &f, EMZ_ERROR_CORRUPT, "header is corrupt", "version 4 without flag 2");
    f.head[6] = 0x82;
    expect(&x, &f, EMZ_ERROR_UNSUPPORTED_VERSION, "besides bit 1", "version 4, flags 0x82");
    f = x.f;
    f.head[4] = 5; /* version 5 (a delta whose chunks may be LOW) likewise */
    expect(&x, &f, EMZ_ERROR_CORRUPT, "header is corrupt", "version 5 without flag 2");
    f.head[6] = 0x82;
    expect(&x, &f, EMZ_ERROR_UNSUPPORTED_VERSION, "besides bit 1", "version 5, flags 0x82");
    f = x.f;
    f.head[4] = 6;
    expect(&x, &f, EMZ_ERROR_UNSUPPORTED_VERSION, "version 6", "version 6");
    f.keep_header_checksum = 1; /* the version is refused before the checksum is looked at */
    expect(&x, &f, EMZ_ERROR_UNSUPPORTED_VERSION, "version 6", "version 6, old checksum");
    f = x.f;
    f.head[4] = 0;
    expect(&x, &f, EMZ_ERROR_UNSUPPORTED_VERSION, NULL, "version 0");
    f = x.f;
    f.head[5] = 2;
    expect(&x, &f, EMZ_ERROR_CORRUPT, NULL, "content 2");
    f = x.f;
    f.head[7] = 1;
    expect(&x, &f, EMZ_ERROR_CORRUPT, NULL, "reserved byte 7");
    f = x.f;
    f.head[24] = 1;
    expect(&x, &f, EMZ_ERROR_CORRUPT, NULL, "reserved word");
    f = x.f;
    f.head[16]++; /* one segment more than the directory holds */
    expect(&x, &f, EMZ_ERROR_CORRUPT, NULL, "segment count + 1");
    f = x.f;
    f.head[16]--; /* one fewer: the last entry is read as index */
    expect(&x, &f, EMZ_ERROR_CORRUPT, NULL, "segment count - 1");
    f = x.f;
    f.head[23] = 0x40; /* 2^62 segments */
    expect(&x, &f, EMZ_ERROR_CORRUPT, NULL, "segment count 2^62");
    f = x.f;
    f.head[9] ^= 0x10; /* the checksum not recomputed */
    f.keep_header_checksum = 1;
    expect(&x, &f, EMZ_ERROR_CORRUPT, NULL, "header checksum");
    teardown(&x);
}

Test(container_v2, hostile_trailer_sizes_refused) {
    fixture x = setup();
    uint8_t *c = tu_xmalloc(x.c.size);
    const uint32_t sizes[] = {0,
                              1,
                              2,
                              7,
                              100,
                              (uint32_t)x.c.size - 40,
                              (uint32_t)x.c.size - 39,
                              (uint32_t)x.c.size - 8,
                              (uint32_t)x.c.size,
                              0x7FFFFFFF,
                              0xFFFFFFFF};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        memcpy(c, x.c.data, x.c.size);
        put32(c + x.c.size - 8, sizes[i]);
        uint32_t n = sizes[i] <= x.c.size - 8 ? sizes[i] : 0;
        put32(c + x.c.size - 4, checksum32(c + x.c.size - 8 - n, n)); /* matching, where it can */
        emz_status st = try_open(c, x.c.size, x.file, x.size, NULL, 0);
        cr_assert(st != EMZ_OK, "trailer size %u opened", sizes[i]);
    }
    free(c);
    teardown(&x);
}

/* Every truncation and every bit of the header, directory, index and trailer flipped, with the
 * checksums recomputed (header and trailer) so that the flip reaches the structural checks;
 * plus every byte of the whole container with one bit flipped and the checksums left alone. */
Test(container_v2, truncations_and_bit_flips_fail_cleanly, .timeout = 600) {
    fixture x = setup();
    for (size_t cut = 0; cut < x.c.size; cut++)
        cr_assert(try_open(x.c.data, cut, x.file, x.size, NULL, 0) != EMZ_OK, "cut to %zu", cut);
    size_t dir = x.c.size - 8 - (x.c.data[x.c.size - 8] | (size_t)x.c.data[x.c.size - 7] << 8);
    uint8_t *c = tu_xmalloc(x.c.size);
    int opened = 0;
    for (size_t i = 0; i < x.c.size; i++) {
        int meta = i < 32 || i >= dir;
        for (unsigned bit = 0; bit < 8; bit++) {
            if (!meta && bit != i % 8) continue; /* payloads: one bit a byte */
            for (int reseal = 0; reseal <= meta; reseal++) {
                memcpy(c, x.c.data, x.c.size);
                c[i] ^= (uint8_t)(1u << bit);
                if (reseal && i < 28) put32(c + 28, checksum32(c, 28));
                if (reseal && i >= dir && i < x.c.size - 8) {
                    put32(c + x.c.size - 4, checksum32(c + dir, x.c.size - 8 - dir));
                }
                /* EMZ_OK only if the original came back (try_open compares): no crash, no
                 * other data */
                opened += try_open(c, x.c.size, x.file, x.size, NULL, 0) == EMZ_OK;
            }
        }
    }
    /* A few resealed flips give another valid container of the same bytes: a type or
     * chunk_log2 that changes nothing for its chunks (a WHOLE payload decodes alike for every
     * 1-byte type; a 261-byte segment is one chunk for chunk_log2 12, 13 and 14). */
    cr_assert(opened <= 16, "%d flips decoded to the original", opened);
    free(c);
    teardown(&x);
}

/* ---- version 1: the committed containers ------------------------------------------- */

static uint8_t *load(const char *dir, const char *name, size_t *size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    rewind(f);
    uint8_t *p = tu_xmalloc(*size + 1);
    cr_assert(fread(p, 1, *size, f) == *size);
    fclose(f);
    return p;
}

/* The sample's age.mxfp4 checkpoint and its committed version 1 container. */
static void load_v1_age(uint8_t **file, size_t *size, uint8_t **c, size_t *csize) {
    const char *sample = getenv("EMZIP_TEST_SAMPLE");
    cr_assert(sample != NULL, "EMZIP_TEST_SAMPLE (tests/data) is not set");
    char v1[4096];
    snprintf(v1, sizeof v1, "%s/v1", sample);
    *file = load(sample, "age.mxfp4.safetensors", size);
    *c = load(v1, "age.mxfp4.emz", csize);
}

Test(container_v1, truncations_and_bit_flips_fail_cleanly, .timeout = 600) {
    size_t size, csize;
    uint8_t *file, *c;
    load_v1_age(&file, &size, &c, &csize);
    cr_assert(memcmp(c,
                     "\x89"
                     "EMC",
                     4) == 0 &&
                  c[4] == 1,
              "a version 1 container");
    cr_assert(try_open(c, csize, file, size, NULL, 0) == EMZ_OK);
    for (size_t cut = 0; cut < csize; cut++)
        cr_assert(try_open(c, cut, file, size, NULL, 0) != EMZ_OK, "cut to %zu", cut);
    uint8_t *damaged = tu_xmalloc(csize);
    for (size_t i = 0; i < csize; i++) {
        memcpy(damaged, c, csize);
        damaged[i] ^= (uint8_t)(1u << (i % 8));
        cr_assert(try_open(damaged, csize, file, size, NULL, 0) != EMZ_OK, "flip at %zu", i);
    }
    free(damaged), free(c), free(file);
}

/* A source whose reads fail while `failing` is set: an unreliable network file system. */
typedef struct flaky {
    const uint8_t *data;
    size_t size;
    int failing;
    unsigned failures;
} flaky;

static int flaky_read(void *opaque, void *buf, size_t size, uint64_t offset) {
    flaky *f = opaque;
    if (f->failing) return f->failures++, -1;
    memcpy(buf, f->data + offset, size);
    return 0;
}

/* In a version 1 container a segment's frame index is read on first use; a read error there
 * fails that call with EMZ_ERROR_IO and is not remembered: once reads work, the same reader
 * decodes everything. */
Test(container_v1, a_failed_read_is_not_remembered) {
    size_t size, csize;
    uint8_t *file, *c;
    load_v1_age(&file, &size, &c, &csize);
    flaky f = {c, csize, 0, 0};
    emz_source src = {flaky_read, &f, csize};
    emz_reader *r = NULL;
    cr_assert(emz_reader_open(NULL, &src, &r) == EMZ_OK);
    uint8_t *out = tu_xmalloc(size);
    emz_reader_info info;
    cr_assert(emz_reader_info_get(r, &info) == EMZ_OK && info.original_size == size);
    f.failing = 1;
    emz_status st = emz_reader_read(r, NULL, out, size, 0, size);
    cr_assert(st == EMZ_ERROR_IO, "%s", emz_error_name(st));
    cr_assert(f.failures > 0);
    f.failing = 0;
    emz_dctx *d = emz_dctx_create();
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_THREADS, 2) == EMZ_OK);
    st = emz_reader_read(r, d, out, size, 0, size);
    cr_assert(st == EMZ_OK, "after the failure: %s", emz_error_name(st));
    cr_assert(memcmp(out, file, size) == 0);
    emz_dctx_free(d);
    emz_reader_close(r);
    free(out), free(c), free(file);
}
