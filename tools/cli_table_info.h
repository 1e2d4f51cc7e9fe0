/* cli_table_info.h - emzip info on a table file (*.emzt, written by emzip train). */
#ifndef EMZIP_CLI_TABLE_INFO_H
#define EMZIP_CLI_TABLE_INFO_H

#include "cli_args.h"
#include "cli_input.h"

#include <stdbool.h>

/* Whether the input (opened; loaded if it is not seekable) starts like a table file. Reads
 * its first bytes only; prints nothing. */
bool cli_is_table_file(const cli_input *input);

/* Loads the whole table file (emz_tables_load checks all of it) and prints what it holds, as
 * text or with --json. Returns an exit status, after printing the error on a failure. */
int cli_describe_table_file(const cli_options *options, const cli_input *input);

#endif /* EMZIP_CLI_TABLE_INFO_H */
