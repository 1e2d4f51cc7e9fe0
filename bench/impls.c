/* impls.c - the implementations a run measures, and contexts forced to each (bench only). */
#include "impls.h"

#include "format/frame.h"

#include <stdio.h>
#include <string.h>

static int add_impl(impl_set *s, emz_impl impl) {
    for (int i = 0; i < s->n; i++)
        if (s->impl[i] == impl) return 0; /* "avx2,avx2" measures it once */
    if (s->n == EMZ_IMPL_COUNT) return -1;
    s->impl[s->n++] = impl;
    return 0;
}

int impl_set_parse(impl_set *s, const char *arg, char *err, size_t errlen) {
    s->n = 0;
    if (strcmp(arg, "all") == 0) {
        for (int i = EMZ_IMPL_SCALAR; i < EMZ_IMPL_COUNT; i++)
            if (emz_impl_available((emz_impl)i)) add_impl(s, (emz_impl)i);
        return 0;
    }
    const char *p = arg;
    while (*p) {
        size_t n = strcspn(p, ",");
        int found = -1;
        for (int i = EMZ_IMPL_SCALAR; i < EMZ_IMPL_COUNT; i++) {
            const char *name = emz_impl_name((emz_impl)i);
            if (name && strlen(name) == n && strncmp(p, name, n) == 0) found = i;
        }
        if (found < 0) {
            snprintf(err, errlen, "unknown implementation '%.*s' (scalar, avx2, avx512, neon, all)",
                     (int)n, p);
            return -1;
        }
        if (!emz_impl_available((emz_impl)found)) {
            snprintf(err, errlen,
                     "implementation '%s' is not built in or not supported by this CPU",
                     emz_impl_name((emz_impl)found));
            return -1;
        }
        add_impl(s, (emz_impl)found);
        p += n;
        if (*p == ',') p++;
    }
    if (s->n == 0) {
        snprintf(err, errlen, "no implementation named");
        return -1;
    }
    return 0;
}

void impl_set_format(const impl_set *s, char *buf, size_t len) {
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < s->n && o < len; i++) {
        int w = snprintf(buf + o, len - o, "%s%s", i ? "," : "", emz_impl_name(s->impl[i]));
        if (w < 0) break;
        o += (size_t)w;
    }
}

emz_cctx *bench_cctx(emz_impl impl, size_t chunk, char *err, size_t errlen) {
    emz_cctx *c = emz_cctx_create();
    if (!c) {
        snprintf(err, errlen, "cannot create an emzip compression context");
        return NULL;
    }
    emz_status st = chunk ? emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, (int64_t)chunk) : EMZ_OK;
    if (st == EMZ_OK) st = emz_cctx_set_param(c, EMZ_PARAM_IMPL, impl);
    if (st != EMZ_OK) {
        snprintf(err, errlen, "compression context (%s, chunk %zu): %s", emz_impl_name(impl), chunk,
                 emz_error_message(st));
        emz_cctx_free(c);
        return NULL;
    }
    return c;
}

emz_dctx *bench_dctx(emz_impl impl, int verify, char *err, size_t errlen) {
    emz_dctx *d = emz_dctx_create();
    if (!d) {
        snprintf(err, errlen, "cannot create an emzip decompression context");
        return NULL;
    }
    emz_status st = emz_dctx_set_param(d, EMZ_PARAM_VERIFY_CHECKSUM, verify);
    if (st == EMZ_OK) st = emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl);
    if (st != EMZ_OK) {
        snprintf(err, errlen, "decompression context (%s): %s", emz_impl_name(impl),
                 emz_error_message(st));
        emz_dctx_free(d);
        return NULL;
    }
    return d;
}

size_t bench_chunk_of(size_t chunk, emz_type t) {
    return chunk ? chunk : emz_default_chunk_size(t);
}
