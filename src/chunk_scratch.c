/* chunk_scratch.c - the scratch buffers a context keeps between calls. */
#include "chunk_codec.h"

#include <stdlib.h>

void emz_chunk_scratch_release(emz_chunk_scratch *s) {
    free(s->exps);
    free(s->sm_syms);
    free(s->sm_packed);
    free(s->chunk);
    s->exps = s->sm_syms = s->sm_packed = s->chunk = NULL;
    s->chunk_size = 0;
}

emz_status emz_chunk_scratch_reserve(emz_chunk_scratch *s, size_t chunk_size) {
    if (s->chunk_size >= chunk_size && s->exps) return EMZ_OK;
    emz_chunk_scratch_release(s);
    s->exps = malloc(2 * chunk_size + 64);
    s->sm_syms = malloc(2 * chunk_size + 64);
    s->sm_packed = malloc(chunk_size + 64);
    s->chunk = malloc(EMZ_CHUNK_OUT_ROOM(chunk_size));
    if (!s->exps || !s->sm_syms || !s->sm_packed || !s->chunk) {
        emz_chunk_scratch_release(s);
        return EMZ_ERROR_NO_MEMORY;
    }
    s->chunk_size = chunk_size;
    return EMZ_OK;
}
