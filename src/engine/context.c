/* context.c - the context core of context.h: defaults, parameters, scratch, temporary
 * contexts and detail messages. */
#include "engine/context.h"

#include "engine/dispatch.h"
#include "engine/parallel.h"
#include "format/frame.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

void emz_context_init(emz_context *c) {
    *c = (emz_context){.impl = EMZ_IMPL_AUTO, .threads = 1, .chunk_size = 0, .verify = true};
}

void emz_context_release(emz_context *c) {
    emz_chunk_scratch_release_set(&c->scratch, &c->scratch_count);
}

static emz_status set_chunk_size(emz_context *c, int64_t value) {
    if (value < (INT64_C(1) << EMZ_CHUNK_LOG2_MIN) || value > (INT64_C(1) << EMZ_CHUNK_LOG2_MAX) ||
        (value & (value - 1)))
        return EMZ_ERROR_INVALID_ARGUMENT;
    c->chunk_size = (size_t)value;
    return EMZ_OK;
}

emz_status emz_context_set_param(emz_context *c, emz_param param, int64_t value) {
    emz_status st;
    switch (param) {
    case EMZ_PARAM_CHUNK_SIZE:
        return set_chunk_size(c, value);
    case EMZ_PARAM_VERIFY_CHECKSUM:
        if (value != 0 && value != 1) return EMZ_ERROR_INVALID_ARGUMENT;
        c->verify = value != 0;
        return EMZ_OK;
    case EMZ_PARAM_IMPL:
        st = emz_impl_param_check(value);
        if (st == EMZ_OK) c->impl = (emz_impl)value;
        return st;
    case EMZ_PARAM_THREADS:
        return emz_threads_param(value, &c->threads);
    case EMZ_PARAM_MEMORY_LIMIT:
        if (value < 0) return EMZ_ERROR_INVALID_ARGUMENT;
        c->memory_limit = (uint64_t)value;
        return EMZ_OK;
    case EMZ_PARAM_MAX_OUTPUT:
        if (value < 0) return EMZ_ERROR_INVALID_ARGUMENT;
        c->max_output = (uint64_t)value;
        return EMZ_OK;
    case EMZ_PARAM_BLOCK_CHECKSUM: /* block contexts only (engine/block_codec.c) */
    case EMZ_PARAM_BLOCK_SIZE:
        return EMZ_ERROR_INVALID_ARGUMENT;
    }
    return EMZ_ERROR_INVALID_ARGUMENT;
}

/* min(1 GiB, RAM / 4). The machine's memory does not change while a process runs, and
 * sysconf(_SC_PHYS_PAGES) is a system call (sysinfo) that cost 2-6 us on every emz_decompress of
 * a small frame (0.43-0.87 x 0.1.0's speed on single-chunk frames until it was read once), so
 * it is read once per process. The cache holds a constant of the machine, not state: two
 * threads racing to fill it store the same value. */
static uint64_t default_memory_limit(void) {
    static _Atomic uint64_t cached;
    uint64_t limit = atomic_load_explicit(&cached, memory_order_relaxed);
    if (limit) return limit;
    limit = UINT64_C(1) << 30;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0 && (uint64_t)pages * (uint64_t)page / 4 < limit)
        limit = (uint64_t)pages * (uint64_t)page / 4;
    atomic_store_explicit(&cached, limit, memory_order_relaxed);
    return limit;
}

uint64_t emz_context_memory_limit(const emz_context *c) {
    return c->memory_limit ? c->memory_limit : default_memory_limit();
}

emz_status emz_context_fit_workers(emz_context *c, uint64_t fixed, uint64_t per_worker,
                                   unsigned *workers, const char *what_format, size_t chunk_bytes) {
    uint64_t limit = emz_context_memory_limit(c);
    if (fixed > limit || limit - fixed < per_worker) {
        char what[96];
        snprintf(what, sizeof what, what_format, chunk_bytes);
        emz_detail_set(c->detail,
                       "%s needs %" PRIu64 " MiB of buffers for one thread; the memory limit is "
                       "%" PRIu64 " MiB",
                       what, (fixed + per_worker + (1u << 20) - 1) >> 20, limit >> 20);
        return EMZ_ERROR_LIMIT;
    }
    uint64_t fit = (limit - fixed) / per_worker;
    if (fit < *workers) *workers = (unsigned)fit;
    return EMZ_OK;
}

emz_status emz_context_check_output(emz_context *c, uint64_t original_size) {
    if (!c->max_output || original_size <= c->max_output) return EMZ_OK;
    emz_detail_set(c->detail,
                   "the data declares %" PRIu64 " bytes; the output limit is %" PRIu64 " bytes",
                   original_size, c->max_output);
    return EMZ_ERROR_LIMIT;
}

emz_context *emz_context_begin(emz_context *given, emz_context *local) {
    emz_context *used = given;
    if (!used) {
        emz_context_init(local);
        used = local;
    }
    used->detail[0] = '\0';
    return used;
}

void emz_context_end(emz_context *used, emz_context *local) {
    if (used == local) emz_context_release(local);
}

void emz_detail_set(char detail[EMZ_DETAIL_SIZE], const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(detail, EMZ_DETAIL_SIZE, format, args);
    va_end(args);
}
