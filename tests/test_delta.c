/* test_delta.c - checkpoints stored against a base (emz_compress_safetensors_delta; FORMAT.md,
 * "Delta segments"): round trips through every read path with the base in memory and through a
 * source, every kind of tensor (unchanged, changed, renamed, reshaped, retyped, small), the cost
 * of an unchanged tensor, refusals without the base or with another one, the delta kernel of
 * every implementation against scalar, identical output across implementations and threads, and
 * forged directory and index entries. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/checksum.h"
#include "emzip.h"
#include "engine/dispatch.h"
#include "kernels/kernels.h"

typedef struct mem {
    uint8_t *data;
    size_t size, cap;
} mem;

static int mem_read(void *opaque, void *buf, size_t size, uint64_t offset) {
    const mem *m = opaque;
    if (offset > m->size || size > m->size - offset) return -1;
    memcpy(buf, m->data + offset, size);
    return 0;
}

static int mem_write(void *opaque, const void *buf, size_t size) {
    mem *m = opaque;
    if (m->size + size > m->cap) {
        m->cap = (m->size + size) * 2;
        m->data = realloc(m->data, m->cap);
        cr_assert(m->data != NULL);
    }
    memcpy(m->data + m->size, buf, size);
    m->size += size;
    return 0;
}

/* ---- synthetic checkpoints ------------------------------------------------------------ */

typedef struct tensor {
    const char *name, *dtype;
    unsigned elem; /* bytes an element */
    size_t count;  /* elements; shape [count] or [2, count / 2] when split */
    bool split;
} tensor;

static uint64_t next(uint64_t *s) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* A file of the given tensors, back to back, float-like data from seed. */
static mem make_file(const tensor *t, size_t n, uint64_t seed) {
    char json[8192];
    size_t at = 0, len = (size_t)snprintf(json, sizeof json, "{");
    for (size_t i = 0; i < n; i++) {
        size_t bytes = t[i].count * t[i].elem;
        char shape[64];
        if (t[i].split)
            snprintf(shape, sizeof shape, "[2,%zu]", t[i].count / 2);
        else
            snprintf(shape, sizeof shape, "[%zu]", t[i].count);
        len +=
            (size_t)snprintf(json + len, sizeof json - len,
                             "%s\"%s\":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":[%zu,%zu]}",
                             i ? "," : "", t[i].name, t[i].dtype, shape, at, at + bytes);
        at += bytes;
    }
    len += (size_t)snprintf(json + len, sizeof json - len, "}");
    mem f = {malloc(8 + len + at), 8 + len + at, 8 + len + at};
    cr_assert(f.data != NULL);
    for (int b = 0; b < 8; b++)
        f.data[b] = (uint8_t)((uint64_t)len >> 8 * b);
    memcpy(f.data + 8, json, len);
    for (size_t i = 8 + len; i < f.size; i++) {
        uint64_t r = next(&seed);
        f.data[i] = (i & 1) ? (uint8_t)(0x3C + (r & 3)) : (uint8_t)r;
    }
    return f;
}

/* The data of the file's tensor that starts `at` bytes into its data region. */
static size_t data_start(const mem *f) {
    uint64_t n = 0;
    for (int b = 0; b < 8; b++)
        n |= (uint64_t)f->data[b] << 8 * b;
    return 8 + (size_t)n;
}

/* Nudges every element of bytes [from, to) of f's data region by a small step, as training
 * does: the low byte of each little-endian element changes, now and then with a carry. */
static void nudge(mem *f, size_t from, size_t to, unsigned elem, uint64_t seed) {
    uint8_t *d = f->data + data_start(f);
    for (size_t i = from; i + elem <= to; i += elem) {
        unsigned step = (unsigned)(next(&seed) % 7);
        unsigned v = d[i] + step;
        d[i] = (uint8_t)v;
        if (v > 255 && elem > 1) d[i + 1]++;
    }
}

static mem compress(const mem *file, const mem *base, int threads, emz_impl impl,
                    emz_delta_summary *summary, emz_status *status) {
    emz_cctx *c = emz_cctx_create();
    cr_assert(c != NULL);
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_THREADS, threads) == EMZ_OK);
    if (emz_cctx_set_param(c, EMZ_PARAM_IMPL, (int)impl) != EMZ_OK) {
        emz_cctx_free(c);
        *status = EMZ_ERROR_IMPL_UNAVAILABLE;
        return (mem){0};
    }
    emz_source src = {mem_read, (void *)file, file->size};
    emz_source bsrc = {mem_read, (void *)base, base ? base->size : 0};
    mem out = {0};
    emz_sink sink = {mem_write, &out};
    uint64_t written = 0;
    *status = base ? emz_compress_safetensors_delta(c, &src, &bsrc, &sink, &written, summary)
                   : emz_compress_safetensors(c, &src, &sink, &written);
    if (*status == EMZ_OK) cr_assert_eq(written, out.size);
    emz_cctx_free(c);
    return out;
}

static mem compress_ok(const mem *file, const mem *base, emz_delta_summary *summary) {
    emz_status st;
    mem out = compress(file, base, 2, EMZ_IMPL_AUTO, summary, &st);
    cr_assert_eq(st, EMZ_OK, "compress: %s", emz_error_name(st));
    return out;
}

static emz_reader *open_reader(const mem *container) {
    emz_reader *r = NULL;
    cr_assert_eq(emz_reader_open_memory(NULL, container->data, container->size, &r), EMZ_OK);
    return r;
}

/* The base, the new checkpoint (every kind of tensor against it) and what each tensor became. */
static const tensor base_tensors[] = {
    {"same.big", "BF16", 2, 400000, false},     /* unchanged, several chunks */
    {"changed.bf16", "BF16", 2, 300001, false}, /* nudged */
    {"changed.f32", "F32", 4, 70001, false},    /* nudged */
    {"changed.f16", "F16", 2, 5003, false},     /* nudged */
    {"changed.e4m3", "F8_E4M3", 1, 9001, false},
    {"renamed.old", "BF16", 2, 4000, false},
    {"reshaped", "BF16", 2, 4000, false},
    {"retyped", "BF16", 2, 4000, false},
    {"small", "F32", 4, 3, false},
    {"gone", "BF16", 2, 1000, false},
};
static const tensor new_tensors[] = {
    {"changed.bf16", "BF16", 2, 300001, false}, /* another order than the base's */
    {"same.big", "BF16", 2, 400000, false},     {"changed.f32", "F32", 4, 70001, false},
    {"changed.f16", "F16", 2, 5003, false},     {"changed.e4m3", "F8_E4M3", 1, 9001, false},
    {"renamed.new", "BF16", 2, 4000, false},    {"reshaped", "BF16", 2, 4000, true},
    {"retyped", "F16", 2, 4000, false},         {"small", "F32", 4, 3, false},
    {"added", "BF16", 2, 1000, false},
};
enum { TENSORS = sizeof new_tensors / sizeof new_tensors[0] };

/* Offset of tensor `name` in f's data region (f made by make_file from t). */
static size_t offset_of(const tensor *t, size_t n, const char *name, size_t *size) {
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].name, name) == 0) {
            *size = t[i].count * t[i].elem;
            return at;
        }
        at += t[i].count * t[i].elem;
    }
    cr_assert_fail("no tensor %s", name);
    return 0;
}

/* Copies the base's bytes of each tensor the new file has under the same name, then nudges the
 * "changed.*" ones. */
static void make_pair(mem *base, mem *file) {
    *base = make_file(base_tensors, TENSORS, 1);
    *file = make_file(new_tensors, TENSORS, 2);
    for (size_t i = 0; i < TENSORS; i++) {
        size_t bsize, nsize;
        const char *name = new_tensors[i].name;
        bool in_base = false;
        for (size_t j = 0; j < TENSORS; j++)
            in_base |= strcmp(base_tensors[j].name, name) == 0;
        if (!in_base) continue;
        size_t from = offset_of(base_tensors, TENSORS, name, &bsize);
        size_t to = offset_of(new_tensors, TENSORS, name, &nsize);
        cr_assert_eq(bsize, nsize);
        memcpy(file->data + data_start(file) + to, base->data + data_start(base) + from, nsize);
        if (strncmp(name, "changed.", 8) == 0) nudge(file, to, to + nsize, new_tensors[i].elem, i);
    }
}

static void check_reads(emz_reader *r, const mem *file, int threads) {
    emz_dctx *d = emz_dctx_create();
    cr_assert(d != NULL);
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_THREADS, threads) == EMZ_OK);
    uint8_t *out = malloc(file->size);
    cr_assert(out != NULL);
    memset(out, 0xAA, file->size);
    cr_assert_eq(emz_reader_read(r, d, out, file->size, 0, file->size), EMZ_OK, "%s",
                 emz_dctx_error_detail(d));
    cr_assert(memcmp(out, file->data, file->size) == 0);
    mem streamed = {0};
    emz_sink sink = {mem_write, &streamed};
    uint64_t written = 0;
    cr_assert_eq(emz_reader_decompress(r, d, &sink, &written), EMZ_OK, "%s",
                 emz_dctx_error_detail(d));
    cr_assert_eq(written, file->size);
    cr_assert(memcmp(streamed.data, file->data, file->size) == 0);
    free(streamed.data);
    /* ranges that start and end inside, at the edges of and across tensors and chunks */
    uint64_t seed = 99;
    for (int i = 0; i < 200; i++) {
        uint64_t a = next(&seed) % file->size, b = next(&seed) % (i % 3 ? 70000 : file->size);
        uint64_t len = b < file->size - a ? b : file->size - a;
        memset(out, 0, (size_t)len);
        cr_assert_eq(emz_reader_read(r, d, out, file->size, a, len), EMZ_OK);
        cr_assert(memcmp(out, file->data + a, (size_t)len) == 0, "range %" PRIu64 "+%" PRIu64, a,
                  len);
    }
    emz_reader_info info;
    cr_assert_eq(emz_reader_info_get(r, &info), EMZ_OK);
    for (uint64_t t = 0; t < info.tensor_count; t++) {
        emz_tensor_info ti;
        cr_assert_eq(emz_reader_tensor(r, t, &ti), EMZ_OK);
        cr_assert_eq(emz_reader_read_tensor(r, d, t, out, file->size, 0, ti.size), EMZ_OK);
        cr_assert(memcmp(out, file->data + ti.offset, ti.size) == 0, "tensor %s", ti.name);
    }
    free(out);
    emz_dctx_free(d);
}

Test(delta, every_kind_of_tensor_round_trips_with_the_base_in_memory_or_a_source) {
    mem base, file;
    make_pair(&base, &file);
    emz_delta_summary sum;
    mem c = compress_ok(&file, &base, &sum);
    /* tensors of 64 bytes and more: all but "small"; matched: the changed ones and same.big */
    cr_assert_eq(sum.tensors, TENSORS - 1, "%" PRIu64, sum.tensors);
    cr_assert_eq(sum.same, 1);
    cr_assert_eq(sum.diff, 4);
    cr_assert_eq(sum.alone, 4, "renamed, reshaped, retyped, added: %" PRIu64, sum.alone);
    emz_reader *r = open_reader(&c);
    emz_reader_info info;
    cr_assert_eq(emz_reader_info_get(r, &info), EMZ_OK);
    cr_assert(info.is_delta);
    for (uint64_t t = 0; t < info.tensor_count; t++) {
        emz_tensor_info ti;
        cr_assert_eq(emz_reader_tensor(r, t, &ti), EMZ_OK);
        int want = strcmp(ti.name, "same.big") == 0       ? 2
                   : strncmp(ti.name, "changed.", 8) == 0 ? 1
                                                          : 0;
        cr_assert_eq(ti.base_kind, want, "%s: kind %d", ti.name, ti.base_kind);
        if (want) {
            size_t size;
            size_t at = offset_of(base_tensors, TENSORS, ti.name, &size);
            cr_assert_eq(ti.base_offset, data_start(&base) + at);
            cr_assert_eq(ti.base_digest, emz_hash64(base.data + ti.base_offset, size));
        }
        if (want == 2) cr_assert_eq(ti.stored_size, 0);
    }
    cr_assert_eq(emz_reader_set_base_memory(r, base.data, base.size), EMZ_OK);
    check_reads(r, &file, 1);
    check_reads(r, &file, 3);
    emz_source bsrc = {mem_read, &base, base.size};
    cr_assert_eq(emz_reader_set_base(r, &bsrc), EMZ_OK);
    check_reads(r, &file, 2);
    emz_reader_close(r);
    free(base.data), free(file.data), free(c.data);
}

Test(delta, smaller_than_alone_and_a_delta_is_never_larger_per_chunk) {
    mem base, file;
    make_pair(&base, &file);
    emz_delta_summary sum;
    mem alone = compress_ok(&file, NULL, NULL), delta = compress_ok(&file, &base, &sum);
    /* the base of a checkpoint that shares nothing with it: every chunk is coded alone, and
     * the container costs only its directory's base fields more */
    mem other = make_file(base_tensors, TENSORS, 77);
    mem unrelated = compress_ok(&file, &other, &sum);
    cr_assert_lt(delta.size, alone.size * 3 / 4, "%zu vs %zu", delta.size, alone.size);
    cr_assert_leq(unrelated.size, alone.size + 20 * TENSORS, "%zu vs %zu", unrelated.size,
                  alone.size);
    free(base.data), free(file.data), free(other.data);
    free(alone.data), free(delta.data), free(unrelated.data);
}

/* A checkpoint of `count` unchanged 1 MiB tensors against itself: its size, and the bytes of
 * its directory and index (from its trailer). */
static size_t unchanged_container(size_t count, size_t *meta) {
    tensor t[32];
    char names[32][16];
    for (size_t i = 0; i < count; i++) {
        snprintf(names[i], sizeof names[i], "layer.%02zu.w", i);
        t[i] = (tensor){names[i], "BF16", 2, 1 << 19, false};
    }
    mem f = make_file(t, count, 5);
    emz_delta_summary sum;
    mem c = compress_ok(&f, &f, &sum);
    cr_assert_eq(sum.same, count);
    size_t size = c.size;
    *meta = (size_t)c.data[c.size - 8] | (size_t)c.data[c.size - 7] << 8 |
            (size_t)c.data[c.size - 6] << 16 | (size_t)c.data[c.size - 5] << 24;
    /* the header is the base's too: the tensors are listed once the base is given */
    emz_reader *r = open_reader(&c);
    emz_reader_info info;
    cr_assert_eq(emz_reader_info_get(r, &info), EMZ_OK);
    cr_assert(info.tensors_need_base && info.tensor_count == 0 && info.is_safetensors);
    mem other = {malloc(f.size), f.size, f.size};
    memcpy(other.data, f.data, f.size);
    other.data[20] ^= 1; /* another header: refused, the reader left without tensors */
    cr_assert_eq(emz_reader_set_base_memory(r, other.data, other.size), EMZ_ERROR_WRONG_BASE);
    cr_assert_eq(emz_reader_info_get(r, &info), EMZ_OK);
    cr_assert(info.tensors_need_base && info.tensor_count == 0);
    cr_assert_eq(emz_reader_set_base_memory(r, f.data, f.size), EMZ_OK);
    cr_assert_eq(emz_reader_info_get(r, &info), EMZ_OK);
    cr_assert(!info.tensors_need_base && info.tensor_count == count);
    free(other.data);
    check_reads(r, &f, 2);
    emz_reader_close(r);
    free(f.data), free(c.data);
    return size;
}

/* What an unchanged tensor adds to the container, its line of the safetensors header
 * included (the header is the base's: a reference too): its directory entry, no chunks, no
 * index entries. */
Test(delta, an_unchanged_tensor_costs_at_most_64_bytes) {
    size_t meta8, meta16;
    size_t eight = unchanged_container(8, &meta8), sixteen = unchanged_container(16, &meta16);
    double each = (double)(sixteen - eight) / 8;
    cr_assert_leq(each, 64.0, "%.1f bytes per unchanged 1 MiB tensor", each);
    cr_assert_leq(each, 20.0, "%.1f", each);       /* 3 + 1 + 1 + 1 + 4 + 8 bytes: size to digest */
    cr_assert_eq(sixteen - eight, meta16 - meta8); /* all of it directory */
}

Test(delta, refused_without_the_base_or_with_another_naming_tensor_and_digest) {
    mem base, file;
    make_pair(&base, &file);
    mem c = compress_ok(&file, &base, NULL);
    emz_reader *r = open_reader(&c);
    emz_dctx *d = emz_dctx_create();
    uint8_t *out = malloc(file.size);
    uint64_t index;
    emz_tensor_info ti;
    /* a tensor stored alone reads without a base */
    cr_assert_eq(emz_reader_find_tensor(r, "added", &index), EMZ_OK);
    cr_assert_eq(emz_reader_tensor(r, index, &ti), EMZ_OK);
    cr_assert_eq(emz_reader_read_tensor(r, d, index, out, file.size, 0, ti.size), EMZ_OK);
    const char *needs[] = {"changed.bf16", "same.big"};
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(emz_reader_find_tensor(r, needs[k], &index), EMZ_OK);
        cr_assert_eq(emz_reader_tensor(r, index, &ti), EMZ_OK);
        char digest[17];
        snprintf(digest, sizeof digest, "%016" PRIx64, ti.base_digest);
        emz_status st = emz_reader_read_tensor(r, d, index, out, file.size, 0, ti.size);
        cr_assert_eq(st, EMZ_ERROR_WRONG_BASE, "%s: %s", needs[k], emz_error_name(st));
        cr_assert(strstr(emz_dctx_error_detail(d), digest) != NULL, "%s", emz_dctx_error_detail(d));
        cr_assert(strstr(emz_dctx_error_detail(d), needs[k]) != NULL);
        cr_assert(strstr(emz_dctx_error_detail(d), "no base was given") != NULL);
    }
    cr_assert_eq(emz_reader_decompress(r, d, NULL, NULL), EMZ_ERROR_WRONG_BASE);
    /* another base: the file itself (other bytes at those offsets), and the base cut short */
    mem wrong = make_file(base_tensors, TENSORS, 3);
    cr_assert_eq(emz_reader_set_base_memory(r, wrong.data, wrong.size), EMZ_OK);
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(emz_reader_find_tensor(r, needs[k], &index), EMZ_OK);
        cr_assert_eq(emz_reader_read_tensor(r, d, index, out, file.size, 0, 4096),
                     EMZ_ERROR_WRONG_BASE);
        cr_assert(strstr(emz_dctx_error_detail(d), "other bytes") != NULL, "%s",
                  emz_dctx_error_detail(d));
    }
    cr_assert_eq(emz_reader_read(r, d, out, file.size, 0, file.size), EMZ_ERROR_WRONG_BASE);
    /* a base too short for the tensors that need it is refused when given */
    cr_assert_eq(emz_reader_set_base_memory(r, base.data, base.size / 2), EMZ_ERROR_WRONG_BASE);
    /* one wrong byte in a changed tensor's base: caught by the chunk's checksum, then named */
    mem bent = {malloc(base.size), base.size, base.size};
    memcpy(bent.data, base.data, base.size);
    size_t size, at = data_start(&base) + offset_of(base_tensors, TENSORS, "changed.f32", &size);
    bent.data[at + size / 2] ^= 1;
    cr_assert_eq(emz_reader_set_base_memory(r, bent.data, bent.size), EMZ_OK);
    cr_assert_eq(emz_reader_find_tensor(r, "changed.f32", &index), EMZ_OK);
    cr_assert_eq(emz_reader_read_tensor(r, d, index, out, file.size, 0, size),
                 EMZ_ERROR_WRONG_BASE);
    /* the right base afterwards: everything reads */
    cr_assert_eq(emz_reader_set_base_memory(r, base.data, base.size), EMZ_OK);
    check_reads(r, &file, 2);
    /* a file without deltas takes no base */
    mem plain = compress_ok(&file, NULL, NULL);
    emz_reader *p = open_reader(&plain);
    cr_assert_eq(emz_reader_set_base_memory(p, base.data, base.size), EMZ_ERROR_INVALID_ARGUMENT);
    emz_reader_close(p), emz_reader_close(r), emz_dctx_free(d);
    free(out), free(base.data), free(file.data), free(c.data), free(wrong.data), free(bent.data);
    free(plain.data);
}

Test(delta, a_compressed_base_through_emz_reader_source) {
    mem base, file;
    make_pair(&base, &file);
    mem packed = compress_ok(&base, NULL, NULL);
    emz_reader *b = open_reader(&packed);
    emz_source bsrc;
    cr_assert_eq(emz_reader_source(b, &bsrc), EMZ_OK);
    cr_assert_eq(bsrc.size, base.size);
    emz_cctx *c = emz_cctx_create();
    emz_source src = {mem_read, &file, file.size};
    mem out = {0};
    emz_sink sink = {mem_write, &out};
    cr_assert_eq(emz_compress_safetensors_delta(c, &src, &bsrc, &sink, NULL, NULL), EMZ_OK);
    mem direct = compress_ok(&file, &base, NULL);
    cr_assert_eq(out.size, direct.size);
    cr_assert(memcmp(out.data, direct.data, out.size) == 0);
    emz_reader *r = open_reader(&out);
    cr_assert_eq(emz_reader_set_base(r, &bsrc), EMZ_OK);
    check_reads(r, &file, 2);
    emz_reader_close(r), emz_reader_close(b), emz_cctx_free(c);
    free(base.data), free(file.data), free(packed.data), free(out.data), free(direct.data);
}

Test(delta, every_implementation_and_thread_count_writes_the_same_bytes) {
    mem base, file;
    make_pair(&base, &file);
    emz_status st;
    mem ref = compress(&file, &base, 1, EMZ_IMPL_SCALAR, NULL, &st);
    cr_assert_eq(st, EMZ_OK);
    const emz_impl impls[] = {EMZ_IMPL_SCALAR, EMZ_IMPL_AVX2, EMZ_IMPL_AVX512, EMZ_IMPL_NEON};
    int tried = 0;
    for (int i = 0; i < 4; i++)
        for (int threads = 1; threads <= 3; threads++) {
            mem c = compress(&file, &base, threads, impls[i], NULL, &st);
            if (st == EMZ_ERROR_IMPL_UNAVAILABLE) continue;
            cr_assert_eq(st, EMZ_OK);
            tried++;
            cr_assert_eq(c.size, ref.size);
            cr_assert(memcmp(c.data, ref.data, c.size) == 0, "impl %d, %d threads", i, threads);
            free(c.data);
        }
    cr_assert_geq(tried, 3);
    free(base.data), free(file.data), free(ref.data);
}

/* ---- the delta kernel --------------------------------------------------------------- */

Test(delta, kernel_of_every_implementation_matches_scalar_on_every_tail_and_alignment) {
    enum { MAX = 300 };
    uint8_t src[MAX + 8], base[MAX + 8], want[MAX + 8], got[MAX + 8], back[MAX + 8];
    uint64_t seed = 3;
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)next(&seed), base[i] = (uint8_t)next(&seed);
    const emz_kernels *scalar = &emz_kernels_scalar;
    const emz_impl impls[] = {EMZ_IMPL_AVX2, EMZ_IMPL_AVX512, EMZ_IMPL_NEON, EMZ_IMPL_SCALAR};
    for (int i = 0; i < 4; i++) {
        const emz_kernels *k;
        if (emz_kernels_resolve(impls[i], &k) != EMZ_OK) continue;
        for (unsigned width = 1; width <= 4; width *= 2)
            for (size_t shift = 0; shift < 4; shift++)
                for (size_t n = 0; n <= MAX; n++) {
                    scalar->delta(src + shift, base + shift, want, n, width, false);
                    k->delta(src + shift, base + shift, got + shift, n, width, false);
                    cr_assert(memcmp(want, got + shift, n) == 0, "%s width %u n %zu", k->name,
                              width, n);
                    k->delta(got + shift, base + shift, back, n, width, true);
                    cr_assert(memcmp(back, src + shift, n) == 0, "%s undo width %u n %zu", k->name,
                              width, n);
                }
    }
}

Test(delta, zigzag_of_every_16_bit_difference) {
    /* every pair (v, base) with base fixed and v over all 2^16 patterns, both directions */
    uint16_t v[65536], b[65536], z[65536], back[65536];
    for (uint32_t i = 0; i < 65536; i++)
        v[i] = (uint16_t)i, b[i] = (uint16_t)(i * 40503u + 7);
    emz_kernels_scalar.delta((uint8_t *)v, (uint8_t *)b, (uint8_t *)z, sizeof v, 2, false);
    for (uint32_t i = 0; i < 65536; i++) {
        int32_t d = (int16_t)(uint16_t)(v[i] - b[i]);
        uint16_t expect = (uint16_t)(d >= 0 ? 2 * d : -2 * d - 1);
        cr_assert_eq(z[i], expect, "v %u b %u", v[i], b[i]);
    }
    emz_kernels_scalar.delta((uint8_t *)z, (uint8_t *)b, (uint8_t *)back, sizeof v, 2, true);
    cr_assert(memcmp(back, v, sizeof v) == 0);
}

/* ---- forged delta containers ---------------------------------------------------------- */

#include "common/common.h"
#include "format/container.h"

/* A delta container taken apart: its payload bytes, directory entries and index entries. */
typedef struct parts {
    const uint8_t *head_and_payloads; /* header (and table set) and payloads */
    size_t payload_end;               /* where the directory starts */
    size_t segments;
    emz_directory_entry dir[64];
    size_t chunks;
    uint32_t size[256], checksum[256];
    bool diff[256], in_diff[256];
} parts;

static void take_apart(const mem *c, parts *p) {
    memset(p, 0, sizeof *p);
    size_t meta = emz_load32(c->data + c->size - 8);
    p->payload_end = c->size - 8 - meta;
    p->head_and_payloads = c->data;
    p->segments = (size_t)emz_load64(c->data + 16);
    cr_assert_leq(p->segments, 64);
    const uint8_t *at = c->data + p->payload_end, *end = c->data + c->size - 8;
    for (size_t s = 0; s < p->segments; s++) {
        size_t n = emz_dir4_entry_read(at, (size_t)(end - at), &p->dir[s]);
        cr_assert(n > 0);
        at += n;
    }
    for (size_t s = 0; s < p->segments; s++) {
        const emz_directory_entry *e = &p->dir[s];
        uint64_t chunk = UINT64_C(1) << e->chunk_log2;
        size_t count =
            e->base_kind == EMZ_BASE_SAME ? 0 : (size_t)((e->original_size + chunk - 1) / chunk);
        for (size_t i = 0; i < count; i++, p->chunks++) {
            cr_assert_lt(p->chunks, 256);
            bool in_diff = e->base_kind == EMZ_BASE_DIFF;
            size_t n = emz_index2_entry_read(at, (size_t)(end - at), in_diff, &p->size[p->chunks],
                                             &p->diff[p->chunks], &p->checksum[p->chunks]);
            cr_assert(n > 0);
            p->in_diff[p->chunks] = in_diff;
            at += n;
        }
    }
    cr_assert(at == end);
}

static mem put_together(const parts *p) {
    mem c = {0};
    mem_write(&c, p->head_and_payloads, p->payload_end);
    size_t from = c.size;
    uint8_t entry[64];
    for (size_t s = 0; s < p->segments; s++)
        mem_write(&c, entry, emz_dir4_entry_write(&p->dir[s], entry));
    for (size_t i = 0; i < p->chunks; i++)
        mem_write(
            &c, entry,
            emz_index2_entry_write(p->size[i], p->diff[i], p->checksum[i], p->in_diff[i], entry));
    uint8_t trailer[8];
    emz_store32(trailer, (uint32_t)(c.size - from));
    emz_store32(trailer + 4, emz_checksum32(c.data + from, c.size - from));
    mem_write(&c, trailer, 8);
    return c;
}

/* Where each chunk's payload starts in c (payloads are back to back before the directory). */
static void payload_starts(const parts *p, size_t *start) {
    size_t total = 0;
    for (size_t i = 0; i < p->chunks; i++)
        total += p->size[i];
    start[0] = p->payload_end - total;
    for (size_t i = 1; i < p->chunks; i++)
        start[i] = start[i - 1] + p->size[i - 1];
}

/* Opens c with base and reads it whole: the status of the first step that fails; a read that
 * succeeds must give exactly `file`. */
static emz_status open_and_read(const mem *c, const mem *base, const mem *file, char *detail) {
    emz_dctx *d = emz_dctx_create();
    emz_reader *r = NULL;
    emz_status st = emz_reader_open_memory(d, c->data, c->size, &r);
    uint8_t *out = malloc(file->size);
    if (st == EMZ_OK) {
        emz_reader_info info;
        emz_reader_info_get(r, &info);
        if (info.is_delta) st = emz_reader_set_base_memory(r, base->data, base->size);
        if (st == EMZ_OK && info.original_size == file->size)
            st = emz_reader_read(r, d, out, file->size, 0, file->size);
        if (st == EMZ_OK && info.original_size == file->size)
            cr_assert(memcmp(out, file->data, file->size) == 0, "wrong output, no error");
        mem sunk = {0};
        emz_sink sink = {mem_write, &sunk};
        emz_status streamed = st == EMZ_OK ? emz_reader_decompress(r, d, &sink, NULL) : st;
        if (streamed == EMZ_OK && info.original_size == file->size)
            cr_assert(sunk.size == file->size && memcmp(sunk.data, file->data, file->size) == 0);
        if (st == EMZ_OK) st = streamed;
        free(sunk.data);
    }
    if (detail) snprintf(detail, 512, "%s", emz_dctx_error_detail(d));
    free(out);
    emz_reader_close(r);
    emz_dctx_free(d);
    return st;
}

Test(delta, forged_directory_and_index_entries_refused) {
    mem base, file;
    make_pair(&base, &file);
    mem c = compress_ok(&file, &base, NULL);
    parts p, f;
    take_apart(&c, &p);
    mem same = put_together(&p);
    cr_assert(same.size == c.size && memcmp(same.data, c.data, c.size) == 0);
    cr_assert_eq(open_and_read(&same, &base, &file, NULL), EMZ_OK);
    free(same.data);
    size_t diff_seg = SIZE_MAX, same_seg = SIZE_MAX, first_diff_chunk = SIZE_MAX;
    for (size_t s = 0; s < p.segments; s++) {
        if (p.dir[s].base_kind == EMZ_BASE_DIFF && diff_seg == SIZE_MAX) diff_seg = s;
        if (p.dir[s].base_kind == EMZ_BASE_SAME) same_seg = s;
    }
    for (size_t i = 0; i < p.chunks; i++)
        if (p.in_diff[i] && first_diff_chunk == SIZE_MAX) first_diff_chunk = i;
    cr_assert(diff_seg != SIZE_MAX && same_seg != SIZE_MAX && first_diff_chunk != SIZE_MAX);
    /* a difference chunk read as bytes alone: wrong bytes caught by the checksum, or, LOW (a
     * layout only difference chunks have), refused as corrupt */
    size_t start[256];
    payload_starts(&p, start);
    bool low = c.data[start[first_diff_chunk]] == 6;
    char detail[512];
    struct {
        const char *what, *phrase;
        emz_status want;
    } cases[] = {
        {"base kind 3", "base kind", EMZ_ERROR_CORRUPT},
        {"base offset at 2^62", "LEB128", EMZ_ERROR_CORRUPT},
        {"base bytes past 2^62", "base kind", EMZ_ERROR_CORRUPT},
        {"unchanged segment made a delta (no index entries)", NULL, EMZ_ERROR_CORRUPT},
        {"delta segment made unchanged (index entries left over)", NULL, EMZ_ERROR_CORRUPT},
        {"a chunk's difference bit flipped", NULL, low ? EMZ_ERROR_CORRUPT : EMZ_ERROR_CHECKSUM},
        {"an unchanged segment's digest", "digest", EMZ_ERROR_WRONG_BASE},
        {"an unchanged segment's base offset", "other bytes", EMZ_ERROR_WRONG_BASE},
        {"a delta segment's base offset past the base (refused when the base is given)", NULL,
         EMZ_ERROR_WRONG_BASE},
        {"the header's segment made unchanged (its index entries left over)", "container index",
         EMZ_ERROR_CORRUPT},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        f = p;
        switch (k) {
        case 0:
            f.dir[diff_seg].base_kind = 3;
            break;
        case 1:
            f.dir[diff_seg].base_offset = UINT64_C(1) << 62;
            break;
        case 2:
            f.dir[diff_seg].base_offset = (UINT64_C(1) << 62) - f.dir[diff_seg].original_size + 1;
            break;
        case 3:
            f.dir[same_seg].base_kind = EMZ_BASE_DIFF;
            break;
        case 4:
            f.dir[diff_seg].base_kind = EMZ_BASE_SAME;
            break;
        case 5:
            f.diff[first_diff_chunk] = !f.diff[first_diff_chunk];
            break;
        case 6:
            f.dir[same_seg].base_digest ^= 1;
            break;
        case 7:
            f.dir[same_seg].base_offset += 2;
            break;
        case 8:
            f.dir[diff_seg].base_offset = base.size;
            break;
        case 9:
            f.dir[0].base_kind = EMZ_BASE_SAME, f.dir[0].base_offset = 0;
            f.dir[0].base_digest = emz_hash64(base.data, f.dir[0].original_size);
            break;
        }
        mem forged = put_together(&f);
        emz_status st = open_and_read(&forged, &base, &file, detail);
        cr_assert_eq(st, cases[k].want, "%s: %s (%s)", cases[k].what, emz_error_name(st), detail);
        if (cases[k].phrase)
            cr_assert(strstr(detail, cases[k].phrase) != NULL, "%s: \"%s\"", cases[k].what, detail);
        free(forged.data);
    }
    free(base.data), free(file.data), free(c.data);
}

Test(delta, truncations_and_bit_flips_never_give_wrong_bytes, .timeout = 300) {
    mem base, file;
    make_pair(&base, &file);
    mem c = compress_ok(&file, &base, NULL);
    uint64_t seed = 11;
    for (int i = 0; i < 400; i++) {
        mem bad = {malloc(c.size), c.size, c.size};
        memcpy(bad.data, c.data, c.size);
        if (i % 4 == 0) {
            bad.size = (size_t)(next(&seed) % c.size);
        } else {
            /* mostly the directory and index, where the delta fields are */
            size_t meta = emz_load32(c.data + c.size - 8);
            size_t at = i % 2 ? c.size - 8 - meta + (size_t)(next(&seed) % (meta + 8))
                              : (size_t)(next(&seed) % c.size);
            bad.data[at] ^= (uint8_t)(1u << (next(&seed) % 8));
        }
        open_and_read(&bad, &base, &file, NULL); /* checks that no wrong bytes come out */
        free(bad.data);
    }
    free(base.data), free(file.data), free(c.data);
}

Test(delta, a_base_that_reads_from_the_reader_itself_is_refused) {
    mem base, file;
    make_pair(&base, &file);
    mem c = compress_ok(&file, &base, NULL), c2 = compress_ok(&file, &base, NULL);
    emz_reader *r = open_reader(&c), *r2 = open_reader(&c2);
    emz_source self, other;
    cr_assert_eq(emz_reader_source(r, &self), EMZ_OK);
    cr_assert_eq(emz_reader_source(r2, &other), EMZ_OK);
    cr_assert_eq(emz_reader_set_base(r, &self), EMZ_ERROR_INVALID_ARGUMENT);
    /* r2 reading through r is allowed, until r is given r2 as its base: a loop */
    cr_assert_eq(emz_reader_set_base(r2, &self), EMZ_OK);
    cr_assert_eq(emz_reader_set_base(r, &other), EMZ_ERROR_INVALID_ARGUMENT);
    /* r with a plain base: r2 decodes through it, a chain of two readers (r2's base is r's
     * original bytes, the new checkpoint, which is not what r2 was made against: refused) */
    cr_assert_eq(emz_reader_set_base_memory(r, base.data, base.size), EMZ_OK);
    emz_dctx *d = emz_dctx_create();
    uint8_t *out = malloc(file.size);
    cr_assert_eq(emz_reader_read(r2, d, out, file.size, 0, file.size), EMZ_ERROR_WRONG_BASE);
    emz_reader_close(r2), emz_reader_close(r), emz_dctx_free(d);
    free(out), free(base.data), free(file.data), free(c.data), free(c2.data);
}

/* ---- the layout LOW (container version 5) --------------------------------------------- */

/* A pair whose differences are small, except one element in 64 whose sign flipped (its
 * difference escapes the high symbol at every shift), in BF16, FP16 and FP32. */
static const tensor low_tensors[] = {
    {"w.bf16", "BF16", 2, 600000, false},
    {"w.f16", "F16", 2, 70000, false},
    {"w.f32", "F32", 4, 300000, false},
};
enum { LOW_TENSORS = sizeof low_tensors / sizeof low_tensors[0] };

static void make_low_pair(mem *base, mem *file) {
    *base = make_file(low_tensors, LOW_TENSORS, 3);
    *file = (mem){malloc(base->size), base->size, base->size};
    memcpy(file->data, base->data, base->size);
    size_t at = 0;
    for (size_t i = 0; i < LOW_TENSORS; i++) {
        unsigned e = low_tensors[i].elem;
        size_t bytes = low_tensors[i].count * e;
        nudge(file, at, at + bytes, e, 40 + i);
        for (size_t j = at; j + e <= at + bytes; j += 64 * e)
            file->data[data_start(file) + j + e - 1] ^= 0x80;
        at += bytes;
    }
}

Test(delta, low_chunks_round_trip_on_every_implementation_and_forged_ones_are_refused) {
    mem base, file;
    make_low_pair(&base, &file);
    mem c = compress_ok(&file, &base, NULL);
    cr_assert_eq(c.data[4], 5, "a delta container is version 5");
    parts p;
    take_apart(&c, &p);
    size_t start[256], low = 0, first_low = SIZE_MAX;
    payload_starts(&p, start);
    for (size_t i = 0; i < p.chunks; i++)
        if (p.diff[i] && c.data[start[i]] == 6) {
            low++;
            if (first_low == SIZE_MAX) first_low = i;
        }
    cr_assert_geq(low, 4, "LOW chunks: %zu", low);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        emz_dctx *d = emz_dctx_create();
        cr_assert_eq(emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl), EMZ_OK);
        emz_reader *r = NULL;
        cr_assert_eq(emz_reader_open_memory(d, c.data, c.size, &r), EMZ_OK);
        cr_assert_eq(emz_reader_set_base_memory(r, base.data, base.size), EMZ_OK);
        uint8_t *out = malloc(file.size);
        cr_assert_eq(emz_reader_read(r, d, out, file.size, 0, file.size), EMZ_OK, "%s",
                     emz_impl_name((emz_impl)impl));
        cr_assert(memcmp(out, file.data, file.size) == 0, "%s", emz_impl_name((emz_impl)impl));
        free(out), emz_reader_close(r), emz_dctx_free(d);
    }
    /* Forged: a shift of 9; the last escape (the payload's last two bytes: no tail) 254; the
     * escape cut off; LOW in a chunk that codes its bytes alone; LOW in a version 4 container. */
    const uint8_t *lp = c.data + start[first_low];
    for (int k = 0; k < 5; k++) {
        mem bad = {malloc(c.size), c.size, c.size};
        memcpy(bad.data, c.data, c.size);
        uint8_t *q = bad.data + (lp - c.data);
        parts f;
        take_apart(&bad, &f);
        if (k == 0) q[1] = 9;
        if (k == 1) q[f.size[first_low] - 2] = 254, q[f.size[first_low] - 1] = 0;
        if (k == 2) f.size[first_low] -= 2; /* the next payloads move: they are corrupt too */
        if (k == 3) f.diff[first_low] = false;
        if (k == 4) {
            bad.data[4] = 4;
            emz_store32(bad.data + 28, emz_checksum32(bad.data, 28));
        }
        mem forged = k == 2 ? (mem){0} : put_together(&f);
        if (k == 2) { /* the payload two bytes shorter, everything after it moved down */
            mem_write(&forged, bad.data, start[first_low] + f.size[first_low]);
            mem_write(&forged, bad.data + start[first_low] + f.size[first_low] + 2,
                      p.payload_end - start[first_low] - f.size[first_low] - 2);
            f.payload_end -= 2;
            f.head_and_payloads = forged.data;
            mem whole = put_together(&f);
            free(forged.data);
            forged = whole;
        }
        char detail[512];
        emz_status st = open_and_read(&forged, &base, &file, detail);
        cr_assert_eq(st, EMZ_ERROR_CORRUPT, "forgery %d: %s (%s)", k, emz_error_name(st), detail);
        free(forged.data), free(bad.data);
    }
    free(base.data), free(file.data), free(c.data);
}
