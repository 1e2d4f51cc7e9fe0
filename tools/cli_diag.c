/* cli_diag.c - formatting of the CLI's error and usage messages (see cli_diag.h). */
#include "cli_diag.h"

#include "cli_escape.h"
#include "cli_progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_line(const char *subject, const char *format, va_list args) {
    /* One write per part is fine: stderr is unbuffered, but each message is a single line
     * written by a single-threaded program, so parts cannot interleave with others. Names in
     * the subject and the message (paths, tensor names in the library's details) are escaped:
     * the message is formatted first, then printed through cli_put_escaped. */
    char short_text[512];
    va_list copy;
    va_copy(copy, args);
    int length = vsnprintf(short_text, sizeof short_text, format, copy);
    va_end(copy);
    char *text = short_text;
    if (length >= (int)sizeof short_text) {
        text = malloc((size_t)length + 1);
        if (text != NULL)
            vsnprintf(text, (size_t)length + 1, format, args);
        else
            text = short_text; /* out of memory: the message cut short */
    }
    cli_progress_clear();
    fputs("emzip: ", stderr);
    if (subject != NULL) {
        cli_put_escaped(stderr, subject);
        fputs(": ", stderr);
    }
    if (length >= 0) cli_put_escaped(stderr, text);
    fputc('\n', stderr);
    if (text != short_text) free(text);
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
