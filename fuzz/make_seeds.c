/* make_seeds.c - writes small valid frames (every type, several chunks) as fuzzing seeds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emzip.h"

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

static int write_frame(const char *dir, const char *name, const uint8_t *src, size_t n, emz_type t,
                       int64_t chunk, const char *prefix, size_t prefix_len) {
    emz_cctx *c = emz_cctx_create();
    if (!c || emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, chunk) != EMZ_OK) return 1;
    size_t cap = emz_compress_bound(n), fs;
    uint8_t *f = malloc(cap);
    if (!f || emz_compress(c, f, cap, src, n, t, &fs) != EMZ_OK) return 1;
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

static int write_bytes(const char *dir, const char *name, const void *p, size_t n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *o = fopen(path, "wb");
    if (!o || fwrite(p, 1, n, o) != n) return 1;
    return fclose(o) != 0;
}

static int append(void *opaque, const void *p, size_t n) {
    return fwrite(p, 1, n, opaque) == n ? 0 : -1;
}

static int read_mem(void *opaque, void *buf, size_t n, uint64_t offset) {
    memcpy(buf, (const uint8_t *)opaque + offset, n);
    return 0;
}

/* Small safetensors files (every dtype mapping, a gap, a tiny tensor) and their containers:
 * seeds for fuzz_container. */
static int write_checkpoints(const char *dir) {
    static const char *json =
        "{\"__metadata__\":{\"format\":\"pt\"},"
        "\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        "\"a\":{\"dtype\":\"BF16\",\"shape\":[3000],\"data_offsets\":[4,6004]},"
        "\"b\":{\"dtype\":\"F8_E5M2\",\"shape\":[5000],\"data_offsets\":[6010,11010]},"
        "\"m.blocks\":{\"dtype\":\"U8\",\"shape\":[1000],\"data_offsets\":[11010,12010]}}  ";
    size_t n = strlen(json), size = 8 + n + 12010;
    uint8_t *file = calloc(1, size);
    if (!file) return 1;
    for (int i = 0; i < 8; i++)
        file[i] = (uint8_t)((uint64_t)n >> 8 * i);
    memcpy(file + 8, json, n);
    fill(file + 8 + n, 12010, EMZ_TYPE_BF16);
    int failed = write_bytes(dir, "checkpoint.safetensors", file, size);
    char path[4096];
    snprintf(path, sizeof path, "%s/checkpoint.emz", dir);
    FILE *o = fopen(path, "wb");
    emz_cctx *c = emz_cctx_create();
    emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 4096);
    emz_source src = {read_mem, file, size};
    emz_sink sink = {append, o};
    failed |= !o || !c || emz_compress_safetensors(c, &src, &sink, NULL) != EMZ_OK;
    if (o) failed |= fclose(o) != 0;
    emz_cctx_free(c);
    free(file);
    return failed;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[2], "checkpoints") == 0) return write_checkpoints(argv[1]);
    if (argc != 3 || (strcmp(argv[2], "frames") != 0 && strcmp(argv[2], "inputs") != 0)) {
        fprintf(stderr,
                "usage: %s DIR frames|inputs|checkpoints\n"
                "  frames: valid frames, seeds for fuzz_decompress\n"
                "  inputs: raw inputs (selector bytes + data), seeds for fuzz_roundtrip\n"
                "  checkpoints: a safetensors file and its container, for fuzz_container\n",
                argv[0]);
        return 2;
    }
    int frames = strcmp(argv[2], "frames") == 0;
    static const size_t sizes[] = {0, 1, 7, 300, 3 * 4096 + 5, 9000};
    uint8_t *buf = malloc(16384);
    if (!buf) return 1;
    for (int t = 0; t < EMZ_TYPE_COUNT; t++) {
        for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            fill(buf, n, (emz_type)t);
            if (s == 5) memset(buf + 2000, 0, 3000); /* a constant stretch */
            char name[64];
            snprintf(name, sizeof name, "%s-%s-%zu", frames ? "frame" : "input",
                     emz_type_name((emz_type)t), n);
            char prefix[2] = {(char)t, (char)(s & 1)}; /* fuzz_roundtrip: type, chunk 4 KiB */
            if (write_frame(argv[1], name, buf, n, (emz_type)t, 4096, prefix, frames ? 0 : 2)) {
                fprintf(stderr, "failed: %s\n", name);
                return 1;
            }
        }
    }
    free(buf);
    return 0;
}
