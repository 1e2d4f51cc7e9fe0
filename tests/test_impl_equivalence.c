/* test_impl_equivalence.c - the equivalence cases (equivalence_cases.c) as Criterion tests: one
 * test per case, each running it for every implementation this CPU offers, scalar included. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "emzip.h"
#include "equivalence_cases.h"

/* Failures shown per test: enough to see a pattern, few enough to keep the log readable. */
#define SHOWN 20

typedef struct harness {
    unsigned long passed, failed;
} harness;

/* A failed check fails the test with its message and the test goes on, so that one run shows
 * which lengths, offsets or widths fail; past SHOWN failures only their number is reported. */
static void check(void *hv, int ok, const char *fmt, ...) EQ_PRINTF(3, 4);
static void check(void *hv, int ok, const char *fmt, ...) {
    harness *h = hv;
    if (ok) {
        h->passed++;
        return;
    }
    if (++h->failed <= SHOWN) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        cr_expect_fail("%s", msg);
    }
}

/* A kernel that touches a guard page crashes the test rather than failing a check; Criterion
 * then names only the test, so the handler first prints the step in progress and then lets the
 * signal take its default course (SA_RESETHAND: the faulting access repeats and ends the test
 * process, which Criterion reports as a crash). */
static char current_call[200];

static void doing(void *hv, const char *what) {
    (void)hv;
    snprintf(current_call, sizeof current_call, "%s", what);
}

static void on_fault(int sig) {
    static const char msg[] = "fault (SIGSEGV/SIGBUS) in ";
    (void)sig;
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0 ||
        write(STDERR_FILENO, current_call, strlen(current_call)) < 0 ||
        write(STDERR_FILENO, "\n", 1) < 0)
        return;
}

static void run_case(const eq_case *c) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fault;
    sa.sa_flags = (int)SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    harness h = {0, 0};
    const eq_reporter r = {check, doing, &h};
    unsigned runs = 0;
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        snprintf(current_call, sizeof current_call, "%s, %s", c->name,
                 emz_impl_name((emz_impl)impl));
        c->run(&r, (emz_impl)impl, c->arg);
        runs++;
    }
    if (h.failed > SHOWN) cr_expect_fail("%s: %lu more failed checks", c->name, h.failed - SHOWN);
    cr_log_info("%s: %u implementations, %lu checks passed, %lu failed", c->name, runs, h.passed,
                h.failed);
}

#define EQ_TEST(name, fn, arg)                                                                     \
    Test(impl, name, .timeout = 600) {                                                             \
        run_case(&eq_cases[EQ_CASE_##name]);                                                       \
    }
EQ_CASES(EQ_TEST)
