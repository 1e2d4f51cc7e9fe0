/* cli_diag.h - the CLI's messages to people: errors, usage errors and progress lines.
 *
 * Every failure is reported as exactly one line on stderr, "emzip: <subject>: <message>", by
 * the function that detects it; callers then only propagate a failed status. Keeping the
 * printing at the point of detection means a message always names the file it is about.
 * A progress line on screen (cli_progress.h) is erased before any message.
 */
#ifndef EMZIP_CLI_DIAG_H
#define EMZIP_CLI_DIAG_H

#include <emzip.h>

/* Exit statuses, as documented in the man page. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1, /* I/O error, corrupt input, refused overwrite, ... */
    CLI_EXIT_USAGE = 2,   /* the command line itself is wrong */
};

/* "emzip: <subject>: <message>\n"; subject may be NULL ("emzip: <message>"). */
void cli_error(const char *subject, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* "emzip: <subject>: <strerror(errnum)>\n". */
void cli_error_errno(const char *subject, int errnum);

/* "emzip: <subject>: <emz_error_message(status)>\n". */
void cli_error_status(const char *subject, emz_status status);

/* "emzip: <subject>: <emz_error_message(status)>: <detail>\n", the library's one-line detail
 * (emz_cctx_error_detail, emz_dctx_error_detail) appended when there is one (detail may be
 * NULL or ""). */
void cli_error_library(const char *subject, emz_status status, const char *detail);

/* A usage error: "emzip: <message>\n" and a hint where to read about the command (NULL for
 * the general help). */
void cli_usage_error(const char *command, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The name to show for a path given on the command line: "-" reads as "(stdin)"/"(stdout)". */
const char *cli_input_display_name(const char *path);
const char *cli_output_display_name(const char *path);

#endif /* EMZIP_CLI_DIAG_H */
