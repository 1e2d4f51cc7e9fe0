/* dispatch.c - chooses the kernel table. The CPU is examined through cpu_features once per
 * process; EMZIP_IMPL can override the default, and each context can force a table. This file
 * is compiled without ISA flags: it only reads features and hands out pointers. */
#include "engine/dispatch.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuinfo_x86.h>
#define EMZ_X86 1
#elif defined(__aarch64__)
#include <cpuinfo_aarch64.h>
#define EMZ_AARCH64 1
#endif

static const emz_kernels *const kernel_tables[EMZ_IMPL_COUNT] = {
    [EMZ_IMPL_SCALAR] = &emz_kernels_scalar,
#ifdef EMZ_HAVE_AVX2
    [EMZ_IMPL_AVX2] = &emz_kernels_avx2,
#endif
#ifdef EMZ_HAVE_AVX512
    [EMZ_IMPL_AVX512] = &emz_kernels_avx512,
#endif
#ifdef EMZ_HAVE_NEON
    [EMZ_IMPL_NEON] = &emz_kernels_neon,
#endif
};

static const char *const impl_names[EMZ_IMPL_COUNT] = {"auto", "scalar", "avx2", "avx512", "neon"};

const char *emz_impl_name(emz_impl impl) {
    return (unsigned)impl < EMZ_IMPL_COUNT ? impl_names[impl] : NULL;
}

/* cpu_features reports AVX and AVX-512 only when the OS saves their registers (XCR0). */
static unsigned detect_runnable(void) {
    unsigned mask = 1u << EMZ_IMPL_SCALAR;
#if defined(EMZ_X86)
    X86Features f = GetX86Info().features;
    if (f.avx2 && f.bmi2) mask |= 1u << EMZ_IMPL_AVX2;
    if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512vbmi && f.avx512vbmi2 && f.bmi2)
        mask |= 1u << EMZ_IMPL_AVX512;
#elif defined(EMZ_AARCH64)
    if (GetAarch64Info().features.asimd) mask |= 1u << EMZ_IMPL_NEON;
#endif
    return mask;
}

/* Detected once: CPUID is slow, and under a hypervisor it traps (microseconds a call).
 * Threads racing on the first call compute the same value, so relaxed atomics suffice. */
static atomic_int runnable_mask = -1;

static bool cpu_runs(emz_impl impl) {
    int mask = atomic_load_explicit(&runnable_mask, memory_order_relaxed);
    if (mask < 0) {
        mask = (int)detect_runnable();
        atomic_store_explicit(&runnable_mask, mask, memory_order_relaxed);
    }
    return (mask >> impl) & 1;
}

int emz_impl_available(emz_impl impl) {
    return (unsigned)impl < EMZ_IMPL_COUNT && kernel_tables[impl] && cpu_runs(impl);
}

static emz_impl detect_default(void) {
    const char *forced = getenv("EMZIP_IMPL");
    if (forced && *forced) {
        for (unsigned i = EMZ_IMPL_SCALAR; i < EMZ_IMPL_COUNT; i++)
            if (strcmp(forced, impl_names[i]) == 0) return (emz_impl)i;
        return EMZ_IMPL_AUTO; /* unknown name: nothing may run */
    }
    static const emz_impl best_first[] = {EMZ_IMPL_AVX512, EMZ_IMPL_AVX2, EMZ_IMPL_NEON};
    for (size_t i = 0; i < sizeof best_first / sizeof best_first[0]; i++)
        if (emz_impl_available(best_first[i])) return best_first[i];
    return EMZ_IMPL_SCALAR;
}

static atomic_int default_impl = -1; /* relaxed, as runnable_mask */

emz_impl emz_impl_default(void) {
    int v = atomic_load_explicit(&default_impl, memory_order_relaxed);
    if (v < 0) {
        v = (int)detect_default();
        atomic_store_explicit(&default_impl, v, memory_order_relaxed);
    }
    return (emz_impl)v;
}

emz_status emz_kernels_resolve(emz_impl requested, const emz_kernels **kernels) {
    emz_impl impl = requested == EMZ_IMPL_AUTO ? emz_impl_default() : requested;
    if (!emz_impl_available(impl)) return EMZ_ERROR_IMPL_UNAVAILABLE;
    *kernels = kernel_tables[impl];
    return EMZ_OK;
}

emz_status emz_impl_param_check(int64_t value) {
    if (value < 0 || value >= EMZ_IMPL_COUNT) return EMZ_ERROR_INVALID_ARGUMENT;
    if (value != EMZ_IMPL_AUTO && !emz_impl_available((emz_impl)value))
        return EMZ_ERROR_IMPL_UNAVAILABLE;
    return EMZ_OK;
}
