/* cli_commands.h - the commands; each returns the process exit status (cli_diag.h).
 *
 * cli_compress.c: compress. cli_decompress.c: decompress and test. cli_info.c: info.
 * cli_checkpoint.c: list and extract. cli_train.c: train. */
#ifndef EMZIP_CLI_COMMANDS_H
#define EMZIP_CLI_COMMANDS_H

#include "cli_args.h"

int cli_run_compress(const cli_options *options);
int cli_run_decompress(const cli_options *options);
int cli_run_test(const cli_options *options);
int cli_run_info(const cli_options *options);
int cli_run_list(const cli_options *options);
int cli_run_extract(const cli_options *options);
int cli_run_train(const cli_options *options);

#endif /* EMZIP_CLI_COMMANDS_H */
