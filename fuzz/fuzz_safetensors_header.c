/* fuzz_safetensors_header.c - libFuzzer target: emz_st_parse on hostile headers.
 *
 * Input: 8 bytes, little-endian, the size of the data region; then the header JSON. An accepted
 * header must be consistent (in bounds, sizes matching shape and dtype, sorted, no overlaps, no
 * duplicate names, storage types as mapped); a refusal must leave the output empty and write a
 * NUL-terminated message within the given capacity (canary), whatever the capacity. The same
 * input parses the same way twice. Seeds: the headers of the sample's files (tests/data; those of
 * ../shared/corpus too when it is there, as fuzz/run-smoke.sh does), e.g.
 *
 *   mkdir -p fuzz-work/seeds-st fuzz-work/corpus-st && python3 -c '
 *   import glob, os, struct
 *   for f in glob.glob(os.path.join("tests/data", "*.safetensors")):
 *       b = open(f, "rb").read(); n = struct.unpack("<Q", b[:8])[0]
 *       open("fuzz-work/seeds-st/" + os.path.basename(f), "wb").write(
 *           struct.pack("<Q", len(b) - 8 - n) + b[8:8 + n])'
 *   build-fuzz/fuzz/fuzz_safetensors_header -max_total_time=60 -max_len=65536 \
 *       -artifact_prefix=fuzz-work/ fuzz-work/corpus-st fuzz-work/seeds-st
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emzip.h"
#include "format/safetensors_header.h"

#define CANARY 0xC7

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_header(const emz_st_header *h, size_t json_size, uint64_t data_size) {
    if (h->json_size != json_size || h->data_start != 8 + (uint64_t)json_size) abort();
    if (h->count && !h->tensors) abort();
    const emz_st_tensor *prev = NULL; /* the last non-empty tensor */
    for (size_t i = 0; i < h->count; i++) {
        const emz_st_tensor *t = &h->tensors[i];
        unsigned bits;
        if (!t->name || emz_st_dtype_bits(t->dtype, &bits) != EMZ_OK) abort();
        if (t->begin > t->end || t->end > data_size || t->dims > EMZ_ST_MAX_DIMS) abort();
        if (t->type != emz_st_storage_type(t->name, t->dtype)) abort();
        /* elements * bits == 8 * bytes, in 128 bits so nothing wraps */
        unsigned __int128 elements = 1;
        for (unsigned d = 0; d < t->dims; d++)
            if (t->shape[d] == 0) elements = 0;
        for (unsigned d = 0; d < t->dims && elements; d++) {
            elements *= t->shape[d];
            if (elements > UINT64_MAX) abort();
        }
        if (elements * bits != (unsigned __int128)(t->end - t->begin) * 8) abort();
        if (i > 0) {
            const emz_st_tensor *p = &h->tensors[i - 1];
            if (p->begin > t->begin || (p->begin == t->begin && p->end > t->end) ||
                (p->begin == t->begin && p->end == t->end && strcmp(p->name, t->name) >= 0))
                abort();
        }
        if (t->begin == t->end) continue;
        if (prev && t->begin < prev->end) abort();
        prev = t;
    }
    if (h->count < 2) return;
    char **names = malloc(h->count * sizeof *names);
    if (!names) abort();
    for (size_t i = 0; i < h->count; i++)
        names[i] = h->tensors[i].name;
    qsort(names, h->count, sizeof *names, by_name);
    for (size_t i = 1; i < h->count; i++)
        if (strcmp(names[i - 1], names[i]) == 0) abort();
    free(names);
}

/* Parses with a message buffer of why_cap bytes followed by a canary; returns the status. */
static emz_status parse_once(const uint8_t *json, size_t n, uint64_t data_size, size_t why_cap) {
    char why[320];
    memset(why, CANARY, sizeof why);
    emz_st_header h;
    emz_status st = emz_st_parse(json, n, data_size, &h, why, why_cap);
    for (size_t i = why_cap; i < sizeof why; i++)
        if ((unsigned char)why[i] != CANARY) abort(); /* wrote past the capacity */
    if (why_cap && !memchr(why, '\0', why_cap)) abort();
    if (st == EMZ_OK) {
        if (why_cap && why[0]) abort();
        check_header(&h, n, data_size);
        emz_st_free(&h);
        if (h.count || h.tensors) abort();
    } else {
        if (st != EMZ_ERROR_BAD_SAFETENSORS && st != EMZ_ERROR_NO_MEMORY) abort();
        if (h.count || h.tensors || h.json_size || h.data_start) abort();
        if (why_cap > 1 && !why[0]) abort(); /* a refusal always says why */
    }
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 8) return 0;
    uint64_t data_size = 0;
    for (int i = 0; i < 8; i++)
        data_size |= (uint64_t)data[i] << (8 * i);
    const uint8_t *json = data + 8;
    size_t n = size - 8;
    emz_status full = parse_once(json, n, data_size, 256);
    emz_status small = parse_once(json, n, data_size, size % 48); /* caps 0..47: cut messages */
    if (full != small) abort();
    return 0;
}
