/* test_container_shared.c - containers with a table set (docs/FORMAT.md, "Table set", stream
 * mode SHARED): round trips of every checkpoint of the committed sample (and the full corpus
 * when there is one), whole and tensor by tensor, reading no more than the header, set,
 * directory and index at open and a tensor's own chunks after; and forged containers: a SHARED
 * stream naming a table that does not exist or is for another width, SHARED without a set or in
 * a bare frame, the flag set without a set, a set truncated, with a bad checksum, invalid or of
 * another version, every one refused with its status and a detail naming chunk, table and set;
 * every truncation and many bit flips fail cleanly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "emzip.h"
#include "format/table_set.h"
#include "test_corpus.h"
#include "test_util.h"

static uint32_t checksum32(const uint8_t *p, size_t n) {
    return (uint32_t)XXH3_64bits(p, n);
}

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static void put64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static uint64_t get(const uint8_t *p, int bytes) {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

typedef struct buf {
    uint8_t *data;
    size_t size;
} buf;

static int out_write(void *opaque, const void *data, size_t size) {
    buf *b = opaque;
    b->data = realloc(b->data, b->size + size);
    cr_assert(b->data != NULL);
    memcpy(b->data + b->size, data, size);
    b->size += size;
    return 0;
}

/* A source over memory that counts the bytes read. */
typedef struct counted {
    const uint8_t *data;
    uint64_t read;
} counted;

static int counted_read(void *opaque, void *dst, size_t size, uint64_t offset) {
    counted *c = opaque;
    memcpy(dst, c->data + offset, size);
    c->read += size;
    return 0;
}

static buf load(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    buf b = {NULL, (size_t)ftell(f)};
    rewind(f);
    b.data = tu_xmalloc(b.size + 1);
    cr_assert(fread(b.data, 1, b.size, f) == b.size);
    fclose(f);
    return b;
}

static buf compress_file(const buf *file, emz_impl impl) {
    emz_cctx *c = emz_cctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_IMPL, impl) == EMZ_OK);
    counted src = {file->data, 0};
    emz_source source = {counted_read, &src, file->size};
    buf out = {NULL, 0};
    emz_sink sink = {out_write, &out};
    cr_assert(emz_compress_safetensors(c, &source, &sink, NULL) == EMZ_OK);
    emz_cctx_free(c);
    return out;
}

/* The path of a sample file (tests/data). */
static buf sample(const char *name) {
    const char *dir = getenv("EMZIP_TEST_SAMPLE");
    cr_assert(dir != NULL, "EMZIP_TEST_SAMPLE (tests/data) is not set");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return load(path);
}

/* ---- a container taken apart ------------------------------------------------------- */

typedef struct parts {
    size_t set_size;      /* 0: no table set */
    emz_table_set set;    /* parsed with the library's own reader */
    size_t meta;          /* where directory and index start */
    size_t chunks;        /* in the index */
    size_t payload[4096]; /* offsets of the payloads */
    size_t len[4096];     /* original bytes of each chunk */
    uint64_t seg_offset[4096];
    unsigned type[4096], log2[4096];
    size_t seg_chunks[4096];
} parts;

static uint64_t read_leb(const uint8_t *p, size_t *at) {
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        uint8_t b = p[(*at)++];
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) return v;
    }
}

static void take_apart(const buf *c, parts *p) {
    memset(p, 0, sizeof *p);
    cr_assert(c->size > 40 && c->data[4] == 3);
    if (c->data[6] & 1) {
        cr_assert(emz_table_set_read(c->data + 32, c->size - 32, &p->set, &p->set_size) == EMZ_OK);
    }
    p->meta = c->size - 8 - (size_t)get(c->data + c->size - 8, 4);
    uint64_t segments = get(c->data + 16, 8), offset = 0;
    cr_assert(segments <= 4096);
    size_t at = p->meta, payload = 32 + p->set_size;
    uint64_t sizes[4096];
    for (uint64_t s = 0; s < segments; s++) {
        sizes[s] = read_leb(c->data, &at);
        p->type[s] = c->data[at++], p->log2[s] = c->data[at++];
    }
    for (uint64_t s = 0; s < segments; s++) {
        uint64_t chunk = UINT64_C(1) << p->log2[s];
        for (uint64_t in = 0; in < sizes[s]; in += chunk, p->chunks++) {
            cr_assert(p->chunks < 4096);
            size_t size = (size_t)read_leb(c->data, &at);
            at += 4;
            p->payload[p->chunks] = payload;
            p->len[p->chunks] = (size_t)(sizes[s] - in < chunk ? sizes[s] - in : chunk);
            p->seg_offset[p->chunks] = offset + in;
            p->seg_chunks[p->chunks] = (size_t)s;
            payload += size;
        }
        offset += sizes[s];
    }
    cr_assert(payload == p->meta && at == c->size - 8);
}

/* A chunk whose first stream (right after the layout byte) is SHARED, -1 if none. */
static long first_shared(const buf *c, const parts *p) {
    for (size_t k = 0; k < p->chunks; k++)
        if (c->data[p->payload[k] + 1] == 6) return (long)k;
    return -1;
}

/* Opens c and reads the whole original: the status of the first failure, EMZ_OK only for the
 * original's bytes; the failure's detail into detail. */
static emz_status try_read(const buf *c, const buf *file, char *detail, size_t size) {
    emz_dctx *d = emz_dctx_create();
    emz_reader *r = NULL;
    emz_status st = emz_reader_open_memory(d, c->data, c->size, &r);
    if (st == EMZ_OK) {
        uint8_t *back = tu_xmalloc(file->size + 1);
        emz_reader_info info;
        emz_reader_info_get(r, &info);
        st = info.original_size == file->size
                 ? emz_reader_read(r, d, back, file->size, 0, file->size)
                 : EMZ_ERROR_CORRUPT;
        if (st == EMZ_OK && memcmp(back, file->data, file->size) != 0) st = EMZ_ERROR_CHECKSUM;
        free(back);
        emz_reader_close(r);
    }
    if (detail) snprintf(detail, size, "%s", emz_dctx_error_detail(d));
    emz_dctx_free(d);
    return st;
}

static void expect(const buf *c, const buf *file, emz_status want, const char *phrase,
                   const char *phrase2, const char *what) {
    char detail[512];
    emz_status st = try_read(c, file, detail, sizeof detail);
    cr_assert(st == want, "%s: %s, wanted %s (%s)", what, emz_error_name(st), emz_error_name(want),
              detail);
    if (phrase) cr_assert(strstr(detail, phrase), "%s: \"%s\" lacks \"%s\"", what, detail, phrase);
    if (phrase2)
        cr_assert(strstr(detail, phrase2), "%s: \"%s\" lacks \"%s\"", what, detail, phrase2);
}

/* c with bytes [at, at + cut) replaced by insert (n bytes); the header resealed with flags. */
static buf splice(const buf *c, size_t at, size_t cut, const uint8_t *insert, size_t n, int flags) {
    buf out = {tu_xmalloc(c->size - cut + n), c->size - cut + n};
    memcpy(out.data, c->data, at);
    if (n) memcpy(out.data + at, insert, n);
    memcpy(out.data + at + n, c->data + at + cut, c->size - at - cut);
    if (flags >= 0) out.data[6] = (uint8_t)flags;
    put32(out.data + 28, checksum32(out.data, 28));
    return out;
}

/* ---- round trips ------------------------------------------------------------------- */

/* Opening reads header, set, directory and index (and the safetensors header's chunks); each
 * tensor read after reads at most its own payloads. */
static void tensor_by_tensor(const buf *c, const buf *file, const char *name) {
    counted src = {c->data, 0};
    emz_source source = {counted_read, &src, c->size};
    emz_reader *r = NULL;
    cr_assert(emz_reader_open(NULL, &source, &r) == EMZ_OK, "%s", name);
    emz_reader_info info;
    emz_reader_info_get(r, &info);
    uint8_t *out = tu_xmalloc(file->size + 1);
    for (uint64_t t = 0; t < info.tensor_count; t++) {
        emz_tensor_info ti;
        emz_reader_tensor(r, t, &ti);
        uint64_t before = src.read;
        cr_assert(emz_reader_read_tensor(r, NULL, t, out, file->size, 0, ti.size) == EMZ_OK);
        cr_assert(memcmp(out, file->data + ti.offset, ti.size) == 0, "%s: %s", name, ti.name);
        if (ti.stored_size)
            cr_assert(src.read - before <= ti.stored_size, "%s: %s read %llu bytes, stores %llu",
                      name, ti.name, (unsigned long long)(src.read - before),
                      (unsigned long long)ti.stored_size);
    }
    free(out);
    emz_reader_close(r);
}

Test(container_shared, corpus_round_trips_with_table_sets, .timeout = 600) {
    size_t n, with_set = 0;
    char **files = tc_corpus_files(&n);
    for (size_t f = 0; f < n; f++) {
        buf file = load(files[f]);
        buf c = compress_file(&file, EMZ_IMPL_AUTO);
        parts *p = malloc(sizeof *p);
        take_apart(&c, p);
        if (p->set_size) {
            with_set++;
            cr_assert(first_shared(&c, p) >= 0 || p->set.count > 0);
        }
        cr_assert(try_read(&c, &file, NULL, 0) == EMZ_OK, "%s", files[f]);
        tensor_by_tensor(&c, &file, files[f]);
        size_t got = 0;
        emz_dctx *d = emz_dctx_create();
        cr_assert(emz_decompress(d, file.data, file.size, c.data, c.size, &got) != EMZ_OK,
                  "a container is not a frame");
        emz_dctx_free(d);
        free(p), free(c.data), free(file.data);
    }
    cr_assert(with_set >= 5, "only %zu of %zu files got a table set", with_set, n);
    tc_free_files(files, n);
}

/* The MXFP4 sample of dozens of small tensors gets a set, and a smaller container for it. */
Test(container_shared, small_mxfp4_checkpoint_gets_a_set) {
    buf file = sample("age.mxfp4.safetensors");
    buf c = compress_file(&file, EMZ_IMPL_SCALAR);
    parts *p = malloc(sizeof *p);
    take_apart(&c, p);
    cr_assert(p->set_size > 0 && p->set.count >= 2, "flags %u", c.data[6]);
    cr_assert(first_shared(&c, p) >= 0);
    /* a reader describes the set it read: id, size and tables as stored */
    emz_reader *r = NULL;
    cr_assert_eq(emz_reader_open_memory(NULL, c.data, c.size, &r), EMZ_OK);
    emz_reader_table_set_info info;
    cr_assert_eq(emz_reader_table_set_get(r, &info), EMZ_OK);
    cr_assert(info.present && info.id == p->set.id && info.size == p->set_size &&
              info.table_count == p->set.count);
    unsigned by_width[9] = {0};
    for (unsigned i = 0; i < p->set.count; i++)
        by_width[p->set.width[i]]++;
    for (unsigned w = 0; w <= 8; w++)
        cr_assert_eq(info.tables_of_width[w], by_width[w], "w %u", w);
    emz_reader_close(r);
    /* a bare frame has none */
    size_t cap = emz_compress_bound(file.size), fsize = 0;
    uint8_t *frame = malloc(cap);
    cr_assert_eq(emz_compress(NULL, frame, cap, file.data, file.size, EMZ_TYPE_BYTES, &fsize),
                 EMZ_OK);
    cr_assert_eq(emz_reader_open_memory(NULL, frame, fsize, &r), EMZ_OK);
    cr_assert_eq(emz_reader_table_set_get(r, &info), EMZ_OK);
    cr_assert(!info.present && !info.id && !info.size && !info.table_count);
    emz_reader_close(r);
    free(frame);
    /* without the set (flags 0, set bytes dropped) the same payloads cannot be decoded */
    buf bare = splice(&c, 32, p->set_size, NULL, 0, 0);
    expect(&bare, &file, EMZ_ERROR_CORRUPT, "container without a table set", "chunk",
           "SHARED without a set");
    free(bare.data), free(p), free(c.data), free(file.data);
}

/* ---- forged SHARED streams ---------------------------------------------------------- */

Test(container_shared, shared_stream_naming_a_wrong_table_refused) {
    buf file = sample("age.mxfp4.safetensors");
    buf c = compress_file(&file, EMZ_IMPL_SCALAR);
    parts *p = malloc(sizeof *p);
    take_apart(&c, p);
    long k = first_shared(&c, p);
    cr_assert(k >= 0);
    uint8_t *table = c.data + p->payload[k] + 2, own = *table;
    char id[32], name[64];
    snprintf(id, sizeof id, "%016llx", (unsigned long long)p->set.id);
    /* a table number past the set's, and the largest one */
    for (unsigned t = p->set.count; t < 256; t += 255 - p->set.count ? 255 - p->set.count : 1) {
        *table = (uint8_t)t;
        snprintf(name, sizeof name, "refers to table %u,", t);
        expect(&c, &file, EMZ_ERROR_CORRUPT, name, id, "table out of range");
        if (t == 255) break;
    }
    /* a table of the set for symbols of another width */
    unsigned other = p->set.count;
    for (unsigned t = 0; t < p->set.count; t++)
        if (p->set.width[t] != p->set.width[own]) other = t;
    cr_assert(other < p->set.count, "the set has tables of one width only");
    *table = (uint8_t)other;
    snprintf(name, sizeof name, "refers to table %u of table set", other);
    expect(&c, &file, EMZ_ERROR_CORRUPT, name, id, "table of another width");
    *table = own;
    expect(&c, &file, EMZ_OK, NULL, NULL, "restored");
    free(p), free(c.data), free(file.data);
}

/* A SHARED payload from the container, alone in a bare frame of its segment's type. */
Test(container_shared, shared_stream_in_a_bare_frame_refused) {
    buf file = sample("age.mxfp4.safetensors");
    buf c = compress_file(&file, EMZ_IMPL_SCALAR);
    parts *p = malloc(sizeof *p);
    take_apart(&c, p);
    long k = first_shared(&c, p);
    cr_assert(k >= 0);
    size_t size = (k + 1 < (long)p->chunks ? p->payload[k + 1] : p->meta) - p->payload[k];
    size_t len = p->len[k], s = p->seg_chunks[k];
    uint8_t *f = tu_xmalloc(32 + size + 12);
    memcpy(f,
           "\x89"
           "EMZ",
           4);
    f[4] = 3, f[5] = (uint8_t)p->type[s], f[6] = (uint8_t)p->log2[s], f[7] = 0; /* full header */
    put64(f + 8, len);
    put64(f + 16, p->type[s] == EMZ_TYPE_FP4_E2M1 ? 2 * len : len);
    put32(f + 24, 0);
    put32(f + 28, checksum32(f, 28));
    memcpy(f + 32, c.data + p->payload[k], size);
    put32(f + 32 + size, (uint32_t)size);
    put32(f + 36 + size, checksum32(file.data + p->seg_offset[k], len));
    put32(f + 40 + size, checksum32(f + 32 + size, 8));
    uint8_t *out = tu_xmalloc(len);
    size_t got = 0;
    emz_dctx *d = emz_dctx_create();
    emz_status st = emz_decompress(d, out, len, f, 32 + size + 12, &got);
    cr_assert(st == EMZ_ERROR_CORRUPT, "%s (%s)", emz_error_name(st), emz_dctx_error_detail(d));
    cr_assert(strstr(emz_dctx_error_detail(d), "in a bare frame"), "%s", emz_dctx_error_detail(d));
    emz_dctx_free(d);
    free(out), free(f), free(p), free(c.data), free(file.data);
}

/* ---- forged table sets --------------------------------------------------------------- */

Test(container_shared, damaged_table_sets_refused) {
    buf file = sample("age.mxfp4.safetensors");
    buf c = compress_file(&file, EMZ_IMPL_SCALAR);
    parts *p = malloc(sizeof *p);
    take_apart(&c, p);
    size_t n = p->set_size;
    cr_assert(n > 12);
    uint8_t *set = tu_xmalloc(n);
    memcpy(set, c.data + 32, n);
    /* the flag without a set: the payloads follow the header */
    buf b = splice(&c, 32, n, NULL, 0, 1);
    expect(&b, &file, EMZ_ERROR_CORRUPT, "magic is missing", NULL, "flag, no set");
    free(b.data);
    /* a set cut short, directly followed by the directory (no payloads) */
    for (size_t keep = 0; keep < n; keep += keep < 16 ? 1 : 7) {
        b = splice(&c, 32, p->meta - 32, set, keep, 1);
        expect(&b, &file, EMZ_ERROR_CORRUPT, keep < 4 ? "table set" : "runs past the directory",
               NULL, "truncated set");
        free(b.data);
    }
    /* a bad checksum, flipped in the set's checksum and in a table */
    for (size_t at = n - 4; at < n; at++) {
        c.data[32 + at] ^= 0x10;
        expect(&c, &file, EMZ_ERROR_CORRUPT, "checksum mismatch", NULL, "set checksum");
        c.data[32 + at] ^= 0x10;
    }
    c.data[32 + 9] ^= 1;
    expect(&c, &file, EMZ_ERROR_CORRUPT, "table set", NULL, "a table flipped");
    c.data[32 + 9] ^= 1;
    /* invalid fields, resealed: width 9, count 0, reserved byte, version 2 */
    const struct {
        size_t at;
        uint8_t value;
        emz_status want;
        const char *phrase;
    } forged[] = {{8, 9, EMZ_ERROR_CORRUPT, "symbol width"},
                  {8, 0, EMZ_ERROR_CORRUPT, "symbol width"},
                  {5, 0, EMZ_ERROR_CORRUPT, "table count"},
                  {6, 1, EMZ_ERROR_CORRUPT, "reserved"},
                  {4, 2, EMZ_ERROR_UNSUPPORTED_VERSION, "version"}};
    for (size_t i = 0; i < sizeof forged / sizeof *forged; i++) {
        memcpy(set, c.data + 32, n);
        set[forged[i].at] = forged[i].value;
        put32(set + n - 4, checksum32(set, n - 4));
        b = splice(&c, 32, n, set, n, -1);
        expect(&b, &file, forged[i].want, forged[i].phrase, NULL, "forged set");
        free(b.data);
    }
    free(set), free(p), free(c.data), free(file.data);
}

/* Every truncation fails; every bit of header and set flipped (the set resealed or not), and one
 * bit of every other byte, fails cleanly or decodes to the original. */
Test(container_shared, truncations_and_bit_flips_fail_cleanly, .timeout = 600) {
    buf file = sample("age.mxfp4.safetensors");
    buf c = compress_file(&file, EMZ_IMPL_SCALAR);
    parts *p = malloc(sizeof *p);
    take_apart(&c, p);
    for (size_t cut = 0; cut < c.size; cut += cut < 64 + p->set_size ? 1 : 13) {
        buf t = {c.data, cut};
        cr_assert(try_read(&t, &file, NULL, 0) != EMZ_OK, "cut to %zu", cut);
    }
    buf d = {tu_xmalloc(c.size), c.size};
    size_t set_end = 32 + p->set_size;
    int opened = 0;
    for (size_t i = 0; i < c.size; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            if (i >= set_end && bit != i % 8) continue;
            for (int reseal = 0; reseal <= (i >= 32 && i < set_end - 4); reseal++) {
                memcpy(d.data, c.data, c.size);
                d.data[i] ^= (uint8_t)(1u << bit);
                if (i < 28) put32(d.data + 28, checksum32(d.data, 28));
                if (reseal) put32(d.data + set_end - 4, checksum32(d.data + 32, p->set_size - 4));
                opened += try_read(&d, &file, NULL, 0) == EMZ_OK;
            }
        }
    }
    cr_assert(opened <= 16, "%d flips decoded to the original", opened);
    free(d.data), free(p), free(c.data), free(file.data);
}
