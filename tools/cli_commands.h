/* cli_commands.h - the four commands; each returns the process exit status. */
#ifndef EMZIP_CLI_COMMANDS_H
#define EMZIP_CLI_COMMANDS_H

#include "cli_args.h"

int cli_run_compress(const cli_options *options);
int cli_run_decompress(const cli_options *options);
int cli_run_info(const cli_options *options);
int cli_run_test(const cli_options *options);

#endif /* EMZIP_CLI_COMMANDS_H */
