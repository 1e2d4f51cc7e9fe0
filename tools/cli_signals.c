/* cli_signals.c - signal handlers that unlink the temporary output file (see cli_signals.h).
 *
 * This file holds the program's only mutable global: a handler cannot be given arguments,
 * so the path it removes has to live in a static. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_signals.h"

#include <stddef.h>
#include <unistd.h>

static const int handled_signals[] = {SIGINT, SIGTERM, SIGHUP};
enum { HANDLED_SIGNAL_COUNT = sizeof handled_signals / sizeof handled_signals[0] };

/* Written only with the handled signals held (see cli_signals_set_cleanup_path). */
static const char *volatile cleanup_path;

static void on_terminating_signal(int signal_number) {
    const char *path = cleanup_path;
    if (path != NULL) unlink(path); /* async-signal-safe */
    /* SA_RESETHAND restored the default action and SA_NODEFER left this signal unblocked, so
     * re-raising it terminates the process the way the signal would have without us. */
    raise(signal_number);
    _exit(128 + signal_number); /* reached only if the signal was somehow not fatal */
}

void cli_signals_install(void) {
    /* Exceeding a file-size limit (ulimit -f) would otherwise kill the process and leave the
     * temporary file behind; ignored, it makes write() fail with EFBIG, which is cleaned up
     * like any other write error. */
    signal(SIGXFSZ, SIG_IGN);

    for (size_t i = 0; i < HANDLED_SIGNAL_COUNT; i++) {
        struct sigaction previous;
        if (sigaction(handled_signals[i], NULL, &previous) == 0 && previous.sa_handler == SIG_IGN)
            continue;
        struct sigaction action = {0};
        action.sa_handler = on_terminating_signal;
        /* Block the *other* handled signals during the handler so two cleanups don't
         * interleave; the signal itself must stay out of the mask for the re-raise to work. */
        sigemptyset(&action.sa_mask);
        for (size_t j = 0; j < HANDLED_SIGNAL_COUNT; j++)
            if (j != i) sigaddset(&action.sa_mask, handled_signals[j]);
        action.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigaction(handled_signals[i], &action, NULL);
    }
}

void cli_signals_hold(cli_signal_hold *hold) {
    sigset_t handled;
    sigemptyset(&handled);
    for (size_t i = 0; i < HANDLED_SIGNAL_COUNT; i++)
        sigaddset(&handled, handled_signals[i]);
    sigprocmask(SIG_BLOCK, &handled, &hold->previous_mask);
}

void cli_signals_release(const cli_signal_hold *hold) {
    sigprocmask(SIG_SETMASK, &hold->previous_mask, NULL);
}

void cli_signals_set_cleanup_path(const char *path) {
    cli_signal_hold hold;
    cli_signals_hold(&hold);
    cleanup_path = path;
    cli_signals_release(&hold);
}
