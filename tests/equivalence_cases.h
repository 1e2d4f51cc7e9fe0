/* equivalence_cases.h - the cases that hold each implementation to the scalar reference, shared by
 * the Criterion suite (test_impl_equivalence.c) and the plain-C check (check_portable.c). */
#ifndef EMZ_EQUIVALENCE_CASES_H
#define EMZ_EQUIVALENCE_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "emzip.h"

#if defined(__GNUC__)
#define EQ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define EQ_PRINTF(f, a)
/* Compresses a safetensors file with scalar and with impl: the containers must be identical
 * (table set included); then reads it back with impl. *has_set says whether the container
 * holds a table set. Returns the container size (0 if compression failed). */
size_t eq_container_check(const eq_reporter *r, emz_impl impl, const uint8_t *file, size_t n,
                          const char *what, int *has_set);

#endif

/* What a front end supplies. The cases know nothing of Criterion or of counting: every check
 * goes through check (ok or not; fmt and what follows describe it, printf-style, and are only
 * worth formatting when ok is 0), and before each step that may fault rather than fail a check
 * (a kernel next to an inaccessible page) doing names that step, so that a fault handler can. */
typedef struct eq_reporter {
    void (*check)(void *harness, int ok, const char *fmt, ...) EQ_PRINTF(3, 4);
    void (*doing)(void *harness, const char *what); /* may be NULL */
    void *harness;
} eq_reporter;

/* Every case, as X(name, function, argument). A front end makes one test of each name; each
 * runs the case once for every implementation this CPU offers, scalar included (the canaries,
 * guard pages and round trips hold scalar to its contract too). */
#define EQ_CASES(X)                                                                                \
    X(split_merge_bf16, split_merge, EMZ_TYPE_BF16)                                                \
    X(split_merge_fp16, split_merge, EMZ_TYPE_FP16)                                                \
    X(split_merge_fp32, split_merge, EMZ_TYPE_FP32)                                                \
    X(split_merge_e4m3, split_merge, EMZ_TYPE_FP8_E4M3)                                            \
    X(split_merge_e5m2, split_merge, EMZ_TYPE_FP8_E5M2)                                            \
    X(split_merge_fp4, split_merge, EMZ_TYPE_FP4_E2M1)                                             \
    X(merge_any_bytes_bf16, merge_any_bytes, EMZ_TYPE_BF16)                                        \
    X(merge_any_bytes_fp16, merge_any_bytes, EMZ_TYPE_FP16)                                        \
    X(merge_any_bytes_fp32, merge_any_bytes, EMZ_TYPE_FP32)                                        \
    X(merge_any_bytes_e4m3, merge_any_bytes, EMZ_TYPE_FP8_E4M3)                                    \
    X(merge_any_bytes_e5m2, merge_any_bytes, EMZ_TYPE_FP8_E5M2)                                    \
    X(merge_any_bytes_fp4, merge_any_bytes, EMZ_TYPE_FP4_E2M1)                                     \
    X(pack_unpack, pack_unpack, 0)                                                                 \
    X(guarded_split_merge_bf16, guarded_split_merge, EMZ_TYPE_BF16)                                \
    X(guarded_split_merge_fp16, guarded_split_merge, EMZ_TYPE_FP16)                                \
    X(guarded_split_merge_fp32, guarded_split_merge, EMZ_TYPE_FP32)                                \
    X(guarded_split_merge_e4m3, guarded_split_merge, EMZ_TYPE_FP8_E4M3)                            \
    X(guarded_split_merge_e5m2, guarded_split_merge, EMZ_TYPE_FP8_E5M2)                            \
    X(guarded_split_merge_fp4, guarded_split_merge, EMZ_TYPE_FP4_E2M1)                             \
    X(guarded_pack_unpack, guarded_pack_unpack, 0)                                                 \
    X(planes_fp16, planes_split_merge, 0)                                                          \
    X(planes_fp32, planes_split_merge, 1)                                                          \
    X(planes_merge_any_fp16, planes_merge_any, 0)                                                  \
    X(planes_merge_any_fp32, planes_merge_any, 1)                                                  \
    X(guarded_planes_fp16, guarded_planes, 0)                                                      \
    X(guarded_planes_fp32, guarded_planes, 1)                                                      \
    X(checksum32, checksum32, 0)                                                                   \
    X(channel_shift_1, channel_shift, 1)                                                           \
    X(channel_shift_2, channel_shift, 2)                                                           \
    X(channel_shift_4, channel_shift, 4)                                                           \
    X(delta_1, delta, 1)                                                                           \
    X(delta_2, delta, 2)                                                                           \
    X(delta_4, delta, 4)                                                                           \
    X(low_join_2, low_join, 2)                                                                     \
    X(low_join_4, low_join, 4)                                                                     \
    X(frames, frames, 0)                                                                           \
    X(checkpoints, checkpoints, 0)                                                                 \
    X(impl_selection, impl_selection, 0)

#define EQ_CASE_ENUM(name, fn, arg) EQ_CASE_##name,
enum { EQ_CASES(EQ_CASE_ENUM) EQ_CASE_COUNT };
#undef EQ_CASE_ENUM

typedef struct eq_case {
    const char *name;
    void (*run)(const eq_reporter *r, emz_impl impl, int arg);
    int arg;
} eq_case;

extern const eq_case eq_cases[EQ_CASE_COUNT];

/* Compresses src with scalar and with impl (chunk bytes per chunk): the frames must be identical;
 * then decodes with impl: the data must come back. what names the data in messages. Returns the
 * frame size (0 if compression failed). The frames case uses it, and check_portable's corpus. */
size_t eq_frame_check(const eq_reporter *r, emz_impl impl, const uint8_t *src, size_t n,
                      emz_type type, int64_t chunk, const char *what);

/* Compresses a safetensors file with scalar and with impl: the containers must be identical
 * (table set included); then reads it back with impl. *has_set says whether the container
 * holds a table set. Returns the container size (0 if compression failed). */
size_t eq_container_check(const eq_reporter *r, emz_impl impl, const uint8_t *file, size_t n,
                          const char *what, int *has_set);

#endif
