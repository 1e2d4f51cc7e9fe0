/* make_seeds.c - writes small valid frames (every type, several chunks) as fuzzing seeds: the
 * library's (version 2, of data that makes its writer pick every layout it writes: SPLIT with
 * planes and BYTES for FP16 and FP32, SPLIT for BF16, WHOLE and SPLIT for FP8 and FP4, WHOLE
 * for bytes) and frames written here of the layouts it never picks (version 2 WHOLE for BF16,
 * FP16 and FP32, BYTES for BF16; version 1 SPLIT of FP16 and FP32, with one sign+mantissa
 * stream). It checks that every layout is among the frames written. Also, for the other
 * targets, raw inputs, checkpoints, table sets, blocks (coded with fuzz_block's tables,
 * block_tables.h) and table files. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "block_tables.h"
#include "emzip.h"
#include "format/huffman_build.h"
#include "format/table_set.h"

static uint64_t rng = 0x1234567;
static uint64_t next(void) {
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* weight-like bytes: mostly small magnitudes, so the Huffman paths are exercised */
static void fill(uint8_t *p, size_t n, emz_type t) {
    for (size_t i = 0; i < n; i++) {
        uint64_t r = next();
        unsigned mag = (unsigned)__builtin_ctzll(r | (1ull << 20));
        switch (t) {
        case EMZ_TYPE_BF16:
            p[i] = (uint8_t)((i & 1) ? (0x3C + (mag & 3)) | (r >> 63) << 7 : r >> 40);
            break;
        case EMZ_TYPE_FP16:
            p[i] = (uint8_t)((i & 1) ? (0x20 + (mag & 7)) | (r >> 63) << 7 : r >> 40);
            break;
        case EMZ_TYPE_FP32:
            p[i] = (uint8_t)((i & 3) == 3   ? 0x3C | (r >> 63) << 7
                             : (i & 3) == 2 ? 0x80 | (r >> 40)
                                            : r >> 40);
            break;
        default:
            p[i] = (uint8_t)((mag & 7) << 3 | (r >> 61));
            break;
        }
    }
}

static int write_bytes_to(const char *dir, const char *name, const void *p, size_t n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *o = fopen(path, "wb");
    if (!o || fwrite(p, 1, n, o) != n) return 1;
    return fclose(o) != 0;
}

/* Other data shapes, so that the writer picks each layout it has:
 * variant 1: uniform random bytes (FP16/FP32: BYTES; FP8/FP4: WHOLE);
 * variant 2: positive values, uniform random exponents over the whole range, zero high mantissa
 *            bits (FP16/FP32: SPLIT with a CONSTANT top plane; FP8/FP4: SPLIT). */
static void fill_variant(uint8_t *p, size_t n, emz_type t, int variant) {
    if (variant == 0) {
        fill(p, n, t);
        return;
    }
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(next() >> 32);
    if (variant == 1) return;
    for (size_t i = 0; i < n; i++)
        switch (t) {
        case EMZ_TYPE_FP16: /* high byte: 0 eeeee 00 */
            if (i & 1) p[i] &= 0x7C;
            break;
        case EMZ_TYPE_FP32: /* bytes 2, 3: e mmmmmmm, 0 eeeeeee with the mantissa's top 7 zero */
            if ((i & 3) == 2) p[i] &= 0x80;
            if ((i & 3) == 3) p[i] &= 0x7F;
            break;
        case EMZ_TYPE_FP8_E4M3: /* 0 eeee 000: few sign+mantissa values */
        case EMZ_TYPE_FP8_E5M2:
            p[i] &= 0x78;
            break;
        case EMZ_TYPE_FP4_E2M1: /* 0 ee 0 in each nibble */
            p[i] &= 0x66;
            break;
        default:
            break;
        }
}

/* ---- what the frames hold ---- */

enum { LAYOUT_SPLIT = 0, LAYOUT_WHOLE = 1, LAYOUT_BYTES = 3 };

/* seen[version - 1][type][layout]: chunks written so */
static unsigned seen[3][EMZ_TYPE_COUNT][4];

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p) {
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Counts the layouts of a frame's chunks (a valid frame: the library's or one written here). */
static void note_layouts(const uint8_t *f, size_t size) {
    unsigned version = f[4], type = f[5];
    if (version == 3 && (f[7] & 1)) { /* a short frame: one chunk after the LEB128 size */
        size_t at = 8;
        while (f[at] & 0x80)
            at++;
        if (type < EMZ_TYPE_COUNT && f[at + 1] < 4) seen[2][type][f[at + 1]]++;
        return;
    }
    uint64_t C = (uint64_t)1 << f[6], chunks = (get64(f + 8) + C - 1) / C;
    const uint8_t *index = f + size - 4 - 8 * chunks;
    size_t at = 32;
    for (uint64_t i = 0; i < chunks; i++) {
        if (version >= 1 && version <= 3 && type < EMZ_TYPE_COUNT && f[at] < 4)
            seen[version - 1][type][f[at]]++;
        at += get32(index + 8 * i);
    }
}

static const char *layout_name(int layout) {
    return layout == LAYOUT_SPLIT ? "SPLIT" : layout == LAYOUT_WHOLE ? "WHOLE" : "BYTES";
}

/* ---- frames of the layouts the library does not write (RAW and CONSTANT streams only) ---- */

typedef struct {
    uint8_t *p;
    size_t n;
} buf;

static void put(buf *b, const void *p, size_t n) {
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void put_u8(buf *b, unsigned v) {
    b->p[b->n++] = (uint8_t)v;
}

static void put_le(buf *b, uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; i++)
        put_u8(b, (unsigned)(v >> 8 * i));
}

/* A stream of n symbols of w bits: CONSTANT when they are all one value, else RAW. */
static void put_stream(buf *b, const uint32_t *sym, size_t n, unsigned w) {
    bool one = n > 0;
    for (size_t i = 1; i < n && one; i++)
        one = sym[i] == sym[0];
    if (one) {
        put_u8(b, 3);
        put_le(b, sym[0], (w + 7) / 8);
        return;
    }
    put_u8(b, 0);
    uint64_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc |= (uint64_t)sym[i] << bits;
        for (bits += w; bits >= 8; bits -= 8, acc >>= 8)
            put_u8(b, (unsigned)acc);
    }
    if (bits) put_u8(b, (unsigned)acc);
}

/* A frame of version 2 with every chunk WHOLE or BYTES (2- and 4-byte types), or of version 1
 * with every chunk SPLIT into exponents and one sign+mantissa stream (FP16, FP32). */
static int write_own_frame(const char *dir, const char *name, const uint8_t *src, size_t n,
                           emz_type t, unsigned version, int layout) {
    unsigned B = t == EMZ_TYPE_FP32 ? 4 : 2, E = t == EMZ_TYPE_FP16 ? 5 : 8,
             Mp = t == EMZ_TYPE_FP16   ? 10
                  : t == EMZ_TYPE_FP32 ? 23
                                       : 7;
    size_t C = 4096, chunks = (n + C - 1) / C;
    buf f = {malloc(64 + 2 * n + 16 * chunks), 0};
    uint8_t *index = malloc(8 * chunks + 1);
    uint32_t *sym = malloc((C + 1) * sizeof *sym), *sm = malloc((C + 1) * sizeof *sm);
    if (!f.p || !index || !sym || !sm) return 1;
    put(&f,
        "\x89"
        "EMZ",
        4);
    put_u8(&f, version);
    put_u8(&f, (unsigned)t);
    put_u8(&f, 12);
    put_u8(&f, 0);
    put_le(&f, n, 8);
    put_le(&f, n / B, 8);
    put_le(&f, 0, 4);
    put_le(&f, (uint32_t)XXH3_64bits(f.p, 28), 4);
    for (size_t c = 0; c < chunks; c++) {
        const uint8_t *p = src + c * C;
        size_t len = n - c * C < C ? n - c * C : C, m = len / B, tail = len % B, start = f.n;
        put_u8(&f, (unsigned)layout);
        if (layout == LAYOUT_WHOLE) {
            for (size_t i = 0; i < len; i++)
                sym[i] = p[i];
            put_stream(&f, sym, len, 8);
            tail = 0;
        } else if (layout == LAYOUT_BYTES) {
            for (unsigned k = 0; k < B; k++) {
                for (size_t j = 0; j < m; j++)
                    sym[j] = p[j * B + k];
                put_stream(&f, sym, m, 8);
            }
        } else {
            for (size_t j = 0; j < m; j++) {
                uint32_t v = 0;
                for (unsigned k = 0; k < B; k++)
                    v |= (uint32_t)p[j * B + k] << 8 * k;
                sym[j] = v >> Mp & ((1u << E) - 1);
                sm[j] = v >> (E + Mp) << Mp | (v & ((1u << Mp) - 1));
            }
            put_stream(&f, sym, m, E);
            put_stream(&f, sm, m, Mp + 1);
        }
        put(&f, p + len - tail, tail);
        uint32_t size = (uint32_t)(f.n - start), sum = (uint32_t)XXH3_64bits(p, len);
        memcpy(index + 8 * c,
               (uint8_t[8]){(uint8_t)size, (uint8_t)(size >> 8), (uint8_t)(size >> 16),
                            (uint8_t)(size >> 24), (uint8_t)sum, (uint8_t)(sum >> 8),
                            (uint8_t)(sum >> 16), (uint8_t)(sum >> 24)},
               8);
    }
    put(&f, index, 8 * chunks);
    put_le(&f, (uint32_t)XXH3_64bits(index, 8 * chunks), 4);
    note_layouts(f.p, f.n);
    int failed = write_bytes_to(dir, name, f.p, f.n);
    free(f.p);
    free(index);
    free(sym);
    free(sm);
    return failed;
}

static int write_frame(const char *dir, const char *name, const uint8_t *src, size_t n, emz_type t,
                       int64_t chunk, const char *prefix, size_t prefix_len) {
    emz_cctx *c = emz_cctx_create();
    if (!c || emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, chunk) != EMZ_OK) return 1;
    size_t cap = emz_compress_bound(n), fs;
    uint8_t *f = malloc(cap);
    if (!f || emz_compress(c, f, cap, src, n, t, &fs) != EMZ_OK) return 1;
    note_layouts(f, fs);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *o = fopen(path, "wb");
    if (!o) return 1;
    if (prefix_len) fwrite(prefix, 1, prefix_len, o);
    fwrite(prefix_len ? src : f, 1, prefix_len ? n : fs, o);
    fclose(o);
    free(f);
    emz_cctx_free(c);
    return 0;
}

static int append(void *opaque, const void *p, size_t n) {
    return fwrite(p, 1, n, opaque) == n ? 0 : -1;
}

static int read_mem(void *opaque, void *buf, size_t n, uint64_t offset) {
    memcpy(buf, (const uint8_t *)opaque + offset, n);
    return 0;
}

/* file (size bytes) as name.safetensors and its container as name.emz (chunk: the chunk size,
 * 0 for the default); *flags receives the container's flags. */
static int write_checkpoint(const char *dir, const char *name, const uint8_t *file, size_t size,
                            int64_t chunk, unsigned *flags) {
    char path[4096];
    snprintf(path, sizeof path, "%s.safetensors", name);
    int failed = write_bytes_to(dir, path, file, size);
    snprintf(path, sizeof path, "%s/%s.emz", dir, name);
    FILE *o = fopen(path, "w+b");
    emz_cctx *c = emz_cctx_create();
    if (chunk) emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, chunk);
    emz_source src = {read_mem, (void *)file, size};
    emz_sink sink = {append, o};
    failed |= !o || !c || emz_compress_safetensors(c, &src, &sink, NULL) != EMZ_OK;
    uint8_t head[8] = {0};
    if (o && !failed) failed |= fseek(o, 0, SEEK_SET) != 0 || fread(head, 1, 8, o) != 8;
    *flags = head[6];
    if (o) failed |= fclose(o) != 0;
    emz_cctx_free(c);
    return failed;
}

/* A safetensors file of header json and data bytes of filled with fill(type). */
static uint8_t *checkpoint_file(const char *json, size_t data, emz_type type, size_t *size) {
    size_t n = strlen(json);
    uint8_t *file = calloc(1, 8 + n + data);
    if (!file) return NULL;
    for (int i = 0; i < 8; i++)
        file[i] = (uint8_t)((uint64_t)n >> 8 * i);
    memcpy(file + 8, json, n);
    fill(file + 8 + n, data, type);
    *size = 8 + n + data;
    return file;
}

/* Small safetensors files and their containers, seeds for fuzz_container: every dtype mapping,
 * a gap and a tiny tensor; and MXFP4-like small tensors whose container holds a table set. */
static int write_checkpoints(const char *dir) {
    static const char *json =
        "{\"__metadata__\":{\"format\":\"pt\"},"
        "\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        "\"a\":{\"dtype\":\"BF16\",\"shape\":[3000],\"data_offsets\":[4,6004]},"
        "\"b\":{\"dtype\":\"F8_E5M2\",\"shape\":[5000],\"data_offsets\":[6010,11010]},"
        "\"m.blocks\":{\"dtype\":\"U8\",\"shape\":[1000],\"data_offsets\":[11010,12010]}}  ";
    char shared[4096];
    size_t at = 0, data = 0, size;
    unsigned flags = 0;
    at += (size_t)snprintf(shared, sizeof shared, "{");
    for (unsigned i = 0; i < 24; i++) {
        size_t bytes = i % 2 ? 64 + 8 * i : 256u << (i % 4);
        at += (size_t)snprintf(shared + at, sizeof shared - at,
                               "%s\"l%u.%s\":{\"dtype\":\"U8\",\"shape\":[%zu],"
                               "\"data_offsets\":[%zu,%zu]}",
                               i ? "," : "", i / 2, i % 2 ? "scales" : "blocks", bytes, data,
                               data + bytes);
        data += bytes;
    }
    snprintf(shared + at, sizeof shared - at, "}");
    uint8_t *file = checkpoint_file(json, 12010, EMZ_TYPE_BF16, &size);
    int failed = !file || write_checkpoint(dir, "checkpoint", file, size, 4096, &flags);
    free(file);
    file = checkpoint_file(shared, data, EMZ_TYPE_BYTES, &size);
    failed |= !file || write_checkpoint(dir, "checkpoint-tableset", file, size, 0, &flags);
    if (!failed && !(flags & 1)) {
        fprintf(stderr, "make_seeds: checkpoint-tableset.emz holds no table set\n");
        failed = 1;
    }
    free(file);
    return failed;
}

/* Frames the library writes (frames) or raw inputs for fuzz_roundtrip (inputs), of every type. */
static int write_library_seeds(const char *dir, int frames, uint8_t *data) {
    static const size_t sizes[] = {0, 1, 7, 300, 3 * 4096 + 5, 9000};
    for (int t = 0; t < EMZ_TYPE_COUNT; t++) {
        for (int variant = 0; variant < 3; variant++)
            for (unsigned s = variant ? 4 : 0; s < sizeof sizes / sizeof sizes[0]; s++) {
                size_t n = sizes[s];
                fill_variant(data, n, (emz_type)t, variant);
                if (s == 5) memset(data + 2000, 0, 3000); /* a constant stretch */
                char name[64];
                snprintf(name, sizeof name, "%s-%s-%zu%s", frames ? "frame" : "input",
                         emz_type_name((emz_type)t), n,
                         variant == 1   ? "-random"
                         : variant == 2 ? "-wide-exponents"
                                        : "");
                char prefix[2] = {(char)t, (char)(s & 1)}; /* fuzz_roundtrip: type, chunk 4 KiB */
                if (write_frame(dir, name, data, n, (emz_type)t, 4096, prefix, frames ? 0 : 2)) {
                    fprintf(stderr, "failed: %s\n", name);
                    return 1;
                }
            }
    }
    return 0;
}

typedef struct pull_state {
    const uint8_t *p;
    size_t size, at;
} pull_state;

static int64_t pull_mem(void *opaque, void *buf, size_t size) {
    pull_state *s = opaque;
    size_t n = s->size - s->at < size ? s->size - s->at : size;
    memcpy(buf, s->p + s->at, n);
    s->at += n;
    return (int64_t)n;
}

/* Streamed frames (version 4: sizes in the footer), as emz_compress_sequential writes them for
 * inputs over 16 chunks: 4 KiB chunks of BF16 and FP8. */
static int write_streamed_seeds(const char *dir) {
    static const struct {
        emz_type t;
        size_t n;
    } cases[] = {{EMZ_TYPE_BF16, 17 * 4096 + 11}, {EMZ_TYPE_FP8_E4M3, 18 * 4096}};
    int failed = 0;
    for (unsigned i = 0; i < 2 && !failed; i++) {
        uint8_t *data = malloc(cases[i].n);
        char path[4096];
        snprintf(path, sizeof path, "%s/frame-streamed-%s-%zu", dir, emz_type_name(cases[i].t),
                 cases[i].n);
        FILE *o = fopen(path, "wb");
        emz_cctx *c = emz_cctx_create();
        failed = !data || !o || !c || emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 4096) != EMZ_OK;
        if (!failed) {
            fill(data, cases[i].n, cases[i].t);
            pull_state s = {data, cases[i].n, 0};
            emz_sink sink = {append, o};
            failed = emz_compress_sequential(c, pull_mem, &s, cases[i].t, &sink, NULL) != EMZ_OK;
        }
        if (o) failed |= fclose(o) != 0;
        emz_cctx_free(c);
        free(data);
    }
    return failed;
}

/* Frames of the layouts the library does not write, written by this program's own writer. */
static int write_own_seeds(const char *dir, uint8_t *data) {
    static const struct {
        emz_type t;
        unsigned version;
        int layout;
    } own[] = {
        {EMZ_TYPE_BF16, 2, LAYOUT_WHOLE}, {EMZ_TYPE_FP16, 2, LAYOUT_WHOLE},
        {EMZ_TYPE_FP32, 2, LAYOUT_WHOLE}, {EMZ_TYPE_BF16, 2, LAYOUT_BYTES},
        {EMZ_TYPE_FP16, 1, LAYOUT_SPLIT}, {EMZ_TYPE_FP32, 1, LAYOUT_SPLIT},
    };
    for (unsigned i = 0; i < sizeof own / sizeof own[0]; i++) {
        size_t n = 3 * 4096 + 5;
        fill(data, n, own[i].t);
        memset(data + 4096, 0x3C, 4096); /* chunk 1 constant: CONSTANT streams */
        char name[64];
        snprintf(name, sizeof name, "frame-v%u-%s-%s", own[i].version, emz_type_name(own[i].t),
                 layout_name(own[i].layout));
        if (write_own_frame(dir, name, data, n, own[i].t, own[i].version, own[i].layout)) {
            fprintf(stderr, "failed: %s\n", name);
            return 1;
        }
    }
    return 0;
}

/* Fails unless every layout of every type that the version allows is among the seeds. */
static int check_layouts_seen(void) {
    int missing = 0;
    for (unsigned v = 1; v <= 2; v++)
        for (int t = 0; t < EMZ_TYPE_COUNT; t++)
            for (int l = 0; l < 4; l++) {
                bool one_byte = t == EMZ_TYPE_BYTES || t == EMZ_TYPE_FP8_E4M3 ||
                                t == EMZ_TYPE_FP8_E5M2 || t == EMZ_TYPE_FP4_E2M1;
                bool allowed = l == LAYOUT_SPLIT   ? t != EMZ_TYPE_BYTES
                               : l == LAYOUT_WHOLE ? v == 2 || one_byte
                                                   : l == LAYOUT_BYTES && v == 2 && !one_byte;
                /* version 1: only SPLIT of FP16 and FP32 (the rest are in tests/data/v1) */
                if (v == 1)
                    allowed = l == LAYOUT_SPLIT && (t == EMZ_TYPE_FP16 || t == EMZ_TYPE_FP32);
                /* version 3 has the layouts of version 2: either version's chunks count */
                unsigned chunks = seen[v - 1][t][l] + (v == 2 ? seen[2][t][l] : 0);
                if (allowed && !chunks) {
                    fprintf(stderr, "make_seeds: no version %u %s chunk of layout %s\n", v,
                            emz_type_name((emz_type)t), layout_name(l));
                    missing = 1;
                }
            }
    if (missing) return 1;
    unsigned v3[4] = {0}, v2 = 0, v1 = 0;
    for (int t = 0; t < EMZ_TYPE_COUNT; t++)
        for (int l = 0; l < 4; l++) {
            v3[l] += seen[2][t][l];
            v2 += seen[1][t][l];
            v1 += seen[0][t][l];
        }
    printf("make_seeds: chunks of version 3: %u SPLIT, %u WHOLE, %u BYTES; of version 2: %u; "
           "of version 1: %u\n",
           v3[LAYOUT_SPLIT], v3[LAYOUT_WHOLE], v3[LAYOUT_BYTES], v2, v1);
    return 0;
}

/* Table sets for fuzz_table_set: 1, 8 and 40 tables of every width, from skewed histograms. */
static int write_table_sets(const char *dir) {
    static emz_table_set ts;
    static const unsigned counts[] = {1, 8, 40};
    int failed = 0;
    for (unsigned c = 0; c < 3; c++) {
        memset(&ts, 0, sizeof ts);
        for (unsigned i = 0; i < counts[c]; i++) {
            unsigned width = 1 + (i + c) % 8;
            uint32_t hist[256] = {0};
            for (unsigned s = 0; s < (1u << width); s += 1 + i % 3)
                hist[s] = 1 + (60000u >> (s % 16)); /* a geometric tail: long codes */
            hist[(1u << width) - 1] += 1;
            uint8_t len[256] = {0};
            emz_huff_lengths(hist, 1u << width, len);
            failed |= emz_table_set_add(&ts, width, len) < 0;
        }
        uint8_t out[EMZ_TABLE_SET_HEAD + EMZ_TABLE_SET_TAIL + 40 * 131];
        size_t n = emz_table_set_write(&ts, out);
        char name[32];
        snprintf(name, sizeof name, "tableset-%u", counts[c]);
        failed |= n == 0 || write_bytes_to(dir, name, out, n);
    }
    return failed;
}

/* Blocks for fuzz_block: every type, coded with the tables fuzz_block trains (block_tables.h)
 * and without tables, with and without a checksum, of values, random bytes and a constant. */
static int write_blocks(const char *dir) {
    static const size_t sizes[] = {1, 37, 300, 4096, 9001};
    static uint8_t src[9001], blk[9001 + 19];
    int failed = 0;
    for (int t = 0; t < EMZ_TYPE_COUNT && !failed; t++) {
        emz_tables *tables = fb_train((emz_type)t);
        for (int mode = 0; mode < 4 && tables && !failed; mode++) {
            emz_block_ctx *c = emz_block_ctx_create(mode & 1 ? tables : NULL);
            failed |= !c || emz_block_ctx_set_param(c, EMZ_PARAM_BLOCK_CHECKSUM, mode >> 1);
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0] && !failed; s++)
                for (int kind = 0; kind < 3 && !failed; kind++) {
                    size_t n = sizes[s], w = 0;
                    if (kind == 0) fb_fill(src, n, (emz_type)t, s, s % 2 ? 8.0f : 0.5f);
                    if (kind == 1) fill_variant(src, n, (emz_type)t, 1);
                    if (kind == 2) memset(src, 0x38, n);
                    failed |= emz_block_compress(c, (emz_type)t, (uint32_t)s % FB_GROUPS, src, n,
                                                 blk, sizeof blk, &w) != EMZ_OK;
                    char name[64];
                    snprintf(name, sizeof name, "block-%s-%s%s-%zu-%d", emz_type_name((emz_type)t),
                             mode & 1 ? "tables" : "plain", mode >> 1 ? "-checksum" : "", n, kind);
                    failed |= failed || write_bytes_to(dir, name, blk, w);
                }
            emz_block_ctx_free(c);
        }
        failed |= !tables;
        emz_tables_free(tables);
    }
    if (failed) fprintf(stderr, "make_seeds: writing the blocks failed\n");
    return failed;
}

/* Table files for fuzz_table_file: fuzz_block's tables of every type, and files of one group,
 * of many groups and of a layout. */
static int write_table_files(const char *dir) {
    static uint8_t file[1 << 20], data[64 * 1024];
    int failed = 0;
    for (int t = 0; t < EMZ_TYPE_COUNT + 2 && !failed; t++) {
        emz_tables *tables = NULL;
        if (t < EMZ_TYPE_COUNT) {
            tables = fb_train((emz_type)t);
        } else { /* 1 group of FP16 with a layout; 40 groups of E4M3 */
            emz_type type = t == EMZ_TYPE_COUNT ? EMZ_TYPE_FP16 : EMZ_TYPE_FP8_E4M3;
            uint32_t groups = t == EMZ_TYPE_COUNT ? 1 : 40;
            emz_tables_sample samples[40];
            for (uint32_t g = 0; g < groups; g++) {
                fb_fill(data + g * 1024, 1024, type, g, (float)(g % 5 + 1));
                samples[g] = (emz_tables_sample){data + g * 1024, 1024, g};
            }
            emz_tables_options o = {type, groups, groups == 1 ? 8 : 0, groups == 1 ? 128 : 0, 0};
            if (emz_tables_train(&o, samples, groups, &tables, NULL, 0) != EMZ_OK) tables = NULL;
        }
        size_t n = 0;
        failed |= !tables || emz_tables_save(tables, file, sizeof file, &n) != EMZ_OK;
        char name[64];
        snprintf(name, sizeof name, "tables-%d.emzt", t);
        failed |= failed || write_bytes_to(dir, name, file, n);
        emz_tables_free(tables);
    }
    if (failed) fprintf(stderr, "make_seeds: writing the table files failed\n");
    return failed;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[2], "checkpoints") == 0) return write_checkpoints(argv[1]);
    if (argc == 3 && strcmp(argv[2], "tablesets") == 0) return write_table_sets(argv[1]);
    if (argc == 3 && strcmp(argv[2], "blocks") == 0) return write_blocks(argv[1]);
    if (argc == 3 && strcmp(argv[2], "tablefiles") == 0) return write_table_files(argv[1]);
    if (argc != 3 || (strcmp(argv[2], "frames") != 0 && strcmp(argv[2], "inputs") != 0)) {
        fprintf(stderr,
                "usage: %s DIR frames|inputs|checkpoints|tablesets|blocks|tablefiles\n"
                "  frames: valid frames, seeds for fuzz_decompress\n"
                "  inputs: raw inputs (selector bytes + data), seeds for fuzz_roundtrip\n"
                "  checkpoints: safetensors files and their containers (one with a table set),\n"
                "    for fuzz_container\n"
                "  tablesets: table sets, for fuzz_table_set\n"
                "  blocks: blocks of every type, with and without tables and checksum,\n"
                "    for fuzz_block\n"
                "  tablefiles: table files (*.emzt), for fuzz_table_file\n",
                argv[0]);
        return 2;
    }
    int frames = strcmp(argv[2], "frames") == 0;
    uint8_t *data = malloc(16384);
    if (!data) return 1;
    int failed = write_library_seeds(argv[1], frames, data);
    if (!failed && frames)
        failed =
            write_own_seeds(argv[1], data) || write_streamed_seeds(argv[1]) || check_layouts_seen();
    free(data);
    return failed;
}
