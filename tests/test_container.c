/* test_container.c - streaming compression, safetensors containers and the reader: round trips
 * of the corpus, frames identical to emz_compress, random access, malformed and hostile input,
 * progress, cancellation, I/O failures and concurrent readers. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emzip.h"
#include "test_corpus.h"
#include "test_data.h"

/* ---- memory sources and sinks -------------------------------------------------------- */

typedef struct mem_src {
    const uint8_t *data;
    long fail_after; /* reads before one fails; < 0: never */
    uint64_t bytes_read;
} mem_src;

static int mem_read(void *opaque, void *buf, size_t size, uint64_t offset) {
    mem_src *m = opaque;
    if (m->fail_after == 0) return -1;
    if (m->fail_after > 0) __atomic_fetch_sub(&m->fail_after, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->bytes_read, size, __ATOMIC_RELAXED);
    memcpy(buf, m->data + offset, size);
    return 0;
}

typedef struct mem_sink {
    uint8_t *data;
    size_t size, cap;
    long writes, fail_after;
} mem_sink;

static int mem_write(void *opaque, const void *buf, size_t size) {
    mem_sink *m = opaque;
    m->writes++;
    if (m->fail_after == 0) return -1;
    if (m->fail_after > 0) m->fail_after--;
    if (m->size + size > m->cap) {
        m->cap = (m->size + size) * 2;
        m->data = realloc(m->data, m->cap);
        cr_assert(m->data != NULL);
    }
    memcpy(m->data + m->size, buf, size);
    m->size += size;
    return 0;
}

static mem_sink new_sink(void) {
    return (mem_sink){NULL, 0, 0, 0, -1};
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    cr_assert(p != NULL);
    return p;
}

/* Compresses a safetensors image with `threads` threads; returns the container. */
static mem_sink compress_st(const uint8_t *file, size_t size, int threads, emz_status *status,
                            char *detail, size_t detail_size) {
    emz_cctx *c = emz_cctx_create();
    cr_assert(c != NULL);
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_THREADS, threads) == EMZ_OK);
    mem_src ms = {file, -1, 0};
    emz_source src = {mem_read, &ms, size};
    mem_sink out = new_sink();
    emz_sink sink = {mem_write, &out};
    uint64_t written = 0;
    *status = emz_compress_safetensors(c, &src, &sink, &written);
    if (*status == EMZ_OK) cr_assert_eq(written, out.size);
    if (detail) snprintf(detail, detail_size, "%s", emz_cctx_error_detail(c));
    emz_cctx_free(c);
    return out;
}

static emz_reader *open_mem(const mem_sink *container, mem_src *ms, emz_dctx *d,
                            emz_status *status) {
    *ms = (mem_src){container->data, -1, 0};
    emz_source src = {mem_read, ms, container->size};
    emz_reader *r = NULL;
    *status = emz_reader_open(d, &src, &r);
    return r;
}

static uint8_t *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *p = xmalloc((size_t)n);
    cr_assert(fread(p, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return p;
}

/* ---- a synthetic safetensors file ---------------------------------------------------- */

typedef struct synth_tensor {
    const char *name, *dtype;
    size_t size; /* bytes; the shape is [size / element bytes] */
    unsigned elem;
} synth_tensor;

/* Builds a file of the given tensors, back to back, with skewed float-like data. */
static uint8_t *synth_file(const synth_tensor *t, size_t n, size_t *size) {
    char json[4096];
    size_t at = 0, len = 0;
    len += (size_t)snprintf(json + len, sizeof json - len, "{\"__metadata__\":{\"format\":\"pt\"}");
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(
            json + len, sizeof json - len,
            ",\"%s\":{\"dtype\":\"%s\",\"shape\":[%zu],\"data_offsets\":[%zu,%zu]}", t[i].name,
            t[i].dtype, t[i].size / t[i].elem, at, at + t[i].size);
        at += t[i].size;
    }
    len += (size_t)snprintf(json + len, sizeof json - len, "}   ");
    *size = 8 + len + at;
    uint8_t *file = xmalloc(*size);
    for (int b = 0; b < 8; b++)
        file[b] = (uint8_t)((uint64_t)len >> 8 * b);
    memcpy(file + 8, json, len);
    uint64_t seed = 7;
    for (size_t i = 8 + len; i < *size; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint8_t r = (uint8_t)(seed >> 56);
        file[i] = (i & 1) ? (uint8_t)(0x3C + (r & 3)) : r; /* few exponents, random mantissas */
    }
    return file;
}

static const synth_tensor small_model[] = {
    {"scale", "F32", 4, 4},        {"w.a", "BF16", 20000, 2},    {"w.b", "F8_E4M3", 9000, 1},
    {"mlp.blocks", "U8", 6000, 1}, {"mlp.scales", "U8", 600, 1}, {"emb", "F16", 70002, 2},
};

/* ---- round trips ------------------------------------------------------------------- */

static void check_reader(emz_reader *r, emz_dctx *d, const uint8_t *file, size_t size) {
    emz_reader_info info;
    cr_assert(emz_reader_info_get(r, &info) == EMZ_OK);
    cr_assert(info.is_container && info.is_safetensors);
    cr_assert_eq(info.original_size, size);
    cr_assert(info.tensor_count > 0);
    uint8_t *back = xmalloc(size);
    memset(back, 0xA5, size);
    emz_status st = emz_reader_read(r, d, back, size, 0, size);
    cr_assert(st == EMZ_OK, "read all: %s (%s)", emz_error_name(st), emz_dctx_error_detail(d));
    cr_assert(memcmp(back, file, size) == 0, "whole file differs");
    mem_sink out = new_sink();
    emz_sink sink = {mem_write, &out};
    uint64_t written = 0;
    st = emz_reader_decompress(r, d, &sink, &written);
    cr_assert(st == EMZ_OK, "decompress: %s", emz_error_name(st));
    cr_assert(written == size && out.size == size && memcmp(out.data, file, size) == 0);
    free(out.data);
    cr_assert(emz_reader_decompress(r, d, NULL, &written) == EMZ_OK && written == size);
    uint64_t previous_end = 0;
    for (uint64_t t = 0; t < info.tensor_count; t++) {
        emz_tensor_info ti;
        cr_assert(emz_reader_tensor(r, t, &ti) == EMZ_OK);
        cr_assert(ti.offset >= previous_end, "tensors out of order at %s", ti.name);
        previous_end = ti.offset + ti.size;
        uint64_t found;
        cr_assert(emz_reader_find_tensor(r, ti.name, &found) == EMZ_OK && found == t);
        memset(back, 0xA5, ti.size);
        st = emz_reader_read_tensor(r, d, t, back, size, 0, ti.size);
        cr_assert(st == EMZ_OK && memcmp(back, file + ti.offset, ti.size) == 0, "tensor %s",
                  ti.name);
        if (ti.size > 10) { /* a range inside the tensor, off chunk boundaries */
            uint64_t from = ti.size / 3, len = ti.size / 2;
            st = emz_reader_read_tensor(r, d, t, back, size, from, len);
            cr_assert(st == EMZ_OK && memcmp(back, file + ti.offset + from, len) == 0);
            cr_assert(emz_reader_read_tensor(r, d, t, back, size, from, ti.size) ==
                      EMZ_ERROR_RANGE);
        }
        cr_assert(ti.stored_size <= ti.size + 64 + ti.size / 1000, "%s stored %llu of %llu",
                  ti.name, (unsigned long long)ti.stored_size, (unsigned long long)ti.size);
    }
    uint64_t none;
    cr_assert(emz_reader_find_tensor(r, "no such tensor", &none) == EMZ_ERROR_RANGE);
    emz_tensor_info ti;
    cr_assert(emz_reader_tensor(r, info.tensor_count, &ti) == EMZ_ERROR_RANGE);
    cr_assert(emz_reader_read(r, d, back, size, 1, size) == EMZ_ERROR_RANGE);
    cr_assert(emz_reader_read(r, d, back, size - 1, 0, size) == EMZ_ERROR_DST_TOO_SMALL);
    free(back);
}

Test(container, corpus_round_trip_any_thread_count, .timeout = 600) {
    size_t n;
    char **files = tc_corpus_files(&n);
    emz_dctx *d = emz_dctx_create();
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_THREADS, 2) == EMZ_OK);
    for (size_t i = 0; i < n; i++) {
        size_t size;
        uint8_t *file = read_file(files[i], &size);
        emz_status st;
        mem_sink one = compress_st(file, size, 1, &st, NULL, 0);
        cr_assert(st == EMZ_OK, "%s: %s", files[i], emz_error_name(st));
        for (int threads = 2; threads <= 3; threads++) {
            mem_sink more = compress_st(file, size, threads, &st, NULL, 0);
            cr_assert(st == EMZ_OK && more.size == one.size &&
                          memcmp(more.data, one.data, one.size) == 0,
                      "%s: %d threads give other bytes", files[i], threads);
            free(more.data);
        }
        cr_assert(one.size < size, "%s did not shrink", files[i]);
        cr_assert(one.size > 40 &&
                      memcmp(one.data,
                             "\x89"
                             "EMC",
                             4) == 0 &&
                      one.data[4] == 3,
                  "%s: not a version 3 container", files[i]);
        mem_src ms;
        emz_reader *r = open_mem(&one, &ms, d, &st);
        cr_assert(st == EMZ_OK, "%s: open: %s %s", files[i], emz_error_name(st),
                  emz_dctx_error_detail(d));
        check_reader(r, d, file, size);
        emz_reader_close(r);
        free(one.data), free(file), free(files[i]);
    }
    free(files);
    emz_dctx_free(d);
}

Test(container, synthetic_model_with_small_tensors_and_every_mapping) {
    size_t size;
    uint8_t *file = synth_file(small_model, sizeof small_model / sizeof *small_model, &size);
    emz_status st;
    mem_sink c = compress_st(file, size, 2, &st, NULL, 0);
    cr_assert(st == EMZ_OK);
    mem_src ms;
    emz_reader *r = open_mem(&c, &ms, NULL, &st);
    cr_assert(st == EMZ_OK);
    check_reader(r, NULL, file, size);
    emz_reader *in_memory = NULL; /* the same container, decoded in place */
    cr_assert(emz_reader_open_memory(NULL, c.data, c.size, &in_memory) == EMZ_OK);
    check_reader(in_memory, NULL, file, size);
    emz_reader_close(in_memory);
    const struct {
        const char *name;
        emz_type type;
        unsigned dims;
    } want[] = {{"w.a", EMZ_TYPE_BF16, 1},
                {"w.b", EMZ_TYPE_FP8_E4M3, 1},
                {"mlp.blocks", EMZ_TYPE_FP4_E2M1, 1},
                {"mlp.scales", EMZ_TYPE_BYTES, 1},
                {"emb", EMZ_TYPE_FP16, 1},
                {"scale", EMZ_TYPE_BYTES, 1}}; /* 4 bytes: in the header's frame */
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        uint64_t index;
        emz_tensor_info ti;
        cr_assert(emz_reader_find_tensor(r, want[i].name, &index) == EMZ_OK);
        cr_assert(emz_reader_tensor(r, index, &ti) == EMZ_OK);
        cr_assert_eq(ti.type, want[i].type, "%s", want[i].name);
        cr_assert_eq(ti.dims, want[i].dims);
    }
    /* a 4-byte tensor shares the header's bytes frame: no frame of its own */
    uint64_t index;
    emz_tensor_info ti;
    cr_assert(emz_reader_find_tensor(r, "scale", &index) == EMZ_OK);
    cr_assert(emz_reader_tensor(r, index, &ti) == EMZ_OK && ti.stored_size == 0);
    emz_reader_close(r);
    free(c.data), free(file);
}

/* Each segment gets its type's default chunk size: 128 KiB for FP8, 1 MiB for BF16, 256 KiB
 * for FP16. */
Test(container, default_chunk_size_per_segment_type) {
    static const synth_tensor model[] = {{"w.a", "BF16", 2048 * 1024, 2},
                                         {"w.b", "F8_E4M3", 512 * 1024, 1},
                                         {"w.c", "F16", 512 * 1024, 2}};
    size_t size;
    uint8_t *file = synth_file(model, 3, &size);
    emz_status st;
    mem_sink c = compress_st(file, size, 2, &st, NULL, 0);
    cr_assert(st == EMZ_OK);
    mem_src ms;
    emz_reader *r = open_mem(&c, &ms, NULL, &st);
    cr_assert(st == EMZ_OK);
    check_reader(r, NULL, file, size);
    emz_reader_info info;
    cr_assert(emz_reader_info_get(r, &info) == EMZ_OK);
    /* the header's segment, 2 BF16 chunks of 1 MiB, 4 FP8 chunks of 128 KiB, 2 FP16 chunks of
     * 256 KiB */
    cr_assert_eq(info.chunk_count, 1 + 2 + 4 + 2);
    emz_reader_close(r);
    free(c.data), free(file);
}

/* ---- bare frames: streaming equals emz_compress ------------------------------------ */

Test(container, stream_frames_equal_emz_compress) {
    const size_t sizes[] = {0, 1, 7, 4095, 4096, 4097, 65536 * 3 + 5, (1 << 20) + 3};
    const emz_type types[] = {EMZ_TYPE_BYTES,    EMZ_TYPE_BF16,     EMZ_TYPE_FP16,    EMZ_TYPE_FP32,
                              EMZ_TYPE_FP8_E4M3, EMZ_TYPE_FP8_E5M2, EMZ_TYPE_FP4_E2M1};
    size_t max = (1 << 20) + 3;
    uint8_t *data = xmalloc(max), *frame = xmalloc(emz_compress_bound(max));
    uint8_t *back = xmalloc(max);
    tu_fill_smooth(data, max, EMZ_TYPE_BF16, 11);
    for (size_t ti = 0; ti < sizeof types / sizeof *types; ti++)
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
            for (int chunk = 4096; chunk <= 65536; chunk *= 16)
                for (int threads = 1; threads <= 3; threads += 2) {
                    size_t n = sizes[si];
                    emz_cctx *c = emz_cctx_create();
                    emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, chunk);
                    emz_cctx_set_param(c, EMZ_PARAM_THREADS, threads);
                    size_t fsize;
                    cr_assert(emz_compress(c, frame, emz_compress_bound(n), data, n, types[ti],
                                           &fsize) == EMZ_OK);
                    mem_src ms = {data, -1, 0};
                    emz_source src = {mem_read, &ms, n};
                    mem_sink out = new_sink();
                    emz_sink sink = {mem_write, &out};
                    uint64_t written;
                    emz_status st = emz_compress_stream(c, &src, types[ti], &sink, &written);
                    cr_assert(st == EMZ_OK && written == fsize && out.size == fsize &&
                                  memcmp(out.data, frame, fsize) == 0,
                              "type %d size %zu chunk %d threads %d", (int)types[ti], n, chunk,
                              threads);
                    /* and the reader decodes the bare frame */
                    emz_reader *r;
                    mem_src rs;
                    r = open_mem(&out, &rs, NULL, &st);
                    cr_assert(st == EMZ_OK, "open bare frame: %s", emz_error_name(st));
                    emz_reader_info info;
                    emz_reader_info_get(r, &info);
                    cr_assert(!info.is_container && info.type == types[ti] &&
                              info.original_size == n && info.tensor_count == 0);
                    if (n) {
                        cr_assert(emz_reader_read(r, NULL, back, max, n / 3, n - n / 3) == EMZ_OK);
                        cr_assert(memcmp(back, data + n / 3, n - n / 3) == 0);
                    }
                    emz_reader_close(r);
                    free(out.data);
                    emz_cctx_free(c);
                }
    free(data), free(frame), free(back);
}

/* ---- malformed safetensors --------------------------------------------------------- */

static void expect_refused(const char *json, size_t data_size, const char *expect_in_detail) {
    size_t len = strlen(json), size = 8 + len + data_size;
    uint8_t *file = xmalloc(size);
    for (int b = 0; b < 8; b++)
        file[b] = (uint8_t)((uint64_t)len >> 8 * b);
    memcpy(file + 8, json, len);
    memset(file + 8 + len, 0x3C, data_size);
    emz_cctx *c = emz_cctx_create();
    mem_src ms = {file, -1, 0};
    emz_source src = {mem_read, &ms, size};
    mem_sink out = new_sink();
    emz_sink sink = {mem_write, &out};
    uint64_t written = 99;
    emz_status st = emz_compress_safetensors(c, &src, &sink, &written);
    cr_assert(st == EMZ_ERROR_BAD_SAFETENSORS, "%s: %s", json, emz_error_name(st));
    cr_assert(out.writes == 0, "%s: something was written before the refusal", json);
    const char *detail = emz_cctx_error_detail(c);
    cr_assert(strstr(detail, expect_in_detail) != NULL, "detail \"%s\" lacks \"%s\"", detail,
              expect_in_detail);
    emz_cctx_free(c);
    free(file);
}

Test(container, malformed_safetensors_refused_naming_the_problem) {
    expect_refused("{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}", 8, "JSON");
    expect_refused("[1,2,3]", 0, "object");
    expect_refused("{\"a\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,8]}}", 8, "\"a\"");
    expect_refused("{\"a\":{\"dtype\":\"BF16\",\"shape\":[5],\"data_offsets\":[0,8]}}", 8, "\"a\"");
    expect_refused("{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", 4, "\"a\"");
    expect_refused("{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                   "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[4,12]}}",
                   12, "\"b\"");
    /* a header length beyond the file */
    uint8_t file[16] = {0xFF, 0xFF, 0, 0, 0, 0, 0, 0, '{', '}'};
    emz_cctx *c = emz_cctx_create();
    mem_src ms = {file, -1, 0};
    emz_source src = {mem_read, &ms, sizeof file};
    mem_sink out = new_sink();
    emz_sink sink = {mem_write, &out};
    cr_assert(emz_compress_safetensors(c, &src, &sink, NULL) == EMZ_ERROR_BAD_SAFETENSORS);
    cr_assert(out.writes == 0 && strstr(emz_cctx_error_detail(c), "beyond the file"));
    emz_cctx_free(c);
}

/* ---- corruption, truncation, hostile bytes --------------------------------------- */

Test(container, corrupt_chunk_reported_with_its_tensor) {
    size_t size;
    uint8_t *file = synth_file(small_model, sizeof small_model / sizeof *small_model, &size);
    emz_status st;
    mem_sink c = compress_st(file, size, 1, &st, NULL, 0);
    /* "emb" is the last and largest tensor: its payloads end just before the directory, which
     * the trailer's size locates (FORMAT.md, container version 2) */
    cr_assert_eq(c.data[4], 3, "the container is version 3");
    size_t meta =
        c.data[c.size - 8] | (size_t)c.data[c.size - 7] << 8 | (size_t)c.data[c.size - 6] << 16;
    size_t directory = c.size - 8 - meta;
    c.data[directory - 3000] ^= 0x10;
    emz_dctx *d = emz_dctx_create();
    mem_src ms;
    emz_reader *r = open_mem(&c, &ms, d, &st);
    cr_assert(st == EMZ_OK, "payload damage is found when decoding, not when opening");
    st = emz_reader_decompress(r, d, NULL, NULL);
    cr_assert(st == EMZ_ERROR_CHECKSUM || st == EMZ_ERROR_CORRUPT, "%s", emz_error_name(st));
    cr_assert(strstr(emz_dctx_error_detail(d), "tensor \"emb\"") != NULL, "detail: %s",
              emz_dctx_error_detail(d));
    /* the other tensors still read */
    uint64_t index;
    emz_tensor_info ti;
    uint8_t *back = xmalloc(size);
    cr_assert(emz_reader_find_tensor(r, "w.a", &index) == EMZ_OK);
    emz_reader_tensor(r, index, &ti);
    cr_assert(emz_reader_read_tensor(r, d, index, back, size, 0, ti.size) == EMZ_OK);
    cr_assert(memcmp(back, file + ti.offset, ti.size) == 0);
    emz_reader_close(r);
    emz_dctx_free(d);
    free(back), free(c.data), free(file);
}

/* Every truncation and every single-bit flip of a small container: opening and decoding
 * either fail with a status or give back the original bytes (checksums guard the rest). */
Test(container, truncations_and_bit_flips_fail_cleanly, .timeout = 600) {
    const synth_tensor model[] = {{"x", "BF16", 9000, 2}, {"y", "F8_E5M2", 5000, 1}};
    size_t size;
    uint8_t *file = synth_file(model, 2, &size);
    emz_status st;
    mem_sink c = compress_st(file, size, 1, &st, NULL, 0);
    cr_assert(st == EMZ_OK);
    uint8_t *back = xmalloc(size);
    for (size_t cut = 0; cut < c.size; cut++) {
        mem_sink t = {c.data, cut, cut, 0, -1};
        mem_src ms;
        emz_reader *r = open_mem(&t, &ms, NULL, &st);
        cr_assert(st != EMZ_OK && r == NULL, "a container cut to %zu bytes opened", cut);
    }
    uint8_t *damaged = xmalloc(c.size);
    for (size_t i = 0; i < c.size; i++) {
        memcpy(damaged, c.data, c.size);
        damaged[i] ^= (uint8_t)(1u << (i % 8));
        mem_sink t = {damaged, c.size, c.size, 0, -1};
        mem_src ms;
        emz_reader *r = open_mem(&t, &ms, NULL, &st);
        if (st != EMZ_OK) continue;
        emz_reader_info info;
        emz_reader_info_get(r, &info);
        st = info.original_size == size ? emz_reader_read(r, NULL, back, size, 0, size)
                                        : EMZ_ERROR_CORRUPT;
        cr_assert(st != EMZ_OK || memcmp(back, file, size) == 0,
                  "a flip at byte %zu decoded to other data", i);
        emz_reader_close(r);
    }
    free(damaged), free(back), free(c.data), free(file);
}

/* ---- progress, cancellation, I/O failures ---------------------------------------- */

typedef struct progress_log {
    uint64_t last, total;
    int calls, cancel_at;
} progress_log;

static int on_progress(void *opaque, uint64_t done, uint64_t total) {
    progress_log *p = opaque;
    cr_assert(done >= p->last && done <= total);
    p->last = done, p->total = total;
    return ++p->calls == p->cancel_at;
}

Test(container, progress_and_cancel) {
    size_t n = 3 << 20;
    uint8_t *data = xmalloc(n);
    tu_fill_smooth(data, n, EMZ_TYPE_BF16, 5);
    emz_cctx *c = emz_cctx_create();
    emz_cctx_set_param(c, EMZ_PARAM_THREADS, 2);
    progress_log log = {0, 0, 0, -1};
    emz_cctx_set_progress(c, on_progress, &log);
    mem_src ms = {data, -1, 0};
    emz_source src = {mem_read, &ms, n};
    mem_sink out = new_sink();
    emz_sink sink = {mem_write, &out};
    cr_assert(emz_compress_stream(c, &src, EMZ_TYPE_BF16, &sink, NULL) == EMZ_OK);
    cr_assert(log.calls >= 2 && log.last == n && log.total == n, "calls %d", log.calls);
    log = (progress_log){0, 0, 0, 1};
    mem_sink cancelled = new_sink();
    sink.opaque = &cancelled;
    cr_assert(emz_compress_stream(c, &src, EMZ_TYPE_BF16, &sink, NULL) == EMZ_ERROR_CANCELLED);
    emz_dctx *d = emz_dctx_create();
    emz_dctx_set_param(d, EMZ_PARAM_THREADS, 2);
    log = (progress_log){0, 0, 0, -1};
    emz_dctx_set_progress(d, on_progress, &log);
    mem_src rs;
    emz_status st;
    emz_reader *r = open_mem(&out, &rs, d, &st);
    cr_assert(st == EMZ_OK);
    cr_assert(emz_reader_decompress(r, d, NULL, NULL) == EMZ_OK && log.last == n);
    log = (progress_log){0, 0, 0, 2};
    cr_assert(emz_reader_decompress(r, d, NULL, NULL) == EMZ_ERROR_CANCELLED);
    emz_reader_close(r);
    emz_dctx_free(d);
    emz_cctx_free(c);
    free(out.data), free(cancelled.data), free(data);
}

Test(container, read_and_write_failures_are_io_errors) {
    size_t size;
    uint8_t *file = synth_file(small_model, sizeof small_model / sizeof *small_model, &size);
    emz_cctx *c = emz_cctx_create();
    emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 4096);
    for (long fail = 0; fail < 12; fail++) {
        mem_src ms = {file, fail, 0};
        emz_source src = {mem_read, &ms, size};
        mem_sink out = new_sink();
        emz_sink sink = {mem_write, &out};
        cr_assert(emz_compress_safetensors(c, &src, &sink, NULL) == EMZ_ERROR_IO, "read %ld", fail);
        free(out.data);
        ms = (mem_src){file, -1, 0};
        out = new_sink();
        out.fail_after = fail;
        cr_assert(emz_compress_safetensors(c, &src, &sink, NULL) == EMZ_ERROR_IO, "write %ld",
                  fail);
        free(out.data);
    }
    emz_status st;
    mem_sink good = compress_st(file, size, 1, &st, NULL, 0);
    /* the reads opening takes: each of them failing fails the open */
    mem_src counting = {good.data, 1000, 0};
    emz_source counted = {mem_read, &counting, good.size};
    emz_reader *opened = NULL;
    cr_assert(emz_reader_open(NULL, &counted, &opened) == EMZ_OK);
    emz_reader_close(opened);
    long open_reads = 1000 - counting.fail_after;
    cr_assert(open_reads >= 3, "opening took %ld reads", open_reads); /* header, trailer, index */
    for (long fail = 0; fail < 6; fail++) {
        mem_src ms = {good.data, -1, 0};
        emz_source src = {mem_read, &ms, good.size};
        emz_reader *r = NULL;
        cr_assert(emz_reader_open(NULL, &src, &r) == EMZ_OK);
        ms.fail_after = fail;
        cr_assert(emz_reader_decompress(r, NULL, NULL, NULL) == EMZ_ERROR_IO);
        emz_reader_close(r);
        ms.fail_after = fail;
        if (fail < open_reads)
            cr_assert(emz_reader_open(NULL, &src, &r) == EMZ_ERROR_IO && r == NULL);
    }
    emz_cctx_free(c);
    free(good.data), free(file);
}

/* ---- one reader, several threads --------------------------------------------------- */

typedef struct reader_thread {
    emz_reader *r;
    const uint8_t *file;
    uint64_t first;
    int ok;
} reader_thread;

static void *read_every_other(void *arg) {
    reader_thread *t = arg;
    emz_dctx *d = emz_dctx_create();
    emz_reader_info info;
    emz_reader_info_get(t->r, &info);
    t->ok = 1;
    for (int round = 0; round < 20; round++)
        for (uint64_t i = t->first; i < info.tensor_count; i += 2) {
            emz_tensor_info ti;
            emz_reader_tensor(t->r, i, &ti);
            uint8_t *buf = malloc(ti.size + 1);
            if (emz_reader_read_tensor(t->r, d, i, buf, ti.size, 0, ti.size) != EMZ_OK ||
                memcmp(buf, t->file + ti.offset, ti.size) != 0)
                t->ok = 0;
            free(buf);
        }
    emz_dctx_free(d);
    return NULL;
}

Test(container, one_reader_serves_two_threads) {
    size_t size;
    uint8_t *file = synth_file(small_model, sizeof small_model / sizeof *small_model, &size);
    emz_status st;
    mem_sink c = compress_st(file, size, 1, &st, NULL, 0);
    mem_src ms;
    emz_reader *r = open_mem(&c, &ms, NULL, &st);
    cr_assert(st == EMZ_OK);
    reader_thread a = {r, file, 0, 0}, b = {r, file, 1, 0};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, read_every_other, &a);
    pthread_create(&tb, NULL, read_every_other, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    cr_assert(a.ok && b.ok);
    emz_reader_close(r);
    free(c.data), free(file);
}

/* Reading one tensor reads its frame and nothing else of the data: the bytes the source gives
 * after opening are at most that frame. */
static void reads_only_its_frame(const char *path) {
    size_t size;
    uint8_t *file = read_file(path, &size);
    emz_status st;
    mem_sink c = compress_st(file, size, 2, &st, NULL, 0);
    cr_assert(st == EMZ_OK);
    mem_src ms;
    emz_reader *r = open_mem(&c, &ms, NULL, &st);
    cr_assert(st == EMZ_OK);
    uint64_t opened = ms.bytes_read;
    /* the directory, the header's frame and no tensor data: well under the file */
    cr_assert(opened < c.size / 20, "%s: opening read %llu of %zu bytes", path,
              (unsigned long long)opened, c.size);
    emz_reader_info info;
    emz_reader_info_get(r, &info);
    uint8_t *buf = xmalloc(size);
    int checked = 0;
    for (uint64_t t = 0; t < info.tensor_count; t++) {
        emz_tensor_info ti;
        emz_reader_tensor(r, t, &ti);
        if (ti.stored_size == 0) continue;
        uint64_t before = ms.bytes_read;
        cr_assert(emz_reader_read_tensor(r, NULL, t, buf, size, 0, ti.size) == EMZ_OK);
        uint64_t used = ms.bytes_read - before;
        cr_assert(used <= ti.stored_size, "%s: tensor %s: read %llu bytes, its frame is %llu", path,
                  ti.name, (unsigned long long)used, (unsigned long long)ti.stored_size);
        cr_assert(memcmp(buf, file + ti.offset, ti.size) == 0);
        checked++;
    }
    cr_assert(checked > 50, "%s: only %d tensors have frames of their own", path, checked);
    emz_reader_close(r);
    free(buf), free(c.data), free(file);
}

/* On movenet_thunder.bf16: the whole model in the full corpus; in the sample, a slice made for
 * this test, also of more than 50 tensor frames (tests/data/make_sample.py). */
Test(container, one_tensor_reads_only_its_frame, .timeout = 300) {
    tc_corpora corpora = tc_corpora_get();
    for (size_t k = 0; k < corpora.n; k++) {
        size_t n, found = 0;
        char **files = tc_files_of(&corpora.c[k], &n);
        for (size_t f = 0; f < n; f++)
            if (strstr(files[f], "/movenet_thunder.bf16.safetensors")) {
                reads_only_its_frame(files[f]);
                found++;
            }
        tc_free_files(files, n);
        cr_assert(found == 1, "%s: no movenet_thunder.bf16.safetensors", corpora.c[k].dir);
    }
}

/* A FIFO is refused at once: opening it must not wait for a writer (nothing ever writes to this
 * one; the test's timeout catches a hang). */
Test(container, open_file_refuses_a_fifo_without_waiting, .timeout = 20) {
    char path[] = "/tmp/emzip-fifo-XXXXXX";
    cr_assert(mkdtemp(path) != NULL);
    char fifo[sizeof path + 8];
    snprintf(fifo, sizeof fifo, "%s/fifo", path);
    cr_assert(mkfifo(fifo, 0600) == 0);
    emz_dctx *d = emz_dctx_create();
    emz_reader *r = NULL;
    emz_status st = emz_reader_open_file(d, fifo, &r);
    cr_assert_eq(st, EMZ_ERROR_IO, "%s", emz_error_name(st));
    cr_assert(r == NULL);
    cr_assert(strstr(emz_dctx_error_detail(d), "not a regular file") != NULL, "%s",
              emz_dctx_error_detail(d));
    emz_dctx_free(d);
    unlink(fifo);
    rmdir(path);
}
