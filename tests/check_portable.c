/* check_portable.c - a plain-C check (no Criterion) that every implementation this CPU runs
 * matches the scalar reference, for targets where the Criterion suite cannot run (the AArch64
 * cross build under qemu-user, scripts/check-neon.sh). It covers what test_impl_equivalence.c
 * does, plus a round trip of the corpus:
 *  - split/merge of every type against scalar: all 2^16 BF16/FP16 patterns (FP32: every
 *    sign+exponent with varied mantissas; 8-bit types and FP4 bytes: all 256 values), the whole
 *    buffer and every length 0..200 at every offset 0..7; neither may write outside its outputs;
 *    merge also of arbitrary sign+mantissa bytes (nonzero padding bits included);
 *  - pack_bits/unpack_bits against scalar for every width 1..8, every length 0..200 at every
 *    offset 0..7 and a long buffer; unpack also of arbitrary bytes; no writes outside outputs;
 *  - every kernel above with each buffer flush against an inaccessible page, after its end and
 *    before its start: no kernel may read or write a byte beyond the ones scalar touches;
 *  - checksum32 against scalar for many lengths and two alignments;
 *  - compressed bytes identical to scalar's, and decoded data identical to the input, for
 *    every type at several sizes, random and smooth data;
 *  - every file of the corpus directory (argv[1]): the first 256 KiB of each tensor round-trips
 *    byte for byte with every implementation, with frames identical to scalar's.
 * Usage: check_portable CORPUS_DIR. The last line is "N passed, N failed"; the exit status is
 * non-zero on any failure. */
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "format/element_types.h"
#include "emzip.h"
#include "engine/dispatch.h"
#include "test_data.h"

static unsigned long n_passed, n_failed;

/* Records one check; prints the first 50 failures. */
static int check(int ok, const char *fmt, ...) {
    if (ok) {
        n_passed++;
        return 1;
    }
    if (++n_failed <= 50) {
        va_list ap;
        va_start(ap, fmt);
        fputs("FAIL: ", stdout);
        vprintf(fmt, ap);
        fputc('\n', stdout);
        va_end(ap);
    }
    return 0;
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory (%zu bytes)\n", n);
        exit(2);
    }
    return p;
}

/* A kernel that reads or writes outside its buffers may fault instead of failing a check: the
 * handler (installed for the whole run) then names the check or call in progress. */
static char current_call[160] = "startup";

static void on_fault(int sig) {
    static const char msg[] = "FAIL: fault (SIGSEGV/SIGBUS) in ";
    (void)sig;
    if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0 ||
        write(STDOUT_FILENO, current_call, strlen(current_call)) < 0 ||
        write(STDOUT_FILENO, "\n", 1) < 0)
        _exit(1);
    _exit(1);
}

static void report_faults(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fault;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

/* ---- kernels ---- */

static const emz_kernels *table_of(emz_impl impl) {
    const emz_kernels *k = NULL;
    if (emz_kernels_resolve(impl, &k) != EMZ_OK) {
        fprintf(stderr, "cannot resolve %s\n", emz_impl_name(impl));
        exit(2);
    }
    return k;
}

/* Element slots of n patterns of a type: 65536 scrambled 16-bit patterns (every BF16/FP16
 * value), 65536 FP32 values (every sign+exponent+7 mantissa bits, random low mantissa bits),
 * 65536 bytes (every 8-bit value 256 times; 131072 FP4 slots). */
static uint8_t *patterns(emz_type type, size_t *slots) {
    const emz_type_desc *d = emz_type_desc_get(type);
    size_t n = 65536, bytes = n * d->element_bits / 8;
    uint8_t *p = xmalloc(bytes + 64);
    uint64_t seed = 99;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = (uint32_t)(i * 40503u + 12345u) & 0xFFFF;
        if (d->element_bits == 32) tu_put32(p + 4 * i, k << 16 | (uint32_t)(tu_rand(&seed) & 0xFFFF));
        else if (d->element_bits == 16) tu_put16(p + 2 * i, (uint16_t)k);
        else if (i < bytes) p[i] = (uint8_t)(k * 7);
    }
    memset(p + bytes, 0x5A, 64);
    *slots = bytes * 8 / d->element_bits;
    return p;
}

static size_t ceil_bytes(size_t m, unsigned bits) { return (m * bits + 7) / 8; }

/* 1 if p[0..n) all equal fill: the guard bytes around an output were left alone. */
static int untouched(const uint8_t *p, size_t n, uint8_t fill) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != fill) return 0;
    return 1;
}

static void check_split_merge(emz_type type) {
    const emz_type_desc *d = emz_type_desc_get(type);
    size_t n;
    uint8_t *src = patterns(type, &n);
    const emz_kernels *ref = table_of(EMZ_IMPL_SCALAR);
    size_t smb = ceil_bytes(n, d->signmant_bits) + 64, ob = ceil_bytes(n, d->element_bits) + 128;
    uint8_t *e0 = xmalloc(n + 64), *s0 = xmalloc(smb), *e1 = xmalloc(n + 64), *s1 = xmalloc(smb),
            *out0 = xmalloc(ob), *out1 = xmalloc(ob);
    /* FP4 chunks hold whole bytes: an even number of slots; an offset moves by whole bytes. */
    unsigned step = type == EMZ_TYPE_FP4_E2M1 ? 2 : 1;
    size_t in_step = d->element_bits == 4 ? 1 : d->element_bits / 8; /* input bytes per offset */
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        const emz_kernels *k = table_of((emz_impl)impl);
        unsigned long failed_before = n_failed;
        snprintf(current_call, sizeof current_call, "%s %s split/merge against scalar", k->name,
                 emz_type_name(type));
        /* len 0..200, then one more step: the whole buffer (at offset 0). */
        for (size_t len = 0; len <= 200 + step; len += step) {
            int whole = len > 200;
            for (unsigned off = 0; off < (whole ? 1u : 8u); off++) {
                const uint8_t *in = src + off * in_step;
                size_t m = whole ? n : len;
                size_t eb = m, sb = ceil_bytes(m, d->signmant_bits), db = ceil_bytes(m, d->element_bits);
                memset(e0, 0xC3, eb + 16), memset(s0, 0xC3, sb + 16);
                memset(e1, 0xC3, eb + 16 + off), memset(s1, 0xC3, sb + 16 + off);
                ref->split[type](in, m, e0, s0);
                k->split[type](in, m, e1 + off, s1 + off);
                if (!check(memcmp(e0, e1 + off, eb) == 0 && memcmp(s0, s1 + off, sb) == 0,
                           "%s %s split differs from scalar: len %zu off %u", k->name,
                           emz_type_name(type), m, off))
                    continue;
                check(untouched(e1, off, 0xC3) && untouched(e1 + off + eb, 16, 0xC3) &&
                          untouched(s1, off, 0xC3) && untouched(s1 + off + sb, 16, 0xC3),
                      "%s %s split wrote outside its outputs: len %zu off %u", k->name,
                      emz_type_name(type), m, off);
                memset(out0, 0xA5, db + 16), memset(out1, 0xA5, db + 16 + off);
                ref->merge[type](e0, s0, m, out0);
                k->merge[type](e1 + off, s1 + off, m, out1 + off);
                check(memcmp(out0, out1 + off, db) == 0 && memcmp(out1 + off, in, db) == 0,
                      "%s %s merge differs: len %zu off %u", k->name, emz_type_name(type), m, off);
                check(untouched(out1, off, 0xA5) && untouched(out1 + off + db, 16, 0xA5),
                      "%s %s merge wrote outside its output: len %zu off %u", k->name,
                      emz_type_name(type), m, off);
            }
        }
        printf("  split/merge %-5s %-6s %s\n", emz_type_name(type), k->name,
               n_failed == failed_before ? "ok" : "FAILED");
    }
    free(src), free(e0), free(s0), free(e1), free(s1), free(out0), free(out1);
}

/* Merge of arbitrary sign+mantissa bytes (every bit random, padding bits of the last byte
 * included: a RAW stream arrives in place) with random exponent symbols below 2^E, the values
 * a decoder hands over. Every length 0..200 (FP4: even) and a long one, against scalar. */
static void check_merge_any_signmant(emz_type type) {
    const emz_type_desc *d = emz_type_desc_get(type);
    const size_t big = 40000;
    unsigned step = type == EMZ_TYPE_FP4_E2M1 ? 2 : 1;
    size_t sb_max = ceil_bytes(big, d->signmant_bits), db_max = ceil_bytes(big, d->element_bits);
    uint8_t *e = xmalloc(big), *sm = xmalloc(sb_max), *out0 = xmalloc(db_max + 16),
            *out1 = xmalloc(db_max + 16);
    tu_fill_random(e, big, 21 + type);
    for (size_t i = 0; i < big; i++) e[i] &= (uint8_t)((1u << d->exp_bits) - 1);
    tu_fill_random(sm, sb_max, 31 + type);
    const emz_kernels *ref = table_of(EMZ_IMPL_SCALAR);
    for (int impl = EMZ_IMPL_SCALAR + 1; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        const emz_kernels *k = table_of((emz_impl)impl);
        unsigned long failed_before = n_failed;
        snprintf(current_call, sizeof current_call,
                 "%s %s merge of arbitrary sign+mantissa bytes", k->name, emz_type_name(type));
        for (size_t len = 0; len <= 200 + step; len += step) {
            size_t m = len > 200 ? big : len, db = ceil_bytes(m, d->element_bits);
            memset(out0, 0xA5, db + 16), memset(out1, 0xA5, db + 16);
            ref->merge[type](e, sm, m, out0);
            k->merge[type](e, sm, m, out1);
            check(memcmp(out0, out1, db + 16) == 0,
                  "%s %s merge of arbitrary sign+mantissa bytes differs: len %zu", k->name,
                  emz_type_name(type), m);
        }
        printf("  merge, any sign+mantissa bytes %-5s %-6s %s\n", emz_type_name(type), k->name,
               n_failed == failed_before ? "ok" : "FAILED");
    }
    free(e), free(sm), free(out0), free(out1);
}

/* pack_bits/unpack_bits against scalar: every width 1..8, every length 0..200 at every offset
 * 0..7 of input and output, then a long buffer (not a multiple of any step, so the tail runs);
 * symbols are random below 2^width, as the kernel table requires. unpack is checked on the
 * packed symbols (it must give them back) and on arbitrary bytes. */
static void check_bitpack(void) {
    const size_t big = 70013;
    uint8_t *syms = xmalloc(big + 8), *junk = xmalloc(big + 8), *p0 = xmalloc(big + 32),
            *p1 = xmalloc(big + 32), *u0 = xmalloc(big + 32), *u1 = xmalloc(big + 32);
    const emz_kernels *ref = table_of(EMZ_IMPL_SCALAR);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        const emz_kernels *k = table_of((emz_impl)impl);
        unsigned long failed_before = n_failed;
        for (unsigned w = 1; w <= 8; w++) {
            snprintf(current_call, sizeof current_call, "%s pack/unpack against scalar, width %u",
                     k->name, w);
            tu_fill_random(syms, big + 8, 40 + w);
            for (size_t i = 0; i < big + 8; i++) syms[i] &= (uint8_t)((1u << w) - 1);
            tu_fill_random(junk, big + 8, 50 + w);
            for (size_t len = 0; len <= 201; len++) {
                int whole = len > 200;
                for (unsigned off = 0; off < (whole ? 1u : 8u); off++) {
                    size_t n = whole ? big : len, pb = ceil_bytes(n, w);
                    const uint8_t *in = syms + off;
                    memset(p0, 0xC3, pb + 16), memset(p1, 0xC3, pb + 16 + off);
                    ref->pack_bits(in, n, w, p0);
                    k->pack_bits(in, n, w, p1 + off);
                    check(memcmp(p0, p1 + off, pb) == 0 && untouched(p1, off, 0xC3) &&
                              untouched(p1 + off + pb, 16, 0xC3),
                          "%s pack_bits differs or writes outside: width %u, %zu symbols, off %u",
                          k->name, w, n, off);
                    memset(u1, 0xA5, n + 16 + off);
                    k->unpack_bits(p1 + off, n, w, u1 + off);
                    check(memcmp(u1 + off, in, n) == 0 && untouched(u1, off, 0xA5) &&
                              untouched(u1 + off + n, 16, 0xA5),
                          "%s unpack_bits differs or writes outside: width %u, %zu symbols, off %u",
                          k->name, w, n, off);
                    memset(u0, 0xA5, n + 16), memset(u1, 0xA5, n + 16 + off);
                    ref->unpack_bits(junk + off, n, w, u0);
                    k->unpack_bits(junk + off, n, w, u1 + off);
                    check(memcmp(u0, u1 + off, n + 16) == 0,
                          "%s unpack_bits of arbitrary bytes differs: width %u, %zu symbols, off %u",
                          k->name, w, n, off);
                }
            }
        }
        printf("  pack/unpack %-6s %s\n", k->name, n_failed == failed_before ? "ok" : "FAILED");
    }
    free(syms), free(junk), free(p0), free(p1), free(u0), free(u1);
}

/* ---- kernels next to inaccessible pages ---- */

/* An area of whole pages between two PROT_NONE pages: a buffer placed at its end (or start)
 * faults on the first byte read or written past its end (or before its start). */
typedef struct {
    uint8_t *area;
    size_t size;
} guarded;

static guarded guarded_new(size_t cap) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), size = (cap + page - 1) / page * page;
    uint8_t *p = mmap(NULL, size + 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    if (p == MAP_FAILED || mprotect(p, page, PROT_NONE) != 0 ||
        mprotect(p + page + size, page, PROT_NONE) != 0) {
        fprintf(stderr, "cannot map guard pages\n");
        exit(2);
    }
    guarded g = {p + page, size};
    return g;
}

static void guarded_free(guarded g) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    munmap(g.area - page, g.size + 2 * page);
}

/* n bytes ending at the upper guard page (at_end) or starting at the lower one. */
static uint8_t *guarded_place(guarded g, size_t n, int at_end) {
    return at_end ? g.area + g.size - n : g.area;
}

/* Lengths for the guarded runs: all short ones (every tail of every step) and a few long. */
static size_t guarded_len(size_t i, unsigned step) {
    static const size_t longer[] = {1000, 4096, 4099, 65536 + 70};
    return i <= 200 ? i * step : longer[i - 201] * step;
}
#define GUARDED_LENS 205

static void check_guarded(void) {
    const size_t cap = 4 * (65536 + 70) * 2 + 64; /* the largest buffer below (FP32 / FP4) */
    guarded gsrc = guarded_new(cap), gexp = guarded_new(cap), gsm = guarded_new(cap),
            gdst = guarded_new(cap);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        const emz_kernels *k = table_of((emz_impl)impl);
        unsigned long failed_before = n_failed;
        for (int at_end = 1; at_end >= 0; at_end--) {
            const char *side = at_end ? "end" : "start";
            for (int t = 0; t < EMZ_TYPE_COUNT; t++) {
                if (!k->split[t]) continue;
                const emz_type_desc *d = emz_type_desc_get((emz_type)t);
                unsigned step = t == EMZ_TYPE_FP4_E2M1 ? 2 : 1;
                for (size_t i = 0; i < GUARDED_LENS; i++) {
                    size_t m = guarded_len(i, step), db = ceil_bytes(m, d->element_bits),
                           sb = ceil_bytes(m, d->signmant_bits);
                    uint8_t *src = guarded_place(gsrc, db, at_end), *e = guarded_place(gexp, m, at_end),
                            *sm = guarded_place(gsm, sb, at_end), *dst = guarded_place(gdst, db, at_end);
                    tu_fill_random(src, db, m);
                    snprintf(current_call, sizeof current_call, "%s %s split, %zu slots, at the %s",
                             k->name, emz_type_name((emz_type)t), m, side);
                    k->split[t](src, m, e, sm);
                    snprintf(current_call, sizeof current_call, "%s %s merge, %zu slots, at the %s",
                             k->name, emz_type_name((emz_type)t), m, side);
                    k->merge[t](e, sm, m, dst);
                    check(memcmp(src, dst, db) == 0, "%s %s round trip differs: %zu slots at the %s",
                          k->name, emz_type_name((emz_type)t), m, side);
                }
            }
            for (unsigned w = 1; w <= 8; w++) {
                for (size_t i = 0; i < GUARDED_LENS; i++) {
                    size_t n = guarded_len(i, 1), pb = ceil_bytes(n, w);
                    uint8_t *syms = guarded_place(gsrc, n, at_end), *packed = guarded_place(gsm, pb, at_end),
                            *back = guarded_place(gdst, n, at_end);
                    tu_fill_random(syms, n, n + w);
                    for (size_t j = 0; j < n; j++) syms[j] &= (uint8_t)((1u << w) - 1);
                    snprintf(current_call, sizeof current_call, "%s pack_bits, width %u, %zu symbols, at the %s",
                             k->name, w, n, side);
                    k->pack_bits(syms, n, w, packed);
                    snprintf(current_call, sizeof current_call, "%s unpack_bits, width %u, %zu symbols, at the %s",
                             k->name, w, n, side);
                    k->unpack_bits(packed, n, w, back);
                    check(memcmp(syms, back, n) == 0, "%s pack/unpack round trip differs: width %u, %zu symbols",
                          k->name, w, n);
                }
            }
        }
        printf("  guarded    %-6s %s\n", k->name, n_failed == failed_before ? "ok" : "FAILED");
    }
    guarded_free(gsrc), guarded_free(gexp), guarded_free(gsm), guarded_free(gdst);
}

static void check_checksums(void) {
    size_t n = 70000;
    uint8_t *data = xmalloc(n + 8);
    tu_fill_random(data, n + 8, 7);
    const emz_kernels *ref = table_of(EMZ_IMPL_SCALAR);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        const emz_kernels *k = table_of((emz_impl)impl);
        unsigned long failed_before = n_failed;
        for (size_t len = 0; len <= n; len = len < 300 ? len + 1 : len * 3 / 2)
            for (unsigned off = 0; off < 8; off += 7)
                check(k->checksum32(data + off, len) == ref->checksum32(data + off, len),
                      "%s checksum differs from scalar: len %zu off %u", k->name, len, off);
        printf("  checksum32 %-6s %s\n", k->name, n_failed == failed_before ? "ok" : "FAILED");
    }
    free(data);
}

/* ---- frames ---- */

/* Compresses src with scalar and with impl (same chunk size): identical frames; then decodes
 * with impl: identical data. Returns the frame size. */
static size_t frame_check(emz_impl impl, const uint8_t *src, size_t n, emz_type type,
                          int64_t chunk, const char *what) {
    static emz_cctx *ref, *c;
    static emz_dctx *d;
    if (!ref) {
        ref = emz_cctx_create(), c = emz_cctx_create(), d = emz_dctx_create();
        if (!ref || !c || !d || emz_cctx_set_param(ref, EMZ_PARAM_IMPL, EMZ_IMPL_SCALAR)) exit(2);
    }
    size_t cap = emz_compress_bound(n), n0 = 0, n1 = 0, got = 0;
    uint8_t *f0 = xmalloc(cap), *f1 = xmalloc(cap), *out = xmalloc(n);
    int ok = check(emz_cctx_set_param(ref, EMZ_PARAM_CHUNK_SIZE, chunk) == EMZ_OK &&
                       emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, chunk) == EMZ_OK &&
                       emz_cctx_set_param(c, EMZ_PARAM_IMPL, impl) == EMZ_OK &&
                       emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl) == EMZ_OK,
                   "%s: setting parameters failed", emz_impl_name(impl));
    ok = ok && check(emz_compress(ref, f0, cap, src, n, type, &n0) == EMZ_OK &&
                         emz_compress(c, f1, cap, src, n, type, &n1) == EMZ_OK,
                     "%s: compression failed (%s)", emz_impl_name(impl), what);
    ok = ok && check(n0 == n1 && memcmp(f0, f1, n0) == 0, "%s: frame differs from scalar (%s)",
                     emz_impl_name(impl), what);
    ok = ok && check(emz_decompress(d, out, n, f1, n1, &got) == EMZ_OK && got == n &&
                         memcmp(out, src, n) == 0,
                     "%s: round trip differs (%s)", emz_impl_name(impl), what);
    free(f0), free(f1), free(out);
    return n1;
}

static void check_frames(void) {
    static const size_t sizes[] = {0,    1,    3,    31,   64,   65,    127,   4095,
                                   4096, 8191, 8193, 32769, 65536, 200003};
    uint8_t *src = xmalloc(200003);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        unsigned long failed_before = n_failed;
        for (int t = 0; t < EMZ_TYPE_COUNT; t++)
            for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
                for (int kind = 0; kind < 2; kind++) {
                    char what[64];
                    size_t n = sizes[i];
                    if (kind) tu_fill_random(src, n, 11 + i);
                    else tu_fill_smooth(src, n, (emz_type)t, 5 + i);
                    snprintf(what, sizeof what, "%s, %zu bytes, %s", emz_type_name((emz_type)t), n,
                             kind ? "random" : "smooth");
                    frame_check((emz_impl)impl, src, n, (emz_type)t, 65536, what);
                }
        printf("  frames     %-6s %s\n", emz_impl_name((emz_impl)impl),
               n_failed == failed_before ? "ok" : "FAILED");
    }
    free(src);
}

/* ---- corpus ---- */

static int read_file(const char *path, uint8_t **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t cap = 1 << 20, n = 0;
    uint8_t *b = xmalloc(cap);
    for (size_t r; (r = fread(b + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap *= 2);
            if (!nb) exit(2);
            b = nb;
        }
    }
    int ok = !ferror(f);
    fclose(f);
    *data = b, *size = n;
    return ok;
}

/* A safetensors header is JSON: {"name": {"dtype": "BF16", "shape": [..], "data_offsets":
 * [a, b]}, ..., "__metadata__": {...}}. This scanner reads exactly that shape: top-level keys
 * whose values are objects, in which it looks at "dtype" and "data_offsets". */
typedef struct {
    const char *p, *end;
    int ok;
} scan;

static void skip_ws(scan *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

static int expect(scan *s, char c) {
    skip_ws(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 1;
    }
    s->ok = 0;
    return 0;
}

static void read_str(scan *s, char *out, size_t cap) { /* no escapes in tensor names/dtypes */
    size_t n = 0;
    if (!expect(s, '"')) return;
    while (s->p < s->end && *s->p != '"') {
        if (*s->p == '\\' && s->p + 1 < s->end) s->p++;
        if (n + 1 < cap) out[n++] = *s->p;
        s->p++;
    }
    out[n] = 0;
    expect(s, '"');
}

static void skip_value(scan *s) { /* string, number, or a nested array/object */
    skip_ws(s);
    if (s->p >= s->end) {
        s->ok = 0;
        return;
    }
    if (*s->p == '"') {
        char tmp[8];
        read_str(s, tmp, sizeof tmp);
        return;
    }
    if (*s->p == '[' || *s->p == '{') {
        int depth = 0, in_str = 0;
        for (; s->p < s->end; s->p++) {
            char c = *s->p;
            if (in_str) {
                if (c == '\\') s->p++;
                else if (c == '"') in_str = 0;
            } else if (c == '"') in_str = 1;
            else if (c == '[' || c == '{') depth++;
            else if ((c == ']' || c == '}') && --depth == 0) {
                s->p++;
                return;
            }
        }
        s->ok = 0;
        return;
    }
    while (s->p < s->end && *s->p != ',' && *s->p != '}' && *s->p != ']') s->p++;
}

static unsigned long long read_uint(scan *s) {
    skip_ws(s);
    unsigned long long v = 0;
    if (s->p >= s->end || *s->p < '0' || *s->p > '9') s->ok = 0;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') v = v * 10 + (unsigned)(*s->p++ - '0');
    return v;
}

static int map_dtype(const char *name, const char *dtype, emz_type *type) {
    size_t l = strlen(name);
    if (strcmp(dtype, "BF16") == 0) *type = EMZ_TYPE_BF16;
    else if (strcmp(dtype, "F16") == 0) *type = EMZ_TYPE_FP16;
    else if (strcmp(dtype, "F32") == 0) *type = EMZ_TYPE_FP32;
    else if (strcmp(dtype, "F8_E4M3") == 0) *type = EMZ_TYPE_FP8_E4M3;
    else if (strcmp(dtype, "F8_E5M2") == 0) *type = EMZ_TYPE_FP8_E5M2;
    else if (strcmp(dtype, "U8") == 0)
        *type = l >= 7 && strcmp(name + l - 7, ".blocks") == 0 ? EMZ_TYPE_FP4_E2M1 : EMZ_TYPE_BYTES;
    else return 0;
    return 1;
}

#define SLICE (256 * 1024)

/* Every tensor of one file: its first 256 KiB round-trip with every implementation. */
static void check_file(const char *path) {
    uint8_t *f = NULL;
    size_t size = 0, tensors = 0, bytes_in = 0, bytes_out = 0;
    unsigned long failed_before = n_failed;
    if (!check(read_file(path, &f, &size) && size >= 8, "%s: cannot read", path)) return;
    unsigned long long hl = 0;
    for (int i = 7; i >= 0; i--) hl = hl << 8 | f[i];
    if (!check(hl <= size - 8, "%s: header length %llu too large", path, hl)) goto done;
    scan s = {(const char *)f + 8, (const char *)f + 8 + hl, 1};
    const uint8_t *data = f + 8 + hl;
    size_t data_size = size - 8 - hl;
    expect(&s, '{');
    skip_ws(&s);
    while (s.ok && s.p < s.end && *s.p != '}') {
        char name[256], key[64], dtype[32] = "";
        unsigned long long a = 0, b = 0;
        int have_off = 0;
        read_str(&s, name, sizeof name);
        expect(&s, ':');
        skip_ws(&s);
        if (strcmp(name, "__metadata__") == 0) {
            skip_value(&s);
        } else if (expect(&s, '{')) {
            skip_ws(&s);
            while (s.ok && s.p < s.end && *s.p != '}') {
                read_str(&s, key, sizeof key);
                expect(&s, ':');
                if (strcmp(key, "dtype") == 0) read_str(&s, dtype, sizeof dtype);
                else if (strcmp(key, "data_offsets") == 0) {
                    expect(&s, '[');
                    a = read_uint(&s);
                    expect(&s, ',');
                    b = read_uint(&s);
                    expect(&s, ']');
                    have_off = 1;
                } else skip_value(&s);
                skip_ws(&s);
                if (s.p < s.end && *s.p == ',') s.p++, skip_ws(&s);
            }
            expect(&s, '}');
            emz_type type = EMZ_TYPE_BYTES;
            if (!check(s.ok && have_off && a <= b && b <= data_size,
                       "%s: tensor %s: bad entry", path, name) ||
                !check(map_dtype(name, dtype, &type), "%s: tensor %s: unexpected dtype %s",
                       path, name, dtype))
                break;
            size_t len = b - a < SLICE ? (size_t)(b - a) : SLICE;
            for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
                if (!emz_impl_available((emz_impl)impl)) continue;
                char what[400];
                snprintf(what, sizeof what, "%s: %s (%s, %zu bytes)", path, name, dtype, len);
                size_t out = frame_check((emz_impl)impl, data + a, len, type, 65536, what);
                if (impl == EMZ_IMPL_SCALAR) bytes_in += len, bytes_out += out;
            }
            tensors++;
        } else break;
        skip_ws(&s);
        if (s.p < s.end && *s.p == ',') s.p++, skip_ws(&s);
    }
    check(s.ok, "%s: cannot parse the safetensors header", path);
    check(tensors > 0, "%s: no tensors", path);
done:
    printf("  corpus %s: %zu tensors, %zu -> %zu bytes: %s\n", path, tensors, bytes_in, bytes_out,
           n_failed == failed_before ? "ok" : "FAILED");
    free(f);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_corpus(const char *dir) {
    DIR *dp = opendir(dir);
    if (!check(dp != NULL, "cannot open corpus directory %s", dir)) return;
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(dp));) {
        size_t l = strlen(e->d_name);
        if (l < 12 || strcmp(e->d_name + l - 12, ".safetensors") != 0) continue;
        char **nn = realloc(names, (n + 1) * sizeof *names);
        if (!nn) exit(2);
        names = nn;
        names[n] = xmalloc(strlen(dir) + l + 2);
        sprintf(names[n++], "%s/%s", dir, e->d_name);
    }
    closedir(dp);
    check(n > 0, "no .safetensors files in %s", dir);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        check_file(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    report_faults();
    printf("emzip %s; implementations available:", emz_version_string());
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++)
        if (emz_impl_available((emz_impl)impl)) printf(" %s", emz_impl_name((emz_impl)impl));
    printf("; default %s\n", emz_impl_name(emz_impl_default()));
    for (int t = 0; t < EMZ_TYPE_COUNT; t++)
        if (emz_kernels_scalar.split[t]) {
            check_split_merge((emz_type)t);
            check_merge_any_signmant((emz_type)t);
        }
    check_bitpack();
    check_guarded();
    snprintf(current_call, sizeof current_call, "the checksum, frame and corpus checks");
    check_checksums();
    check_frames();
    check_corpus(argv[1]);
    printf("%lu passed, %lu failed\n", n_passed, n_failed);
    return n_failed ? 1 : 0;
}
