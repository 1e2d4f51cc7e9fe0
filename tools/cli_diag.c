/* cli_diag.c - formatting of the CLI's error and usage messages (see cli_diag.h). */
#include "cli_diag.h"

#include "cli_progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void print_line(const char *subject, const char *format, va_list args) {
    /* One fprintf per part is fine: stderr is unbuffered, but each message is a single
     * line written by a single-threaded program, so parts cannot interleave with others. */
    cli_progress_clear();
    fputs("emzip: ", stderr);
    if (subject != NULL) fprintf(stderr, "%s: ", subject);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
}

void cli_error(const char *subject, const char *format, ...) {
    va_list args;
    va_start(args, format);
    print_line(subject, format, args);
    va_end(args);
}

void cli_error_errno(const char *subject, int errnum) {
    cli_error(subject, "%s", strerror(errnum));
}

void cli_error_status(const char *subject, emz_status status) {
    cli_error(subject, "%s", emz_error_message(status));
}

void cli_error_library(const char *subject, emz_status status, const char *detail) {
    if (detail != NULL && detail[0] != '\0')
        cli_error(subject, "%s: %s", emz_error_message(status), detail);
    else
        cli_error_status(subject, status);
}

void cli_usage_error(const char *command, const char *format, ...) {
    va_list args;
    va_start(args, format);
    print_line(NULL, format, args);
    va_end(args);
    if (command != NULL)
        fprintf(stderr, "Try 'emzip %s --help' for more information.\n", command);
    else
        fputs("Try 'emzip --help' for more information.\n", stderr);
}

const char *cli_input_display_name(const char *path) {
    return strcmp(path, "-") == 0 ? "(stdin)" : path;
}

const char *cli_output_display_name(const char *path) {
    return strcmp(path, "-") == 0 ? "(stdout)" : path;
}
