/* runner.c - runs the tests registered through tests/tsan/criterion/criterion.h, each in a
 * process of its own (a test may set the process's EMZIP_IMPL, or crash), one after the other.
 * Usage: PROGRAM [SUBSTRING] runs the tests whose "suite::name" contains SUBSTRING (all by
 * default). The last line is "N passed, N failed"; the exit status is non-zero on any failure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "criterion/criterion.h"

#define MAX_TESTS 512

static struct {
    const char *suite, *name;
    shim_test_fn fn;
} tests[MAX_TESTS];
static int count;

void shim_register(const char *suite, const char *name, shim_test_fn fn) {
    if (count == MAX_TESTS) {
        fprintf(stderr, "runner: more than %d tests\n", MAX_TESTS);
        exit(2);
    }
    tests[count].suite = suite, tests[count].name = name, tests[count].fn = fn;
    count++;
}

void shim_fail(const char *file, int line, const char *cond, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("%s:%d: assertion failed: %s\n  ", file, line, cond);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    _exit(1);
}

void shim_log(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("  [info] ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

int main(int argc, char **argv) {
    int passed = 0, failed = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < count; i++) {
        char full[256];
        snprintf(full, sizeof full, "%s::%s", tests[i].suite, tests[i].name);
        if (argc > 1 && !strstr(full, argv[1])) continue;
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            tests[i].fn();
            fflush(stdout);
            _exit(0);
        }
        int status = 0;
        if (waitpid(pid, &status, 0) < 0) {
            perror("waitpid");
            return 2;
        }
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        printf("[%s] %s", ok ? "PASS" : "FAIL", full);
        if (WIFSIGNALED(status)) printf(" (signal %d)", WTERMSIG(status));
        if (WIFEXITED(status) && WEXITSTATUS(status)) printf(" (exit %d)", WEXITSTATUS(status));
        printf("\n");
        passed += ok, failed += !ok;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0 || passed == 0;
}
