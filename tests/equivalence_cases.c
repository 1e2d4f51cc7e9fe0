/* equivalence_cases.c - each implementation against the scalar reference, kernel by kernel and
 * frame by frame, reported through the front end's eq_reporter (no Criterion here). */
#include "equivalence_cases.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/dispatch.h"
#include "test_data.h"

#define CHECK(r, ok, ...) (r)->check((r)->harness, (ok), __VA_ARGS__)

/* Names the step about to run, for a fault handler; formatted only if the front end listens. */
static void doing(const eq_reporter *r, const char *fmt, ...) EQ_PRINTF(2, 3);
static void doing(const eq_reporter *r, const char *fmt, ...) {
    if (!r->doing) return;
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    r->doing(r->harness, what);
}

/* Out of memory is not a finding about the kernels: stop the program rather than report it. */
static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "equivalence cases: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

static const emz_kernels *kernels_of(const eq_reporter *r, emz_impl impl) {
    const emz_kernels *k = NULL;
    emz_status st = emz_kernels_resolve(impl, &k);
    CHECK(r, st == EMZ_OK && k, "cannot resolve the kernel table of %s: %s", emz_impl_name(impl),
          emz_error_name(st));
    return st == EMZ_OK ? k : NULL;
}

/* Slot geometry, written down here rather than read from the library's type table so that a
 * wrong table cannot make the tests agree with it: bits a slot takes in the source, and bits of
 * its exponent and its sign+mantissa symbols. */
static unsigned slot_bits(emz_type t) {
    return t == EMZ_TYPE_FP32                         ? 32
           : t == EMZ_TYPE_BF16 || t == EMZ_TYPE_FP16 ? 16
           : t == EMZ_TYPE_FP4_E2M1                   ? 4
                                                      : 8;
}
static unsigned signmant_bits(emz_type t) {
    switch (t) {
    case EMZ_TYPE_BF16:
        return 8;
    case EMZ_TYPE_FP16:
        return 11;
    case EMZ_TYPE_FP32:
        return 24;
    case EMZ_TYPE_FP8_E4M3:
        return 4;
    case EMZ_TYPE_FP8_E5M2:
        return 3;
    default:
        return 2;
    }
}
static unsigned exp_bits(emz_type t) {
    return slot_bits(t) - signmant_bits(t);
}
static size_t packed_bytes(size_t n, unsigned bits) {
    return (n * bits + 7) / 8;
}

/* 1 if p[0..n) all equal fill: the bytes around an output were left alone. */
static int untouched(const uint8_t *p, size_t n, uint8_t fill) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != fill) return 0;
    return 1;
}

/* A copy of n bytes at offset off of a fresh allocation that ends right after them: under
 * AddressSanitizer a read past the end is reported. *base is what to free. */
static const uint8_t *exact_copy(const uint8_t *src, size_t n, unsigned off, uint8_t **base) {
    *base = xmalloc(n + off);
    if (n) memcpy(*base + off, src, n);
    return *base + off;
}

/* ---- split and merge ---- */

/* Pattern sets of a type, in a scrambled order so that every value meets varied neighbours:
 *  - 16-bit types: all 65536 patterns (every BF16 and FP16 value: NaN payloads, infinities,
 *    subnormals, -0);
 *  - FP32: 65536 values, every sign+exponent+7 mantissa bits with random low mantissa bits;
 *  - 8-bit types and FP4 bytes, two sets of 65536 bytes, each every byte value 256 times:
 *    set 0 in 256 blocks, each a different permutation of the 256 values (an odd multiplier and
 *    an offset that both change with the block); set 1 one affine order of the 256 values (the
 *    low byte of the 16-bit sequence, times 7) repeated, which gives each value other
 *    neighbours again.
 * Returns the bytes (64 spare bytes after them); *slots is the number of slots they hold. */
static unsigned pattern_sets(emz_type t) {
    return slot_bits(t) <= 8 ? 2 : 1;
}

static uint8_t *patterns(emz_type type, unsigned set, size_t *slots) {
    const unsigned sb = slot_bits(type);
    const size_t bytes = sb >= 16 ? 65536 * (size_t)sb / 8 : 65536;
    uint8_t *p = xmalloc(bytes + 64);
    uint64_t seed = 99;
    for (size_t i = 0; i < 65536; i++) {
        uint32_t k = (uint32_t)(i * 40503u + 12345u) & 0xFFFF;
        if (sb == 32)
            tu_put32(p + 4 * i, k << 16 | (uint32_t)(tu_rand(&seed) & 0xFFFF));
        else if (sb == 16)
            tu_put16(p + 2 * i, (uint16_t)k);
        else if (set == 0)
            p[i] = (uint8_t)((i % 256) * (2 * (i / 256) + 167) + 61 * (i / 256));
        else
            p[i] = (uint8_t)(k * 7);
    }
    memset(p + bytes, 0x5A, 64);
    *slots = bytes * 8 / sb;
    return p;
}

static const char *pattern_name(emz_type type, unsigned set) {
    if (pattern_sets(type) == 1)
        return slot_bits(type) == 16 ? "all 16-bit patterns" : "FP32 patterns";
    return set == 0 ? "byte permutations" : "affine byte order";
}

/* Split and merge of one type against scalar, for each pattern set: every length 0..200 (FP4:
 * source bytes, two slots each) and then the whole set, at every offset 0..7 of the outputs.
 * The input sits at that same offset and also, where it differs, at the offset times the slot
 * size (16-bit inputs at +0..+14, FP32 at +0..+28); the data start moves with the offset so that
 * each offset sees other values. Inputs end exactly where reading must stop (exact_copy); the
 * `off` bytes before and 16 bytes after every output must stay untouched. Merge reads exact
 * copies of scalar's split and must give both scalar's output and the input back. */
static void split_merge(const eq_reporter *r, emz_impl impl, int arg) {
    const emz_type type = (emz_type)arg;
    const emz_kernels *ref = kernels_of(r, EMZ_IMPL_SCALAR), *k = kernels_of(r, impl);
    if (!ref || !k) return;
    const unsigned sb = slot_bits(type), mb = signmant_bits(type);
    const size_t in_step = sb == 4 ? 1 : sb / 8; /* source bytes per offset step */
    const char *tn = emz_type_name(type);
    for (unsigned set = 0; set < pattern_sets(type); set++) {
        size_t n;
        uint8_t *src = patterns(type, set, &n);
        const char *pn = pattern_name(type, set);
        const size_t bmax = n * sb / 8, smax = packed_bytes(n, mb);
        uint8_t *e0 = xmalloc(n), *s0 = xmalloc(smax), *e1 = xmalloc(n + 24),
                *s1 = xmalloc(smax + 24), *o0 = xmalloc(bmax + 16), *o1 = xmalloc(bmax + 24);
        for (size_t len = 0; len <= 201; len++) {
            const int whole = len > 200;
            const size_t m = whole ? n : sb == 4 ? 2 * len : len;
            const size_t b = m * sb / 8, smb = packed_bytes(m, mb);
            for (unsigned off = 0; off < 8; off++) {
                const uint8_t *data = whole ? src : src + off * in_step;
                const unsigned aligns[2] = {off, off * (unsigned)in_step};
                for (unsigned a = 0; a < (aligns[1] != off ? 2u : 1u); a++) {
                    uint8_t *in_base, *ex_base, *sx_base;
                    const uint8_t *in = exact_copy(data, b, aligns[a], &in_base);
                    ref->split[type](in, m, e0, s0);
                    memset(e1, 0xC3, off + m + 16);
                    memset(s1, 0xC3, off + smb + 16);
                    k->split[type](in, m, e1 + off, s1 + off);
                    CHECK(r, memcmp(e0, e1 + off, m) == 0 && memcmp(s0, s1 + off, smb) == 0,
                          "%s %s split differs from scalar: %zu slots of %s, input at +%u, "
                          "outputs at +%u",
                          k->name, tn, m, pn, aligns[a], off);
                    CHECK(r,
                          untouched(e1, off, 0xC3) && untouched(e1 + off + m, 16, 0xC3) &&
                              untouched(s1, off, 0xC3) && untouched(s1 + off + smb, 16, 0xC3),
                          "%s %s split wrote outside its outputs: %zu slots of %s, outputs at +%u",
                          k->name, tn, m, pn, off);
                    const uint8_t *ex = exact_copy(e0, m, off, &ex_base);
                    const uint8_t *sx = exact_copy(s0, smb, off, &sx_base);
                    memset(o0, 0xA5, b + 16);
                    memset(o1, 0xA5, off + b + 16);
                    ref->merge[type](ex, sx, m, o0);
                    k->merge[type](ex, sx, m, o1 + off);
                    CHECK(r, memcmp(o1 + off, o0, b) == 0 && memcmp(o1 + off, in, b) == 0,
                          "%s %s merge differs from scalar or from the input: %zu slots of %s, "
                          "at +%u",
                          k->name, tn, m, pn, off);
                    CHECK(r, untouched(o1, off, 0xA5) && untouched(o1 + off + b, 16, 0xA5),
                          "%s %s merge wrote outside its output: %zu slots of %s, at +%u", k->name,
                          tn, m, pn, off);
                    free(in_base), free(ex_base), free(sx_base);
                }
            }
        }
        free(src), free(e0), free(s0), free(e1), free(s1), free(o0), free(o1);
    }
}

/* Lengths for merge of arbitrary bytes: every one 0..200 (FP4: even), the even ones to 300,
 * then 600, 1200, 2400 and 40000 (long enough for every main loop and its tail). */
static size_t next_merge_len(size_t m, unsigned step) {
    if (m < 200) return m + step;
    if (m < 300) return m + 2;
    if (m < 2400) return m == 300 ? 600 : m * 2;
    return m == 2400 ? 40000 : SIZE_MAX;
}

/* Merge of whatever a decoder may hand over, against scalar: random sign+mantissa bytes (the
 * padding bits of the last byte included: a RAW stream arrives in place) with random exponents
 * below 2^E (the kernel contract, kernels/kernels.h: decoders refuse wider exponent symbols), two
 * sets of each. Inputs end exactly where reading must stop; 16 bytes after the output must stay
 * untouched. */
static void merge_any_bytes(const eq_reporter *r, emz_impl impl, int arg) {
    const emz_type type = (emz_type)arg;
    const emz_kernels *ref = kernels_of(r, EMZ_IMPL_SCALAR), *k = kernels_of(r, impl);
    if (!ref || !k) return;
    const size_t big = 40000;
    const unsigned sb = slot_bits(type), mb = signmant_bits(type), step = sb == 4 ? 2 : 1;
    const size_t smax = packed_bytes(big, mb), dmax = packed_bytes(big, sb);
    uint8_t *e = xmalloc(big), *sm = xmalloc(smax), *o0 = xmalloc(dmax + 16),
            *o1 = xmalloc(dmax + 16);
    for (unsigned set = 0; set < 2; set++) {
        const char *what = set == 0 ? "set 0" : "set 1";
        tu_fill_random(e, big, 21 + (set == 0 ? (unsigned)type : 0));
        tu_fill_random(sm, smax, set == 0 ? 31 + (unsigned)type : 22);
        for (size_t i = 0; i < big; i++)
            e[i] &= (uint8_t)((1u << exp_bits(type)) - 1);
        for (size_t m = 0; m <= big; m = next_merge_len(m, step)) {
            const size_t db = packed_bytes(m, sb), smb = packed_bytes(m, mb);
            uint8_t *ex_base, *sx_base;
            const uint8_t *ex = exact_copy(e, m, 0, &ex_base),
                          *sx = exact_copy(sm, smb, 0, &sx_base);
            memset(o0, 0xA5, db + 16);
            memset(o1, 0xA5, db + 16);
            ref->merge[type](ex, sx, m, o0);
            k->merge[type](ex, sx, m, o1);
            CHECK(r, memcmp(o0, o1, db) == 0,
                  "%s %s merge of arbitrary sign+mantissa bytes (%s) differs from scalar: %zu "
                  "slots",
                  k->name, emz_type_name(type), what, m);
            CHECK(r, untouched(o1 + db, 16, 0xA5),
                  "%s %s merge of arbitrary bytes (%s) wrote past its output: %zu slots", k->name,
                  emz_type_name(type), what, m);
            free(ex_base), free(sx_base);
        }
    }
    free(e), free(sm), free(o0), free(o1);
}

/* ---- bit packing ---- */

/* pack_bits and unpack_bits against scalar: every width 1..8, every length 0..300, then 4992
 * and 70013 (not a multiple of any step, so the tails run), each at every offset 0..7 of input
 * and outputs; symbols random below 2^width (the kernels' contract); inputs end exactly where
 * reading must stop; `off` bytes before and 16 after every output stay untouched. unpack must
 * give scalar's packed symbols back, and match scalar on two sets of arbitrary stream bytes
 * (junk padding bits included). */
static void pack_unpack(const eq_reporter *r, emz_impl impl, int arg) {
    (void)arg;
    const emz_kernels *ref = kernels_of(r, EMZ_IMPL_SCALAR), *k = kernels_of(r, impl);
    if (!ref || !k) return;
    enum { BIG = 70013, MID = 4992 };
    uint8_t *syms = xmalloc(BIG + 8), *junk[2] = {xmalloc(BIG + 8), xmalloc(BIG + 8)},
            *p0 = xmalloc(BIG + 16), *p1 = xmalloc(BIG + 24), *u0 = xmalloc(BIG + 16),
            *u1 = xmalloc(BIG + 24);
    tu_fill_random(junk[1], BIG + 8, 31);
    for (unsigned w = 1; w <= 8; w++) {
        tu_fill_random(syms, BIG + 8, 40 + w);
        for (size_t i = 0; i < BIG + 8; i++)
            syms[i] &= (uint8_t)((1u << w) - 1);
        tu_fill_random(junk[0], BIG + 8, 50 + w);
        for (size_t li = 0; li <= 302; li++) {
            const size_t n = li <= 300 ? li : li == 301 ? MID : BIG, pb = packed_bytes(n, w);
            for (unsigned off = 0; off < 8; off++) {
                uint8_t *in_base, *pk_base;
                const uint8_t *in = exact_copy(syms + off, n, off, &in_base);
                memset(p1, 0xC3, off + pb + 16);
                ref->pack_bits(in, n, w, p0);
                k->pack_bits(in, n, w, p1 + off);
                CHECK(r, memcmp(p0, p1 + off, pb) == 0,
                      "%s pack_bits differs from scalar: width %u, %zu symbols, at +%u", k->name, w,
                      n, off);
                CHECK(r, untouched(p1, off, 0xC3) && untouched(p1 + off + pb, 16, 0xC3),
                      "%s pack_bits wrote outside its output: width %u, %zu symbols, at +%u",
                      k->name, w, n, off);
                const uint8_t *packed = exact_copy(p0, pb, off, &pk_base);
                memset(u1, 0xA5, off + n + 16);
                k->unpack_bits(packed, n, w, u1 + off);
                CHECK(r, memcmp(u1 + off, in, n) == 0,
                      "%s unpack_bits does not give the symbols back: width %u, %zu symbols, "
                      "at +%u",
                      k->name, w, n, off);
                CHECK(r, untouched(u1, off, 0xA5) && untouched(u1 + off + n, 16, 0xA5),
                      "%s unpack_bits wrote outside its output: width %u, %zu symbols, at +%u",
                      k->name, w, n, off);
                free(in_base), free(pk_base);
                for (unsigned j = 0; j < 2; j++) {
                    uint8_t *jx_base;
                    const uint8_t *jx = exact_copy(junk[j] + off, pb, off, &jx_base);
                    memset(u0, 0xA5, n + 16);
                    memset(u1, 0xA5, off + n + 16);
                    ref->unpack_bits(jx, n, w, u0);
                    k->unpack_bits(jx, n, w, u1 + off);
                    CHECK(r, memcmp(u0, u1 + off, n) == 0,
                          "%s unpack_bits of arbitrary bytes (set %u) differs from scalar: width "
                          "%u, %zu symbols, at +%u",
                          k->name, j, w, n, off);
                    CHECK(r, untouched(u1, off, 0xA5) && untouched(u1 + off + n, 16, 0xA5),
                          "%s unpack_bits of arbitrary bytes (set %u) wrote outside its output: "
                          "width %u, %zu symbols, at +%u",
                          k->name, j, w, n, off);
                    free(jx_base);
                }
            }
        }
    }
    free(syms), free(junk[0]), free(junk[1]), free(p0), free(p1), free(u0), free(u1);
}

/* ---- kernels next to inaccessible pages ---- */

/* Whole pages between two PROT_NONE pages: a buffer placed at the end of the area (or its start)
 * faults on the first byte read or written after its end (or before its start), a byte that no
 * canary or AddressSanitizer sees when a vector load merely reads it. */
typedef struct guarded {
    uint8_t *area;
    size_t size;
} guarded;

static int guarded_new(const eq_reporter *r, guarded *g, size_t cap) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), size = (cap + page - 1) / page * page;
    uint8_t *p =
        mmap(NULL, size + 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int ok = p != MAP_FAILED && mprotect(p, page, PROT_NONE) == 0 &&
             mprotect(p + page + size, page, PROT_NONE) == 0;
    CHECK(r, ok, "cannot map %zu bytes between guard pages", size);
    if (!ok) {
        if (p != MAP_FAILED) munmap(p, size + 2 * page);
        g->area = NULL;
        return 0;
    }
    g->area = p + page, g->size = size;
    return 1;
}

static void guarded_free(guarded *g) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (g->area) munmap(g->area - page, g->size + 2 * page);
}

/* n bytes ending at the upper guard page (at_end) or starting at the lower one. */
static uint8_t *guarded_place(const guarded *g, size_t n, int at_end) {
    return at_end ? g->area + g->size - n : g->area;
}

/* Lengths next to the guard pages: every short one (every tail of every vector step), then a
 * few long ones, in units of step. */
#define GUARDED_LENS 205
static size_t guarded_len(size_t i, unsigned step) {
    static const size_t longer[] = {1000, 4096, 4099, 65536 + 70};
    return (i <= 200 ? i : longer[i - 201]) * step;
}

/* Split and merge of one type with each buffer flush against an inaccessible page, after its end
 * and then before its start: no kernel may touch a byte beyond its buffers. Split must match
 * scalar's (computed into ordinary buffers) and merge must give the input back. */
static void guarded_split_merge(const eq_reporter *r, emz_impl impl, int arg) {
    const emz_type type = (emz_type)arg;
    const emz_kernels *ref = kernels_of(r, EMZ_IMPL_SCALAR), *k = kernels_of(r, impl);
    if (!ref || !k) return;
    const unsigned sb = slot_bits(type), mb = signmant_bits(type), step = sb == 4 ? 2 : 1;
    const size_t max_slots = guarded_len(GUARDED_LENS - 1, step);
    const char *tn = emz_type_name(type);
    guarded gsrc, gexp, gsm, gdst;
    int ok = guarded_new(r, &gsrc, packed_bytes(max_slots, sb));
    ok = guarded_new(r, &gexp, max_slots) && ok;
    ok = guarded_new(r, &gsm, packed_bytes(max_slots, mb)) && ok;
    ok = guarded_new(r, &gdst, packed_bytes(max_slots, sb)) && ok;
    uint8_t *e0 = xmalloc(max_slots), *s0 = xmalloc(packed_bytes(max_slots, mb));
    for (int at_end = 1; ok && at_end >= 0; at_end--) {
        const char *side = at_end ? "before the page after it" : "after the page before it";
        for (size_t i = 0; i < GUARDED_LENS; i++) {
            const size_t m = guarded_len(i, step), db = packed_bytes(m, sb),
                         smb = packed_bytes(m, mb);
            uint8_t *src = guarded_place(&gsrc, db, at_end), *e = guarded_place(&gexp, m, at_end),
                    *sm = guarded_place(&gsm, smb, at_end), *dst = guarded_place(&gdst, db, at_end);
            tu_fill_random(src, db, m);
            doing(r, "scalar %s split (the reference), %zu slots, each buffer %s", tn, m, side);
            ref->split[type](src, m, e0, s0);
            doing(r, "%s %s split, %zu slots, each buffer %s", k->name, tn, m, side);
            k->split[type](src, m, e, sm);
            CHECK(r, memcmp(e, e0, m) == 0 && memcmp(sm, s0, smb) == 0,
                  "%s %s split differs from scalar: %zu slots, each buffer %s", k->name, tn, m,
                  side);
            doing(r, "%s %s merge, %zu slots, each buffer %s", k->name, tn, m, side);
            k->merge[type](e, sm, m, dst);
            CHECK(r, memcmp(src, dst, db) == 0,
                  "%s %s split+merge round trip differs: %zu slots, each buffer %s", k->name, tn, m,
                  side);
        }
    }
    free(e0), free(s0);
    guarded_free(&gsrc), guarded_free(&gexp), guarded_free(&gsm), guarded_free(&gdst);
}

/* ---- version 2 byte planes ---- */

/* Kernels of the byte planes (kernels/kernels.h), each run through the same harness: the
 * planes a split writes (FP16: 4, FP32: 6) and the planes a merge reads. */
enum { PL_FP16 = 0, PL_FP32 = 1 };
static unsigned plane_elem_bytes(int which) {
    return which == PL_FP16 ? 2 : 4;
}
static unsigned plane_split_outs(int which) {
    return which == PL_FP16 ? 4 : 6;
}

/* The source patterns of a planes case: FP16 all 2^16 patterns; FP32 the pattern set above with
 * its first slots replaced by the special values (both zeros, infinities, quiet and signalling
 * NaNs with payloads, the smallest and largest subnormals and normals). */
static uint8_t *plane_patterns(int which, size_t *slots) {
    static const uint32_t special[] = {
        0x00000000u, 0x80000000u, 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0xFFC00000u, 0x7F800001u,
        0xFFBFFFFFu, 0x7FFFFFFFu, 0xFFFFFFFFu, 0x00000001u, 0x80000001u, 0x007FFFFFu, 0x807FFFFFu,
        0x00800000u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x3F800000u, 0xBF800000u, 0x7FA5A5A5u};
    uint8_t *p = patterns(which == PL_FP16 ? EMZ_TYPE_FP16 : EMZ_TYPE_FP32, 0, slots);
    if (which == PL_FP32)
        for (size_t i = 0; i < sizeof special / sizeof *special; i++)
            tu_put32(p + 4 * i, special[i]);
    return p;
}

/* What scalar's split must write, from the test's own reading of FORMAT.md: byte planes, then
 * the exponent and top plane. */
static int split_is_format(int which, const uint8_t *src, size_t m, uint8_t *const out[6]) {
    const unsigned eb = plane_elem_bytes(which);
    for (size_t j = 0; j < m; j++) {
        const uint8_t *v = src + eb * j;
        for (unsigned b = 0; b < eb; b++)
            if (out[b][j] != v[b]) return 0;
        unsigned e, t;
        if (which == PL_FP16) {
            unsigned h = v[0] | (unsigned)v[1] << 8;
            e = h >> 10 & 0x1F, t = (h >> 15) << 2 | (h >> 8 & 3);
        } else {
            uint32_t x = v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
            e = x >> 23 & 0xFF, t = (x >> 31) << 7 | (x >> 16 & 0x7F);
        }
        if (out[eb][j] != e || out[eb + 1][j] != t) return 0;
    }
    return 1;
}

/* The counts a split adds (kernels/kernels.h), counted here: FP16 the high bytes (256 entries),
 * FP32 sign << 8 | byte 2 (512); the rest of counts[512] zero. */
static void plane_counts(int which, const uint8_t *src, size_t m, uint32_t counts[512]) {
    memset(counts, 0, 512 * sizeof *counts);
    for (size_t j = 0; j < m; j++)
        if (which == PL_FP16)
            counts[src[2 * j + 1]]++;
        else
            counts[(src[4 * j + 3] >> 7) << 8 | src[4 * j + 2]]++;
}

/* Calls the merges a split feeds: BYTES from the byte planes and SPLIT from exponent, low
 * planes and top plane; both must give the elements back. */
static void planes_merges(const emz_kernels *k, int which, uint8_t *const in[6], size_t m,
                          uint8_t *bytes_out, uint8_t *split_out) {
    if (which == PL_FP16) {
        k->bytes2_merge((const uint8_t *const[4]){in[0], in[1]}, m, bytes_out);
        k->fp16_planes_merge((const uint8_t *const[4]){in[2], in[0], in[3]}, m, split_out);
    } else {
        k->bytes4_merge((const uint8_t *const[4]){in[0], in[1], in[2], in[3]}, m, bytes_out);
        k->fp32_planes_merge((const uint8_t *const[4]){in[4], in[0], in[1], in[5]}, m, split_out);
    }
}

/* The split of one type against scalar and the format, and its merges against the input: every
 * length 0..300 (several steps of every ISA's loop, and every tail), 4099, then the whole
 * pattern set; input at every offset 0..7 (exact copies: reading past the input is an ASan
 * error), outputs at every offset 0..7, the `off` bytes before and 16 after each output
 * untouched. The merges read exact copies of scalar's planes. */
static void planes_split_merge(const eq_reporter *r, emz_impl impl, int which) {
    const emz_kernels *ref = kernels_of(r, EMZ_IMPL_SCALAR), *k = kernels_of(r, impl);
    if (!ref || !k) return;
    const char *tn = which == PL_FP16 ? "fp16" : "fp32";
    const unsigned eb = plane_elem_bytes(which), outs = plane_split_outs(which);
    size_t n;
    uint8_t *src = plane_patterns(which, &n);
    uint8_t *p0[6] = {0}, *p1[6] = {0}, *o0 = xmalloc(eb * n + 24), *o1 = xmalloc(eb * n + 24);
    for (unsigned i = 0; i < outs; i++)
        p0[i] = xmalloc(n), p1[i] = xmalloc(n + 24);
    for (size_t len = 0; len <= 302; len++) {
        const size_t m = len <= 300 ? len : len == 301 ? 4099 : n, b = eb * m;
        for (unsigned off = 0; off < 8; off++) {
            uint8_t *in_base, *cp_base[6] = {0};
            const uint8_t *in = exact_copy(src + (m == n ? 0 : eb * off), b, off, &in_base);
            uint8_t *q1[6] = {0}, *cp[6] = {0};
            uint32_t h0[512], h1[512], want[512];
            plane_counts(which, in, m, want);
            for (unsigned v = 0; v < 512; v++)
                h0[v] = h1[v] = 3 * v + (unsigned)len, want[v] += 3 * v + (unsigned)len;
            (which == PL_FP16 ? ref->fp16_planes_split : ref->fp32_planes_split)(in, m, p0, h0);
            CHECK(r, split_is_format(which, in, m, p0),
                  "scalar %s planes split is not what the format says: %zu elements", tn, m);
            CHECK(r, memcmp(h0, want, sizeof want) == 0,
                  "scalar %s planes split did not add the right counts: %zu elements", tn, m);
            for (unsigned i = 0; i < outs; i++) {
                memset(p1[i], 0xC3, off + m + 16);
                q1[i] = p1[i] + off;
            }
            doing(r, "%s %s planes split, %zu elements, at +%u", k->name, tn, m, off);
            (which == PL_FP16 ? k->fp16_planes_split : k->fp32_planes_split)(in, m, q1, h1);
            CHECK(r, memcmp(h0, h1, sizeof h1) == 0,
                  "%s %s planes split counts differ from scalar: %zu elements, at +%u", k->name, tn,
                  m, off);
            for (unsigned i = 0; i < outs; i++) {
                CHECK(r, memcmp(p0[i], q1[i], m) == 0,
                      "%s %s planes split, output %u differs from scalar: %zu elements, at +%u",
                      k->name, tn, i, m, off);
                CHECK(r, untouched(p1[i], off, 0xC3) && untouched(q1[i] + m, 16, 0xC3),
                      "%s %s planes split wrote outside output %u: %zu elements, at +%u", k->name,
                      tn, i, m, off);
                cp[i] = (uint8_t *)exact_copy(p0[i], m, off, &cp_base[i]);
            }
            for (unsigned twice = 0; twice < 2; twice++) {
                const emz_kernels *kk = twice ? k : ref;
                memset(o0, 0xA5, off + b + 16);
                memset(o1, 0xA5, off + b + 16);
                doing(r, "%s %s merges, %zu elements, at +%u", kk->name, tn, m, off);
                planes_merges(kk, which, cp, m, o0 + off, o1 + off);
                CHECK(r, memcmp(o0 + off, in, b) == 0 && memcmp(o1 + off, in, b) == 0,
                      "%s %s BYTES or SPLIT merge does not give the input back: %zu elements, "
                      "at +%u",
                      kk->name, tn, m, off);
                CHECK(r,
                      untouched(o0, off, 0xA5) && untouched(o0 + off + b, 16, 0xA5) &&
                          untouched(o1, off, 0xA5) && untouched(o1 + off + b, 16, 0xA5),
                      "%s %s merge wrote outside its output: %zu elements, at +%u", kk->name, tn, m,
                      off);
            }
            free(in_base);
            for (unsigned i = 0; i < outs; i++)
                free(cp_base[i]);
        }
    }
    free(src), free(o0), free(o1);
    for (unsigned i = 0; i < outs; i++)
        free(p0[i]), free(p1[i]);
}

/* The merges on what a decoder may hand over, against scalar: random byte planes (any byte) and
 * random exponent and top symbols below 2^E and 2^width (the kernel contract), two sets, at the
 * merge lengths above, each input an exact copy. */
static void planes_merge_any(const eq_reporter *r, emz_impl impl, int which) {
    const emz_kernels *ref = kernels_of(r, EMZ_IMPL_SCALAR), *k = kernels_of(r, impl);
    if (!ref || !k) return;
    const char *tn = which == PL_FP16 ? "fp16" : "fp32";
    const size_t big = 40000;
    const unsigned eb = plane_elem_bytes(which), outs = plane_split_outs(which);
    const uint8_t limit[6] = {
        0xFF, 0xFF, which == PL_FP16 ? 0x1F : 0xFF, which == PL_FP16 ? 0x07 : 0xFF, 0xFF, 0xFF};
    uint8_t *planes[6], *b0 = xmalloc(eb * big + 16), *b1 = xmalloc(eb * big + 16),
                        *s0 = xmalloc(eb * big + 16), *s1 = xmalloc(eb * big + 16);
    for (unsigned set = 0; set < 2; set++) {
        for (unsigned i = 0; i < outs; i++) {
            planes[i] = xmalloc(big);
            tu_fill_random(planes[i], big, 70 + 10 * set + i + (unsigned)which);
            for (size_t j = 0; j < big; j++)
                planes[i][j] &= limit[i];
        }
        for (size_t m = 0; m <= big; m = next_merge_len(m, 1)) {
            uint8_t *cp[6], *base[6];
            for (unsigned i = 0; i < outs; i++)
                cp[i] = (uint8_t *)exact_copy(planes[i], m, 0, &base[i]);
            memset(b0, 0xA5, eb * m + 16), memset(b1, 0xA5, eb * m + 16);
            memset(s0, 0xA5, eb * m + 16), memset(s1, 0xA5, eb * m + 16);
            planes_merges(ref, which, cp, m, b0, s0);
            doing(r, "%s %s merges of arbitrary planes, %zu elements", k->name, tn, m);
            planes_merges(k, which, cp, m, b1, s1);
            CHECK(r, memcmp(b0, b1, eb * m + 16) == 0,
                  "%s bytes%u merge of arbitrary planes (set %u) differs from scalar or wrote "
                  "past its output: %zu elements",
                  k->name, eb, set, m);
            CHECK(r, memcmp(s0, s1, eb * m + 16) == 0,
                  "%s %s planes merge of arbitrary symbols (set %u) differs from scalar or wrote "
                  "past its output: %zu elements",
                  k->name, tn, set, m);
            for (unsigned i = 0; i < outs; i++)
                free(base[i]);
        }
        for (unsigned i = 0; i < outs; i++)
            free(planes[i]);
    }
    free(b0), free(b1), free(s0), free(s1);
}

/* The planes kernels with every buffer flush against an inaccessible page (after its end, then
 * before its start), at every short length and a few long ones: split must match scalar's and
 * both merges give the input back. */
static void guarded_planes(const eq_reporter *r, emz_impl impl, int which) {
    const emz_kernels *ref = kernels_of(r, EMZ_IMPL_SCALAR), *k = kernels_of(r, impl);
    if (!ref || !k) return;
    const char *tn = which == PL_FP16 ? "fp16" : "fp32";
    const unsigned eb = plane_elem_bytes(which), outs = plane_split_outs(which);
    const size_t max_m = guarded_len(GUARDED_LENS - 1, 1);
    guarded gsrc, gdst, gout[6];
    int ok = guarded_new(r, &gsrc, eb * max_m);
    ok = guarded_new(r, &gdst, eb * max_m) && ok;
    for (unsigned i = 0; i < outs; i++)
        ok = guarded_new(r, &gout[i], max_m) && ok;
    uint8_t *ref_out[6] = {0};
    for (unsigned i = 0; i < outs; i++)
        ref_out[i] = xmalloc(max_m);
    for (int at_end = 1; ok && at_end >= 0; at_end--) {
        const char *side = at_end ? "before the page after it" : "after the page before it";
        for (size_t i = 0; i < GUARDED_LENS; i++) {
            const size_t m = guarded_len(i, 1), b = eb * m;
            uint8_t *src = guarded_place(&gsrc, b, at_end), *dst = guarded_place(&gdst, b, at_end);
            uint8_t *out[6] = {0};
            for (unsigned o = 0; o < outs; o++)
                out[o] = guarded_place(&gout[o], m, at_end);
            tu_fill_random(src, b, m + 5);
            uint32_t h0[512] = {0}, h1[512] = {0};
            (which == PL_FP16 ? ref->fp16_planes_split : ref->fp32_planes_split)(src, m, ref_out,
                                                                                 h0);
            doing(r, "%s %s planes split, %zu elements, each buffer %s", k->name, tn, m, side);
            (which == PL_FP16 ? k->fp16_planes_split : k->fp32_planes_split)(src, m, out, h1);
            CHECK(r, memcmp(h0, h1, sizeof h1) == 0,
                  "%s %s planes split counts differ from scalar: %zu elements, each buffer %s",
                  k->name, tn, m, side);
            for (unsigned o = 0; o < outs; o++)
                CHECK(r, memcmp(out[o], ref_out[o], m) == 0,
                      "%s %s planes split, output %u differs from scalar: %zu elements, each "
                      "buffer %s",
                      k->name, tn, o, m, side);
            for (unsigned s = 0; s < 2; s++) {
                doing(r, "%s %s %s merge, %zu elements, each buffer %s", k->name, tn,
                      s ? "SPLIT" : "BYTES", m, side);
                memset(dst, 0, b);
                if (which == PL_FP16 && s == 0)
                    k->bytes2_merge((const uint8_t *const[4]){out[0], out[1]}, m, dst);
                else if (which == PL_FP16)
                    k->fp16_planes_merge((const uint8_t *const[4]){out[2], out[0], out[3]}, m, dst);
                else if (s == 0)
                    k->bytes4_merge((const uint8_t *const[4]){out[0], out[1], out[2], out[3]}, m,
                                    dst);
                else
                    k->fp32_planes_merge((const uint8_t *const[4]){out[4], out[0], out[1], out[5]},
                                         m, dst);
                CHECK(r, memcmp(dst, src, b) == 0,
                      "%s %s %s merge does not give the input back: %zu elements, each buffer %s",
                      k->name, tn, s ? "SPLIT" : "BYTES", m, side);
            }
        }
    }
    for (unsigned i = 0; i < outs; i++)
        free(ref_out[i]);
    guarded_free(&gsrc), guarded_free(&gdst);
    for (unsigned i = 0; i < outs; i++)
        guarded_free(&gout[i]);
}

/* pack_bits and unpack_bits of every width, each buffer flush against an inaccessible page as
 * above; packing must match scalar's and unpacking give the symbols back. */
static void guarded_pack_unpack(const eq_reporter *r, emz_impl impl, int arg) {
    (void)arg;
    const emz_kernels *ref = kernels_of(r, EMZ_IMPL_SCALAR), *k = kernels_of(r, impl);
    if (!ref || !k) return;
    const size_t max_n = guarded_len(GUARDED_LENS - 1, 1);
    guarded gsyms, gpacked, gback;
    int ok = guarded_new(r, &gsyms, max_n);
    ok = guarded_new(r, &gpacked, max_n) && ok;
    ok = guarded_new(r, &gback, max_n) && ok;
    uint8_t *p0 = xmalloc(max_n);
    for (int at_end = 1; ok && at_end >= 0; at_end--) {
        const char *side = at_end ? "before the page after it" : "after the page before it";
        for (unsigned w = 1; w <= 8; w++) {
            for (size_t i = 0; i < GUARDED_LENS; i++) {
                const size_t n = guarded_len(i, 1), pb = packed_bytes(n, w);
                uint8_t *syms = guarded_place(&gsyms, n, at_end),
                        *packed = guarded_place(&gpacked, pb, at_end),
                        *back = guarded_place(&gback, n, at_end);
                tu_fill_random(syms, n, n + w);
                for (size_t j = 0; j < n; j++)
                    syms[j] &= (uint8_t)((1u << w) - 1);
                doing(r, "scalar pack_bits (the reference), width %u, %zu symbols, input %s", w, n,
                      side);
                ref->pack_bits(syms, n, w, p0);
                doing(r, "%s pack_bits, width %u, %zu symbols, each buffer %s", k->name, w, n,
                      side);
                k->pack_bits(syms, n, w, packed);
                CHECK(r, memcmp(packed, p0, pb) == 0,
                      "%s pack_bits differs from scalar: width %u, %zu symbols, each buffer %s",
                      k->name, w, n, side);
                doing(r, "%s unpack_bits, width %u, %zu symbols, each buffer %s", k->name, w, n,
                      side);
                k->unpack_bits(packed, n, w, back);
                CHECK(r, memcmp(syms, back, n) == 0,
                      "%s pack/unpack round trip differs: width %u, %zu symbols, each buffer %s",
                      k->name, w, n, side);
            }
        }
    }
    free(p0);
    guarded_free(&gsyms), guarded_free(&gpacked), guarded_free(&gback);
}

/* ---- checksums ---- */

/* checksum32 against scalar: every length 0..300, then growing by half to 70000, at an aligned
 * and an odd start. */
static void checksum32(const eq_reporter *r, emz_impl impl, int arg) {
    (void)arg;
    const emz_kernels *ref = kernels_of(r, EMZ_IMPL_SCALAR), *k = kernels_of(r, impl);
    if (!ref || !k) return;
    const size_t n = 70000;
    uint8_t *data = xmalloc(n + 8);
    tu_fill_random(data, n + 8, 7);
    for (size_t len = 0; len <= n; len = len < 300 ? len + 1 : len * 3 / 2)
        for (unsigned off = 0; off < 8; off += 7)
            CHECK(r, k->checksum32(data + off, len) == ref->checksum32(data + off, len),
                  "%s checksum32 differs from scalar: %zu bytes at +%u", k->name, len, off);
    free(data);
}

/* ---- channel shifts ---- */

static uint32_t load_word(const uint8_t *p, unsigned b) {
    uint32_t v = 0;
    for (unsigned i = 0; i < b; i++)
        v |= (uint32_t)p[i] << 8 * i;
    return v;
}

static void store_word(uint8_t *p, uint32_t v, unsigned b) {
    for (unsigned i = 0; i < b; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

/* The channel shift as FORMAT.md states it, element by element (not the library's code). */
static void shift_reference(const uint8_t *src, uint8_t *dst, size_t n, unsigned b,
                            const uint8_t *shift, const uint8_t *flip, size_t channels,
                            uint32_t field, int inverse) {
    for (size_t i = 0; i < n; i++) {
        size_t c = i % channels;
        uint32_t v = load_word(src + i * b, b), s = load_word(shift + c * b, b);
        uint32_t x = flip ? load_word(flip + c * b, b) : 0;
        uint32_t top = b == 4 ? UINT32_MAX : (1u << 8 * b) - 1;
        uint32_t e = (inverse ? v + s : v - s) & field;
        store_word(dst + i * b, (((v ^ x) & ~field) | e) & top, b);
    }
}

/* The channel shift kernel of elements of arg bytes, for each exponent field of that size,
 * several channel counts and every length up to 200 elements (and a few long ones), each buffer
 * against a guard page after its end and then before its start, and in place: the same bytes as
 * the reference, and the inverse gives the input back; with sign flips, and without (flip
 * NULL) for the second field. Then every bit pattern of the element (2^8 or 2^16; 2^16
 * samples of 2^32) through it. */
static void channel_shift(const eq_reporter *r, emz_impl impl, int arg) {
    const unsigned b = (unsigned)arg;
    const emz_kernels *k = kernels_of(r, impl);
    if (!k) return;
    static const uint32_t fields[3][2] = {{0x78, 0x7C}, {0x7F80, 0x7C00}, {0x7F800000, 0x7F800000}};
    static const size_t channel_counts[] = {1, 3, 17, 64, 1000};
    const uint32_t *field = fields[b == 1 ? 0 : b == 2 ? 1 : 2], sign = 1u << (8 * b - 1);
    const size_t max_n = guarded_len(GUARDED_LENS - 1, 1), max_c = 1000;
    guarded gsrc, gdst;
    int ok = guarded_new(r, &gsrc, max_n * b);
    ok = guarded_new(r, &gdst, max_n * b) && ok;
    uint8_t *shift = xmalloc(max_c * b), *flip = xmalloc(max_c * b), *want = xmalloc(max_n * b),
            *orig = xmalloc(max_n * b);
    uint64_t seed = 1;
    for (unsigned f = 0; ok && f < 2; f++)
        for (size_t ci = 0; ci < sizeof channel_counts / sizeof *channel_counts; ci++) {
            size_t channels = channel_counts[ci];
            const uint8_t *fl = f == 1 && ci % 2 ? NULL : flip; /* some runs without flips */
            for (size_t c = 0; c < channels; c++) {
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                store_word(shift + c * b, (uint32_t)(seed >> 32) & field[f], b);
                store_word(flip + c * b, seed >> 20 & 1 ? sign : 0, b);
            }
            for (int at_end = 1; at_end >= 0; at_end--)
                for (size_t i = 0; i < GUARDED_LENS; i++) {
                    const size_t n = guarded_len(i, 1);
                    uint8_t *src = guarded_place(&gsrc, n * b, at_end),
                            *dst = guarded_place(&gdst, n * b, at_end);
                    tu_fill_random(src, n * b, seed + i);
                    memcpy(orig, src, n * b);
                    shift_reference(src, want, n, b, shift, fl, channels, field[f], 0);
                    doing(r, "%s channel shift, %u-byte elements, %zu channels, %zu elements, %s",
                          k->name, b, channels, n, at_end ? "at the page end" : "at the start");
                    k->channel_shift(src, dst, n, b, shift, fl, channels, field[f], false);
                    CHECK(r, memcmp(dst, want, n * b) == 0,
                          "%s channel shift differs from the reference: %u-byte elements, field "
                          "%#x, %zu channels, %zu elements",
                          k->name, b, field[f], channels, n);
                    k->channel_shift(dst, dst, n, b, shift, fl, channels, field[f], true);
                    CHECK(r, memcmp(dst, orig, n * b) == 0,
                          "%s channel shift: the inverse (in place) does not give the input "
                          "back: %u-byte elements, %zu channels, %zu elements",
                          k->name, b, channels, n);
                    k->channel_shift(src, src, n, b, shift, fl, channels, field[f], false);
                    CHECK(r, memcmp(src, want, n * b) == 0,
                          "%s channel shift in place differs: %u-byte elements, %zu elements",
                          k->name, b, n);
                }
            /* every pattern of the element, each in every channel position */
            size_t n = b == 1 ? 256 * channels : 65536;
            if (n > max_n) n = max_n;
            uint8_t *all = xmalloc(n * b), *out = xmalloc(n * b);
            for (size_t i = 0; i < n; i++)
                store_word(all + i * b,
                           b == 4 ? (uint32_t)(i * 2654435761u) ^ (uint32_t)i << 16
                                  : (uint32_t)(b == 1 ? i / channels : i),
                           b);
            shift_reference(all, want, n, b, shift, fl, channels, field[f], 0);
            k->channel_shift(all, out, n, b, shift, fl, channels, field[f], false);
            CHECK(r, memcmp(out, want, n * b) == 0,
                  "%s channel shift of every pattern differs: %u-byte elements, %zu channels",
                  k->name, b, channels);
            k->channel_shift(out, out, n, b, shift, fl, channels, field[f], true);
            CHECK(r, memcmp(out, all, n * b) == 0,
                  "%s channel shift of every pattern does not invert: %u-byte elements", k->name,
                  b);
            free(all), free(out);
        }
    free(shift), free(flip), free(want), free(orig);
    guarded_free(&gsrc), guarded_free(&gdst);
}

/* ---- deltas ---- */

/* A chunk's difference from its base as FORMAT.md ("Delta segments") states it, element by
 * element (not the library's code): zigzag((v - b) mod 2^(8w)), the size % w bytes after the
 * whole elements as bytes. */
static void delta_reference(const uint8_t *v, const uint8_t *base, uint8_t *dst, size_t size,
                            unsigned w) {
    size_t whole = size / w * w;
    for (size_t i = 0; i < size;) {
        unsigned b = i < whole ? w : 1, bits = 8 * b;
        uint32_t mask = bits == 32 ? UINT32_MAX : (1u << bits) - 1;
        uint32_t d = (load_word(v + i, b) - load_word(base + i, b)) & mask;
        uint32_t z = ((d << 1) ^ (d >> (bits - 1) ? mask : 0)) & mask;
        store_word(dst + i, z, b);
        i += b;
    }
}

/* The delta kernel of elements of arg bytes: every length up to 200 elements and a few long
 * ones (plus a partial element at the end), each buffer against a guard page after its end and
 * then before its start, and in place; the same bytes as the reference, and undo gives the
 * input back. Then every pair of byte values (w 1) or every 16-bit pattern against bases
 * spread over all of them (w 2), or 2^16 sampled pairs (w 4). */
static void delta(const eq_reporter *r, emz_impl impl, int arg) {
    const unsigned w = (unsigned)arg;
    const emz_kernels *k = kernels_of(r, impl);
    if (!k) return;
    const size_t max = guarded_len(GUARDED_LENS - 1, w) + w;
    guarded gsrc, gbase, gdst;
    int ok = guarded_new(r, &gsrc, max);
    ok = guarded_new(r, &gbase, max) && ok;
    ok = guarded_new(r, &gdst, max) && ok;
    uint8_t *want = xmalloc(max), *orig = xmalloc(max);
    for (int at_end = 1; ok && at_end >= 0; at_end--)
        for (size_t i = 0; i < GUARDED_LENS; i++)
            for (unsigned extra = 0; extra < (w > 1 ? 2u : 1u); extra++) {
                const size_t n = guarded_len(i, w) + extra * (w - 1);
                uint8_t *src = guarded_place(&gsrc, n, at_end),
                        *base = guarded_place(&gbase, n, at_end),
                        *dst = guarded_place(&gdst, n, at_end);
                tu_fill_random(src, n, 7 + i), tu_fill_random(base, n, 1000 + i);
                memcpy(orig, src, n);
                delta_reference(src, base, want, n, w);
                doing(r, "%s delta, %u-byte elements, %zu bytes, %s", k->name, w, n,
                      at_end ? "at the page end" : "at the start");
                k->delta(src, base, dst, n, w, false);
                CHECK(r, memcmp(dst, want, n) == 0,
                      "%s delta differs from the reference: %u-byte elements, %zu bytes", k->name,
                      w, n);
                k->delta(dst, base, dst, n, w, true);
                CHECK(r, memcmp(dst, orig, n) == 0,
                      "%s delta: undo (in place) does not give the input back: %u-byte "
                      "elements, %zu bytes",
                      k->name, w, n);
                k->delta(src, base, src, n, w, false);
                CHECK(r, memcmp(src, want, n) == 0,
                      "%s delta in place differs: %u-byte elements, %zu bytes", k->name, w, n);
            }
    /* every pattern against bases that vary with it */
    const size_t count = 65536; /* w 1: every pair of byte values */
    uint8_t *all = xmalloc(count * w), *base = xmalloc(count * w), *out = xmalloc(count * w),
            *ref = xmalloc(count * w);
    for (size_t i = 0; i < count; i++) {
        uint32_t v = w == 1   ? (uint32_t)(i & 255)
                     : w == 2 ? (uint32_t)i
                              : (uint32_t)(i * 2654435761u) ^ (uint32_t)i << 16;
        uint32_t b = w == 1 ? (uint32_t)(i >> 8) : (uint32_t)(i * 40503u + 7) ^ v >> 3;
        store_word(all + i * w, v, w), store_word(base + i * w, b, w);
    }
    delta_reference(all, base, ref, count * w, w);
    k->delta(all, base, out, count * w, w, false);
    CHECK(r, memcmp(out, ref, count * w) == 0,
          "%s delta of every pattern differs: %u-byte elements", k->name, w);
    k->delta(out, base, out, count * w, w, true);
    CHECK(r, memcmp(out, all, count * w) == 0,
          "%s delta of every pattern does not undo: %u-byte elements", k->name, w);
    free(all), free(base), free(out), free(ref), free(want), free(orig);
    guarded_free(&gsrc), guarded_free(&gbase), guarded_free(&gdst);
}

/* ---- the LOW layout's join ---- */

/* A LOW chunk's elements as FORMAT.md ("Delta segments") states them, element by element (not
 * the library's code): the value u = (high, or the next escape where high is 255) << k | low,
 * the element bytes 0 and 1 | u << 16 (w 4) or u (w 2), then base + unzigzag where there is a
 * base. Returns the escape bytes used, or SIZE_MAX for a missing or out-of-range escape. */
static size_t low_join_reference(const uint8_t *const planes[4], size_t m, unsigned w, unsigned k,
                                 const uint8_t *esc, size_t esc_size, const uint8_t *base,
                                 uint8_t *dst) {
    const uint8_t *high = planes[w == 2 ? 1 : 3], *low = planes[w == 2 ? 0 : 2];
    size_t used = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t h = high[i];
        if (h == 255) {
            if (esc_size - used < 2) return SIZE_MAX;
            h = load_word(esc + used, 2), used += 2;
            if (h < 255 || h >= 1u << (16 - k)) return SIZE_MAX;
        }
        uint32_t u = h << k | (k ? low[i] : 0),
                 z = w == 2 ? u : planes[0][i] | planes[1][i] << 8 | u << 16;
        if (base) {
            uint32_t d = (z >> 1) ^ (0u - (z & 1));
            z = load_word(base + i * w, w) + d;
        }
        store_word(dst + i * w, w == 2 ? z & 0xFFFF : z, w);
    }
    return used;
}

/* Planes for a LOW join of m elements with shift k: random bytes, low bits below 2^k, about
 * one high symbol in sixteen 255 (and a run of them), each with a valid escape; returns the
 * escape bytes. */
static size_t low_join_inputs(uint8_t *const planes[4], size_t m, unsigned w, unsigned k,
                              uint64_t seed, uint8_t *esc) {
    uint8_t *high = planes[w == 2 ? 1 : 3], *low = planes[w == 2 ? 0 : 2];
    tu_fill_random(high, m, seed);
    if (w == 4) tu_fill_random(planes[0], m, seed + 1), tu_fill_random(planes[1], m, seed + 2);
    tu_fill_random(low, m, seed + 3);
    size_t n = 0;
    for (size_t i = 0; i < m; i++) {
        low[i] = (uint8_t)(low[i] & ((1u << k) - 1));
        if (high[i] % 16 == 0 || (i >= m / 2 && i < m / 2 + 40)) high[i] = 255;
        if (high[i] != 255) continue;
        uint32_t span = (1u << (16 - k)) - 255, v = 255 + (uint32_t)((i * 2654435761u) % span);
        store_word(esc + n, v, 2), n += 2;
    }
    return n;
}

/* The low bits as the kernel takes them: a RAW stream (FORMAT.md), symbol i in bits i*k ..
 * i*k + k - 1, least significant bit first, the last byte padded with zeros. */
static void low_join_pack(const uint8_t *low, size_t m, unsigned k, uint8_t *out) {
    memset(out, 0, packed_bytes(m, k));
    for (size_t i = 0; i < m; i++)
        for (unsigned b = 0; b < k; b++)
            out[(i * k + b) / 8] |= (uint8_t)((low[i] >> b & 1) << (i * k + b) % 8);
}

/* The low_join kernel of elements of arg bytes for every shift: every length up to 40
 * elements, every seventh up to 200 and the long ones, planes, escapes, base and output each
 * flush against a guard page after their end (a kernel must not read escapes past esc_size),
 * with and without a base (which take different AVX-512 loops); the same bytes and escape count
 * as the reference, also when bytes follow the escapes (the count is of those used). Then
 * escapes one byte short, and the first, a middle or the last escape out of range (254, or
 * 2^(16 - k)): every implementation refuses them. */
static void low_join(const eq_reporter *r, emz_impl impl, int arg) {
    const unsigned w = (unsigned)arg;
    const emz_kernels *k = kernels_of(r, impl);
    if (!k) return;
    const size_t max = guarded_len(GUARDED_LENS - 1, 1);
    guarded g[8];
    int ok = 1;
    for (int i = 0; i < 8; i++)
        ok = guarded_new(r, &g[i], i < 4 || i == 7 ? max : i == 4 ? 2 * max : max * w) && ok;
    uint8_t *want = xmalloc(max * w), *esc_all = xmalloc(2 * max);
    for (unsigned shift = 0; ok && shift <= 8; shift++)
        for (size_t li = 0; li < GUARDED_LENS; li += li < 40 || li > 200 ? 1 : 7) {
            const size_t m = guarded_len(li, 1);
            uint8_t *planes[4];
            for (int p = 0; p < 4; p++)
                planes[p] = guarded_place(&g[p], m, 1);
            size_t esc_size = low_join_inputs(planes, m, w, shift, 77 + li * 9 + shift, esc_all);
            uint8_t *esc = guarded_place(&g[4], esc_size, 1);
            memcpy(esc, esc_all, esc_size);
            uint8_t *base = guarded_place(&g[5], m * w, 1), *dst = guarded_place(&g[6], m * w, 1);
            tu_fill_random(base, m * w, 5 + li);
            /* the reference takes the low bits a byte each, the kernel packed */
            const uint8_t *view[4] = {planes[0], planes[1], planes[2], planes[3]};
            const uint8_t *kview[4] = {planes[0], planes[1], planes[2], planes[3]};
            const unsigned lp = w == 2 ? 0 : 2;
            uint8_t *packed = guarded_place(&g[7], packed_bytes(m, shift), 1);
            low_join_pack(planes[lp], m, shift, packed);
            kview[lp] = shift ? packed : NULL;
            if (!shift) view[lp] = NULL;
            for (int with_base = 0; with_base < 2; with_base++) {
                const uint8_t *b = with_base ? base : NULL;
                doing(r, "%s low_join, %u-byte elements, shift %u, %zu elements, %s", k->name, w,
                      shift, m, b ? "with a base" : "no base");
                size_t ref = low_join_reference(view, m, w, shift, esc, esc_size, b, want);
                size_t got = k->low_join(kview, m, w, shift, esc, esc_size, b, dst);
                CHECK(r, got == ref && ref == esc_size && memcmp(dst, want, m * w) == 0,
                      "%s low_join differs from the reference: %u-byte elements, shift %u, %zu "
                      "elements, %s (escape bytes %zu, reference %zu)",
                      k->name, w, shift, m, b ? "with a base" : "no base", got, ref);
            }
            /* bytes after the escapes (a payload's tail): only the escapes count as used */
            uint8_t *more = guarded_place(&g[4], esc_size + 3, 1);
            memcpy(more, esc_all, esc_size), memset(more + esc_size, 0xEE, 3);
            for (int with_base = 0; with_base < 2; with_base++)
                CHECK(r,
                      k->low_join(kview, m, w, shift, more, esc_size + 3, with_base ? base : NULL,
                                  dst) == esc_size,
                      "%s low_join miscounts escape bytes followed by others: %u-byte elements, "
                      "shift %u, %zu elements, %s",
                      k->name, w, shift, m, with_base ? "with a base" : "no base");
            if (esc_size == 0) continue;
            /* one escape short, and the first, a middle or the last escape out of range each
             * way (a kernel that checks its range once after its loop must carry every step's) */
            uint8_t *shorter = guarded_place(&g[4], esc_size - 1, 1);
            memmove(shorter, esc_all, esc_size - 1);
            for (int with_base = 0; with_base < 2; with_base++)
                CHECK(r,
                      k->low_join(kview, m, w, shift, shorter, esc_size - 1,
                                  with_base ? base : NULL, dst) == SIZE_MAX,
                      "%s low_join accepts missing escape bytes: %u-byte elements, shift %u, %zu "
                      "elements, %s",
                      k->name, w, shift, m, with_base ? "with a base" : "no base");
            uint32_t bad[2] = {254, shift ? 1u << (16 - shift) : 254};
            size_t escapes = esc_size / 2, which[3] = {0, escapes / 2, escapes - 1};
            esc = guarded_place(&g[4], esc_size, 1);
            for (int b = 0; b < 2; b++)
                for (int at = 0; at < 3; at++)
                    for (int with_base = 0; with_base < 2; with_base++) {
                        memcpy(esc, esc_all, esc_size);
                        store_word(esc + 2 * which[at], bad[b], 2);
                        CHECK(r,
                              k->low_join(kview, m, w, shift, esc, esc_size,
                                          with_base ? base : NULL, dst) == SIZE_MAX,
                              "%s low_join accepts escape %u (escape %zu of %zu): %u-byte "
                              "elements, shift %u, %zu elements, %s",
                              k->name, bad[b], which[at], escapes, w, shift, m,
                              with_base ? "with a base" : "no base");
                    }
        }
    for (int i = 0; i < 8; i++)
        guarded_free(&g[i]);
    free(want), free(esc_all);
}

/* ---- frames ---- */

size_t eq_frame_check(const eq_reporter *r, emz_impl impl, const uint8_t *src, size_t n,
                      emz_type type, int64_t chunk, const char *what) {
    const char *in = emz_impl_name(impl);
    emz_cctx *ref = emz_cctx_create(), *c = emz_cctx_create();
    emz_dctx *d = emz_dctx_create();
    size_t cap = emz_compress_bound(n), n0 = 0, n1 = 0, got = 0;
    uint8_t *f0 = xmalloc(cap), *f1 = xmalloc(cap), *out = xmalloc(n);
    int ok = ref && c && d;
    CHECK(r, ok, "%s: cannot create contexts", in);
    ok = ok && emz_cctx_set_param(ref, EMZ_PARAM_IMPL, EMZ_IMPL_SCALAR) == EMZ_OK &&
         emz_cctx_set_param(ref, EMZ_PARAM_CHUNK_SIZE, chunk) == EMZ_OK &&
         emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, chunk) == EMZ_OK &&
         emz_cctx_set_param(c, EMZ_PARAM_IMPL, impl) == EMZ_OK &&
         emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl) == EMZ_OK;
    CHECK(r, ok, "%s: setting the implementation and chunk size %lld failed", in, (long long)chunk);
    if (ok) {
        emz_status s0 = emz_compress(ref, f0, cap, src, n, type, &n0);
        emz_status s1 = emz_compress(c, f1, cap, src, n, type, &n1);
        ok = s0 == EMZ_OK && s1 == EMZ_OK;
        CHECK(r, ok, "%s: compression failed (%s): scalar %s, %s %s", in, what, emz_error_name(s0),
              in, emz_error_name(s1));
    }
    if (ok) {
        ok = n0 == n1 && memcmp(f0, f1, n0) == 0;
        CHECK(r, ok, "%s: frame differs from scalar's (%s): %zu and %zu bytes", in, what, n1, n0);
    }
    if (ok) {
        emz_status st = emz_decompress(d, out, n, f1, n1, &got);
        CHECK(r, st == EMZ_OK && got == n && memcmp(out, src, n) == 0,
              "%s: round trip differs (%s): %s, %zu of %zu bytes", in, what, emz_error_name(st),
              got, n);
    }
    free(f0), free(f1), free(out);
    emz_cctx_free(ref), emz_cctx_free(c), emz_dctx_free(d);
    return ok ? n1 : 0;
}

/* Whole frames of every type, at sizes around chunk and lane-count boundaries, of random and of
 * weight-like data: compressed bytes identical to scalar's, decoded data identical to the input. */
static void frames(const eq_reporter *r, emz_impl impl, int arg) {
    (void)arg;
    static const size_t sizes[] = {0,    1,    3,    31,   64,    65,    127,
                                   4095, 4096, 8191, 8193, 32769, 65536, 200003};
    uint8_t *src = xmalloc(200003);
    for (int t = 0; t < EMZ_TYPE_COUNT; t++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            for (int kind = 0; kind < 2; kind++) {
                char what[64];
                const size_t n = sizes[i];
                if (kind)
                    tu_fill_random(src, n, 11 + i);
                else
                    tu_fill_smooth(src, n, (emz_type)t, 5 + i);
                snprintf(what, sizeof what, "%s, %zu bytes, %s", emz_type_name((emz_type)t), n,
                         kind ? "random" : "smooth");
                eq_frame_check(r, impl, src, n, (emz_type)t, 65536, what);
            }
    free(src);
}

/* ---- containers ---- */

typedef struct eq_sink {
    uint8_t *data;
    size_t size;
} eq_sink;

static int eq_sink_write(void *opaque, const void *data, size_t size) {
    eq_sink *s = opaque;
    uint8_t *grown = realloc(s->data, s->size + size);
    if (!grown) return -1;
    memcpy(grown + s->size, data, size);
    s->data = grown, s->size += size;
    return 0;
}

static int eq_source_read(void *opaque, void *dst, size_t size, uint64_t offset) {
    memcpy(dst, (const uint8_t *)opaque + offset, size);
    return 0;
}

static emz_status eq_container(emz_impl impl, const uint8_t *file, size_t n, eq_sink *out) {
    emz_cctx *c = emz_cctx_create();
    emz_source src = {eq_source_read, (void *)file, n};
    emz_sink sink = {eq_sink_write, out};
    emz_status st = c ? emz_cctx_set_param(c, EMZ_PARAM_IMPL, impl) : EMZ_ERROR_NO_MEMORY;
    if (st == EMZ_OK) st = emz_compress_safetensors(c, &src, &sink, NULL);
    emz_cctx_free(c);
    return st;
}

size_t eq_container_check(const eq_reporter *r, emz_impl impl, const uint8_t *file, size_t n,
                          const char *what, int *has_set) {
    const char *in = emz_impl_name(impl);
    eq_sink c0 = {NULL, 0}, c1 = {NULL, 0};
    emz_status s0 = eq_container(EMZ_IMPL_SCALAR, file, n, &c0);
    emz_status s1 = eq_container(impl, file, n, &c1);
    int ok = s0 == EMZ_OK && s1 == EMZ_OK;
    CHECK(r, ok, "%s: compressing %s failed: scalar %s, %s %s", in, what, emz_error_name(s0), in,
          emz_error_name(s1));
    ok = ok && c0.size == c1.size && memcmp(c0.data, c1.data, c0.size) == 0;
    CHECK(r, !(s0 == EMZ_OK && s1 == EMZ_OK) || ok,
          "%s: container of %s differs from scalar's: %zu and %zu bytes", in, what, c1.size,
          c0.size);
    if (ok) {
        *has_set = c1.size > 6 && (c1.data[6] & 1);
        emz_dctx *d = emz_dctx_create();
        emz_reader *rd = NULL;
        uint8_t *back = xmalloc(n + 1);
        emz_status st = emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl);
        if (st == EMZ_OK) st = emz_reader_open_memory(d, c1.data, c1.size, &rd);
        if (st == EMZ_OK) st = emz_reader_read(rd, d, back, n, 0, n);
        CHECK(r, st == EMZ_OK && memcmp(back, file, n) == 0, "%s: %s does not round-trip: %s", in,
              what, emz_error_name(st));
        emz_reader_close(rd);
        emz_dctx_free(d);
        free(back);
    }
    size_t size = ok ? c1.size : 0;
    free(c0.data), free(c1.data);
    return size;
}

/* A checkpoint of `count` tensors cycling through the dtypes, of sizes from 64 bytes to 40 KB
 * (most of them small: a table set pays), filled with weight-like data of their type. */
static uint8_t *synthetic_checkpoint(unsigned count, uint64_t seed, size_t *size) {
    static const struct {
        const char *dtype, *suffix;
        emz_type type;
        unsigned bytes; /* an element */
    } kinds[] = {{"BF16", "", EMZ_TYPE_BF16, 2},        {"F16", "", EMZ_TYPE_FP16, 2},
                 {"F32", "", EMZ_TYPE_FP32, 4},         {"F8_E4M3", "", EMZ_TYPE_FP8_E4M3, 1},
                 {"F8_E5M2", "", EMZ_TYPE_FP8_E5M2, 1}, {"U8", ".blocks", EMZ_TYPE_FP4_E2M1, 1},
                 {"U8", ".scales", EMZ_TYPE_BYTES, 1}};
    size_t json_cap = 128 + 96 * (size_t)count, len = 0, data = 0;
    size_t *sizes = xmalloc(count * sizeof *sizes);
    char *json = xmalloc(json_cap);
    len += (size_t)snprintf(json, json_cap, "{");
    for (unsigned i = 0; i < count; i++) {
        unsigned k = i % 7;
        sizes[i] = ((size_t)64 << (i * 7 % 10)) + 4 * (i % 13); /* 64 B .. 32 KiB */
        len += (size_t)snprintf(json + len, json_cap - len,
                                "%s\"t%u%s\":{\"dtype\":\"%s\",\"shape\":[%zu],"
                                "\"data_offsets\":[%zu,%zu]}",
                                i ? "," : "", i, kinds[k].suffix, kinds[k].dtype,
                                sizes[i] / kinds[k].bytes, data, data + sizes[i]);
        data += sizes[i];
    }
    len += (size_t)snprintf(json + len, json_cap - len, "}");
    *size = 8 + len + data;
    uint8_t *f = xmalloc(*size);
    for (int i = 0; i < 8; i++)
        f[i] = (uint8_t)((uint64_t)len >> 8 * i);
    memcpy(f + 8, json, len);
    for (unsigned i = 0, at = 0; i < count; at += (unsigned)sizes[i], i++)
        tu_fill_smooth(f + 8 + len + at, sizes[i], kinds[i % 7].type, seed + i);
    free(json), free(sizes);
    return f;
}

/* Checkpoints of many small tensors of every type: containers identical to scalar's (the table
 * set included: it must be chosen alike), which round-trip; some of them must hold a set. */
static void checkpoints(const eq_reporter *r, emz_impl impl, int arg) {
    (void)arg;
    static const unsigned counts[] = {7, 30, 90};
    int sets = 0;
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        size_t size;
        uint8_t *f = synthetic_checkpoint(counts[i], 17 + i, &size);
        char what[64];
        int has_set = 0;
        snprintf(what, sizeof what, "a checkpoint of %u small tensors", counts[i]);
        eq_container_check(r, impl, f, size, what, &has_set);
        sets += has_set;
        free(f);
    }
    CHECK(r, sets > 0, "%s: no synthetic checkpoint got a table set", emz_impl_name(impl));
}

/* ---- choosing an implementation ---- */

/* The implementation under test can be named, resolved and forced on both kinds of context; and
 * what holds for every implementation: AUTO and unknown values are not implementations, forcing
 * one succeeds exactly when it is available, and the default is one that is. */
static void impl_selection(const eq_reporter *r, emz_impl impl, int arg) {
    (void)arg;
    static const char *const names[EMZ_IMPL_COUNT] = {NULL, "scalar", "avx2", "avx512", "neon"};
    const char *name = emz_impl_name(impl);
    const emz_kernels *k = NULL;
    emz_status st = emz_kernels_resolve(impl, &k);
    CHECK(r, st == EMZ_OK && k && name && strcmp(k->name, name) == 0,
          "implementation %d (%s): resolving gives %s, a table named %s", (int)impl,
          name ? name : "no name", emz_error_name(st), k ? k->name : "(none)");
    emz_cctx *c = emz_cctx_create();
    emz_dctx *d = emz_dctx_create();
    CHECK(r, c && d, "cannot create contexts");
    if (!c || !d) {
        emz_cctx_free(c), emz_dctx_free(d);
        return;
    }
    CHECK(r,
          emz_cctx_set_param(c, EMZ_PARAM_IMPL, impl) == EMZ_OK &&
              emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl) == EMZ_OK,
          "%s cannot be forced on a context", name);

    CHECK(r, emz_impl_available(EMZ_IMPL_SCALAR), "scalar is not available");
    CHECK(r, !emz_impl_available(EMZ_IMPL_AUTO) && !emz_impl_available((emz_impl)99),
          "AUTO or an unknown value counts as an available implementation");
    for (int i = EMZ_IMPL_SCALAR; i < EMZ_IMPL_COUNT; i++)
        CHECK(r, emz_impl_name((emz_impl)i) && strcmp(emz_impl_name((emz_impl)i), names[i]) == 0,
              "implementation %d is named %s, not %s", i,
              emz_impl_name((emz_impl)i) ? emz_impl_name((emz_impl)i) : "NULL", names[i]);
    CHECK(r, emz_impl_name((emz_impl)99) == NULL, "an unknown implementation has a name");
    const emz_impl def = emz_impl_default();
    CHECK(r, def != EMZ_IMPL_AUTO && emz_impl_available(def),
          "the default implementation %d is not an available one", (int)def);
    CHECK(r,
          emz_cctx_set_param(c, EMZ_PARAM_IMPL, 99) == EMZ_ERROR_INVALID_ARGUMENT &&
              emz_dctx_set_param(d, EMZ_PARAM_IMPL, 99) == EMZ_ERROR_INVALID_ARGUMENT,
          "forcing implementation 99 is not refused as an invalid argument");
    for (int i = EMZ_IMPL_SCALAR; i < EMZ_IMPL_COUNT; i++) {
        const emz_status want =
            emz_impl_available((emz_impl)i) ? EMZ_OK : EMZ_ERROR_IMPL_UNAVAILABLE;
        CHECK(r,
              emz_cctx_set_param(c, EMZ_PARAM_IMPL, i) == want &&
                  emz_dctx_set_param(d, EMZ_PARAM_IMPL, i) == want,
              "forcing %s does not give %s", names[i], emz_error_name(want));
    }
    emz_cctx_free(c), emz_dctx_free(d);
}

#define EQ_CASE_ENTRY(name, fn, arg) [EQ_CASE_##name] = {#name, fn, arg},
const eq_case eq_cases[EQ_CASE_COUNT] = {EQ_CASES(EQ_CASE_ENTRY)};
