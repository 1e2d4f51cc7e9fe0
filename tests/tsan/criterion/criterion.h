/* criterion.h - a stand-in for the part of Criterion that test_blocks.c, test_threads.c and
 * test_delta.c use
 * (Test, cr_assert, cr_log_info), for builds under ThreadSanitizer: Criterion's runner cannot
 * start there (its inheritable arena is mapped at fixed addresses that TSan's layout refuses:
 * "Could not initialize inheritable arena"). tests/tsan/runner.c runs every test in a process
 * of its own, as Criterion does. tests/meson.build uses it only with -Db_sanitize=thread. */
#ifndef EMZ_TSAN_CRITERION_H
#define EMZ_TSAN_CRITERION_H

typedef void (*shim_test_fn)(void);
void shim_register(const char *suite, const char *name, shim_test_fn fn);
void shim_fail(const char *file, int line, const char *cond, const char *fmt, ...);
void shim_log(const char *fmt, ...);

/* Test(suite, name, options...): the options (.timeout) are ignored. */
#define Test(...) SHIM_TEST_(__VA_ARGS__, 0)
#define SHIM_TEST_(suite, name, ...)                                                               \
    static void suite##_##name(void);                                                              \
    __attribute__((constructor)) static void shim_register_##suite##_##name(void) {                \
        shim_register(#suite, #name, suite##_##name);                                              \
    }                                                                                              \
    static void suite##_##name(void)

/* cr_assert(cond) or cr_assert(cond, format, ...): a failure prints and ends the test. */
#define cr_assert(...) SHIM_ASSERT_(__VA_ARGS__, "")
#define SHIM_ASSERT_(cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond)) shim_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                            \
    } while (0)
#define cr_log_info(...) shim_log(__VA_ARGS__)
/* The comparisons test_delta.c uses: cr_assert_eq(a, b) or cr_assert_eq(a, b, format, ...). */
#define cr_assert_eq(...) SHIM_COMPARE_(==, __VA_ARGS__, "")
#define cr_assert_lt(...) SHIM_COMPARE_(<, __VA_ARGS__, "")
#define cr_assert_leq(...) SHIM_COMPARE_(<=, __VA_ARGS__, "")
#define cr_assert_geq(...) SHIM_COMPARE_(>=, __VA_ARGS__, "")
#define SHIM_COMPARE_(op, a, b, ...) SHIM_ASSERT_((a)op(b), __VA_ARGS__)
#define cr_assert_fail(...) shim_fail(__FILE__, __LINE__, "fail", __VA_ARGS__, "")

#endif
