/* chunk_scratch.c - the scratch buffers a context keeps between calls. */
#include "format/chunk_codec.h"

#include <stdlib.h>

void emz_chunk_scratch_release(emz_chunk_scratch *s) {
    free(s->exps);
    free(s->sm_syms);
    free(s->sm_packed);
    free(s->chunk);
    free(s->planes);
    free(s->shifted);
    free(s->input);
    free(s->clustered);
    s->exps = s->sm_syms = s->sm_packed = s->chunk = s->planes = s->shifted = s->input = NULL;
    s->clustered = NULL;
    s->shifted_cap = s->input_cap = s->clustered_cap = 0;
    s->chunk_size = 0;
}

size_t emz_chunk_scratch_bytes(size_t chunk_size) {
    return sizeof(emz_chunk_scratch) + 2 * (2 * chunk_size + 64) + chunk_size + 64 +
           EMZ_CHUNK_OUT_ROOM(chunk_size) + EMZ_PLANES_ROOM(chunk_size);
}

emz_status emz_chunk_scratch_reserve(emz_chunk_scratch *s, size_t chunk_size) {
    if (s->chunk_size >= chunk_size && s->exps) return EMZ_OK;
    emz_chunk_scratch_release(s);
    s->exps = malloc(2 * chunk_size + 64);
    s->sm_syms = malloc(2 * chunk_size + 64);
    s->sm_packed = malloc(chunk_size + 64);
    s->chunk = malloc(EMZ_CHUNK_OUT_ROOM(chunk_size));
    s->planes = malloc(EMZ_PLANES_ROOM(chunk_size));
    if (!s->exps || !s->sm_syms || !s->sm_packed || !s->chunk || !s->planes) {
        emz_chunk_scratch_release(s);
        return EMZ_ERROR_NO_MEMORY;
    }
    s->chunk_size = chunk_size;
    return EMZ_OK;
}

emz_status emz_chunk_scratch_reserve_set(emz_chunk_scratch **set, unsigned *count, unsigned workers,
                                         size_t chunk_size) {
    if (workers > *count) {
        emz_chunk_scratch *grown = realloc(*set, workers * sizeof *grown);
        if (!grown) return EMZ_ERROR_NO_MEMORY;
        for (unsigned w = *count; w < workers; w++)
            grown[w] = (emz_chunk_scratch){0};
        *set = grown;
        *count = workers;
    }
    for (unsigned w = 0; w < workers; w++) {
        emz_status st = emz_chunk_scratch_reserve(&(*set)[w], chunk_size);
        if (st != EMZ_OK) return st;
    }
    return EMZ_OK;
}

void emz_chunk_scratch_release_set(emz_chunk_scratch **set, unsigned *count) {
    for (unsigned w = 0; w < *count; w++)
        emz_chunk_scratch_release(&(*set)[w]);
    free(*set);
    *set = NULL;
    *count = 0;
}

/* *buf grown to hold at least size bytes (its content not kept), zeroed when asked. */
static bool grow(uint8_t **buf, size_t *cap, size_t size, bool zeroed) {
    if (*cap >= size) return true;
    free(*buf);
    *cap = 0;
    *buf = zeroed ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
    if (!*buf) return false;
    *cap = size;
    return true;
}

bool emz_chunk_scratch_reserve_shifted(emz_chunk_scratch *s, size_t size) {
    return grow(&s->shifted, &s->shifted_cap, size, false);
}

bool emz_chunk_scratch_reserve_clustered(emz_chunk_scratch *s, size_t size) {
    return grow(&s->clustered, &s->clustered_cap, size, false);
}

bool emz_chunk_scratch_reserve_input(emz_chunk_scratch *s, size_t size) {
    return grow(&s->input, &s->input_cap, size, true);
}
