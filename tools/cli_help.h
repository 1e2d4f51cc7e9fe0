/* cli_help.h - the help shown by --help and "emzip help COMMAND", and the version. */
#ifndef EMZIP_CLI_HELP_H
#define EMZIP_CLI_HELP_H

#include "cli_args.h"

#include <stdio.h>

/* Prints the emzip man page (CLI_COMMAND_NONE or CLI_COMMAND_HELP) or one command's page,
 * emzip-COMMAND, as rendered for a terminal. */
void cli_print_help(cli_command topic, FILE *stream);

/* Prints the short usage: a synopsis line per command and where the pages are. */
void cli_print_usage(FILE *stream);

/* Prints "emzip VERSION", then the cli_print_impl line. */
void cli_print_version(FILE *stream);

/* Prints "implementation: NAME; available: NAME...". */
void cli_print_impl(FILE *stream);

#endif /* EMZIP_CLI_HELP_H */
