/* fuzz_container.c - libFuzzer target for checkpoint mode. Each input is used twice:
 *  1. as a safetensors file: if emz_compress_safetensors accepts it, the container must read
 *     back (whole, streamed, and tensor by tensor) to exactly the input; so must its delta
 *     containers (emz_compress_safetensors_delta) against itself and against a nudged copy;
 *  2. as a compressed file: the reader must open, stream and read it without crashing, with
 *     its container header, table set and directory (version 2: directory and index) checksums
 *     as given and recomputed (so that mutations get past them to the structure and the
 *     chunks). The table set's tables are walked with the library's own parser
 *     (format/code_table.h) to find where its checksum is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "emzip.h"
#include "format/code_table.h"
#include "format/container.h"

#define MAX_OUT ((uint64_t)64 << 20)

typedef struct buffer {
    uint8_t *data;
    size_t size, cap;
} buffer;

static int read_mem(void *opaque, void *buf, size_t size, uint64_t offset) {
    memcpy(buf, (const uint8_t *)opaque + offset, size);
    return 0;
}

static int write_mem(void *opaque, const void *buf, size_t size) {
    buffer *b = opaque;
    if (b->size + size > b->cap) {
        size_t cap = (b->size + size) * 2;
        uint8_t *grown = realloc(b->data, cap);
        if (!grown) return -1;
        b->data = grown, b->cap = cap;
    }
    memcpy(b->data + b->size, buf, size);
    b->size += size;
    return 0;
}

/* base (base_size bytes, may be NULL) is given to a delta container. */
static void decode_all(const uint8_t *data, size_t size, const uint8_t *expect, const uint8_t *base,
                       size_t base_size) {
    emz_source src = {read_mem, (void *)data, size};
    emz_dctx *d = emz_dctx_create();
    emz_dctx_set_param(d, EMZ_PARAM_THREADS, 2);
    emz_reader *r = NULL;
    if (emz_reader_open(d, &src, &r) != EMZ_OK) {
        if (expect) abort(); /* a container we just wrote must open */
        emz_dctx_free(d);
        return;
    }
    emz_reader_info info;
    emz_reader_info_get(r, &info);
    /* a base is refused when too short for the container's base tensors: never one we wrote
     * against it; a hostile container then reads without (and fails where it needs one) */
    if (info.is_delta && base && emz_reader_set_base_memory(r, base, base_size) != EMZ_OK && expect)
        abort();
    emz_reader_info_get(r, &info); /* a header shared with the base lists its tensors now */
    buffer out = {0};
    emz_sink sink = {write_mem, &out};
    emz_status st = info.original_size <= MAX_OUT ? emz_reader_decompress(r, d, &sink, NULL)
                                                  : emz_reader_decompress(r, d, NULL, NULL);
    if (expect &&
        (st != EMZ_OK || out.size != info.original_size || memcmp(out.data, expect, out.size) != 0))
        abort();
    if (info.original_size <= MAX_OUT) {
        uint8_t *all = malloc(info.original_size + 1);
        st = emz_reader_read(r, d, all, info.original_size, 0, info.original_size);
        if (expect && (st != EMZ_OK || memcmp(all, expect, info.original_size) != 0)) abort();
        for (uint64_t t = 0; t < info.tensor_count; t++) {
            emz_tensor_info ti;
            if (emz_reader_tensor(r, t, &ti) != EMZ_OK) abort();
            st = emz_reader_read_tensor(r, d, t, all, info.original_size, 0, ti.size);
            if (expect && (st != EMZ_OK || memcmp(all, expect + ti.offset, ti.size) != 0)) abort();
        }
        free(all);
    }
    free(out.data);
    emz_reader_close(r);
    emz_dctx_free(d);
}

static void wr32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A version 2 container's table set (flag bit 0): its checksum recomputed, when its tables
 * parse and the checksum lies before the trailer. */
static void reseal_table_set(uint8_t *c, size_t size) {
    if (size < 52 || c[4] != 2 || !(c[6] & 1)) return;
    size_t at = 40, end = size - 8;
    for (unsigned i = 0; i < c[37]; i++) {
        uint8_t len[256];
        unsigned width = at < end ? c[at++] : 0;
        if (width < 1 || width > 8) return;
        size_t n = emz_huff_table_read(c + at, end - at, 1u << width, 2, len);
        if (n == 0 || n == EMZ_HUFF_TABLE_SHORT) return;
        at += n;
    }
    if (end - at >= 4) wr32(c + at, (uint32_t)XXH3_64bits(c + 32, at - 32));
}

/* A delta container (version 4 or 5): each SAME or DIFF entry's digest made that of the base bytes
 * it names, where they lie inside base, so that mutated offsets and sizes reach the copying of
 * unchanged segments; the trailer's checksum is resealed by the caller. */
static void reseal_digests(uint8_t *c, size_t size, const uint8_t *base, size_t base_size) {
    if (size < 48 || (c[4] != 4 && c[4] != 5)) return;
    size_t meta = (size_t)c[size - 8] | (size_t)c[size - 7] << 8 | (size_t)c[size - 6] << 16 |
                  (size_t)c[size - 5] << 24;
    if (meta > size - 40) return;
    uint64_t segments = 0;
    for (int i = 0; i < 8; i++)
        segments |= (uint64_t)c[16 + i] << 8 * i;
    uint8_t *at = c + size - 8 - meta, *end = c + size - 8;
    for (uint64_t s = 0; s < segments && at < end; s++) {
        emz_directory_entry e = {0};
        size_t n = emz_dir4_entry_read(at, (size_t)(end - at), &e);
        if (n == 0) return;
        if (e.base_kind != 0 && e.base_offset <= base_size &&
            e.original_size <= base_size - e.base_offset) {
            uint64_t d = XXH3_64bits(base + e.base_offset, (size_t)e.original_size);
            for (int i = 0; i < 8; i++)
                at[n - 8 + i] = (uint8_t)(d >> 8 * i);
        }
        at += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* 1. the input as a safetensors file */
    emz_cctx *c = emz_cctx_create();
    emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 4096);
    emz_cctx_set_param(c, EMZ_PARAM_THREADS, 2);
    emz_source src = {read_mem, (void *)data, size};
    buffer container = {0};
    emz_sink sink = {write_mem, &container};
    if (emz_compress_safetensors(c, &src, &sink, NULL) == EMZ_OK) {
        decode_all(container.data, container.size, data, NULL, 0);
        /* against itself (every tensor unchanged), then against a copy with its data nudged */
        uint8_t *nudged = malloc(size ? size : 1);
        memcpy(nudged, data, size);
        uint64_t header = 0; /* the data only: the base's header must still parse */
        for (int i = 0; i < 8; i++)
            header |= (uint64_t)data[i] << 8 * i;
        for (size_t i = (size_t)header + 8; i < size; i += 3)
            nudged[i] = (uint8_t)(nudged[i] + (i & 7));
        const uint8_t *bases[2] = {data, nudged};
        for (int b = 0; b < 2; b++) {
            emz_source base = {read_mem, (void *)bases[b], size};
            container.size = 0;
            if (emz_compress_safetensors_delta(c, &src, &base, &sink, NULL, NULL) != EMZ_OK)
                abort(); /* the same file as a base is accepted whenever the file is */
            decode_all(container.data, container.size, data, bases[b], size);
        }
        free(nudged);
    }
    free(container.data);
    emz_cctx_free(c);
    /* 2. the input as a compressed file, then with its container checksums made valid (a
     * delta container gets the input itself as its base) */
    decode_all(data, size, NULL, data, size);
    if (size >= 36 && data[0] == 0x89 && data[3] == 'C') {
        uint8_t *copy = malloc(size);
        memcpy(copy, data, size);
        wr32(copy + 28, (uint32_t)XXH3_64bits(copy, 28));
        reseal_table_set(copy, size);
        uint64_t segments = 0;
        for (int i = 0; i < 8; i++)
            segments |= (uint64_t)copy[16 + i] << 8 * i;
        if (copy[4] == 1 && segments <= (size - 36) / 24) { /* version 1: the directory */
            size_t dir = size - 4 - 24 * (size_t)segments;
            wr32(copy + size - 4, (uint32_t)XXH3_64bits(copy + dir, 24 * (size_t)segments));
        }
        reseal_digests(copy, size, data, size);
        if (copy[4] != 1 && size >= 40) { /* version 2: the trailer seals directory + index */
            size_t meta = (size_t)copy[size - 8] | (size_t)copy[size - 7] << 8 |
                          (size_t)copy[size - 6] << 16 | (size_t)copy[size - 5] << 24;
            if (meta <= size - 40)
                wr32(copy + size - 4, (uint32_t)XXH3_64bits(copy + size - 8 - meta, meta));
        }
        decode_all(copy, size, NULL, data, size);
        free(copy);
    }
    return 0;
}
