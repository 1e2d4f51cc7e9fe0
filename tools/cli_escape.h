/* cli_escape.h - names shown to people: control characters as \xNN.
 *
 * Tensor names come from files and paths from anywhere; printed raw, a hostile name could
 * break the one-line-per-message layout or send escape sequences to the terminal. Every name
 * the CLI prints goes through here (error messages, summaries, `list`). */
#ifndef EMZIP_CLI_ESCAPE_H
#define EMZIP_CLI_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Writes text to out with bytes below 0x20 and 0x7f as \xNN; returns the columns it takes
 * (one per UTF-8 character, roughly; four per escaped byte). */
size_t cli_put_escaped(FILE *out, const char *text);

/* The columns cli_put_escaped would take, without writing. */
size_t cli_escaped_width(const char *text);

#endif /* EMZIP_CLI_ESCAPE_H */
