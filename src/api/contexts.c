/* contexts.c - the public faces of the context core (engine/context.h): emz_cctx and emz_dctx,
 * each accepting its own parameters. */
#include "engine/context.h"

#include <stdlib.h>

emz_cctx *emz_cctx_create(void) {
    emz_cctx *c = malloc(sizeof *c);
    if (c) emz_context_init(&c->core);
    return c;
}

emz_dctx *emz_dctx_create(void) {
    emz_dctx *d = malloc(sizeof *d);
    if (d) emz_context_init(&d->core);
    return d;
}

/* free() of the wrapper is free() of its core, the first member. */
static void context_free(emz_context *c) {
    if (!c) return;
    emz_context_release(c);
    free(c);
}

void emz_cctx_free(emz_cctx *cctx) {
    context_free(emz_cctx_core(cctx));
}
void emz_dctx_free(emz_dctx *dctx) {
    context_free(emz_dctx_core(dctx));
}

emz_status emz_cctx_set_param(emz_cctx *cctx, emz_param param, int64_t value) {
    if (!cctx || param == EMZ_PARAM_VERIFY_CHECKSUM) return EMZ_ERROR_INVALID_ARGUMENT;
    return emz_context_set_param(&cctx->core, param, value);
}

emz_status emz_dctx_set_param(emz_dctx *dctx, emz_param param, int64_t value) {
    if (!dctx || param == EMZ_PARAM_CHUNK_SIZE) return EMZ_ERROR_INVALID_ARGUMENT;
    return emz_context_set_param(&dctx->core, param, value);
}

static emz_status set_progress(emz_context *c, emz_progress_fn fn, void *opaque) {
    if (!c) return EMZ_ERROR_INVALID_ARGUMENT;
    c->progress = fn, c->progress_opaque = opaque;
    return EMZ_OK;
}

emz_status emz_cctx_set_progress(emz_cctx *cctx, emz_progress_fn fn, void *opaque) {
    return set_progress(emz_cctx_core(cctx), fn, opaque);
}

emz_status emz_dctx_set_progress(emz_dctx *dctx, emz_progress_fn fn, void *opaque) {
    return set_progress(emz_dctx_core(dctx), fn, opaque);
}

const char *emz_cctx_error_detail(const emz_cctx *cctx) {
    return cctx ? cctx->core.detail : "";
}
const char *emz_dctx_error_detail(const emz_dctx *dctx) {
    return dctx ? dctx->core.detail : "";
}
