/* emzip.c - the emzip command-line tool: argument dispatch.
 *
 * The work is split by job: cli_args parses; the commands run in cli_compress,
 * cli_decompress (and test), cli_info (cli_table_info for table files), cli_checkpoint (list,
 * extract) and cli_train (its samples: cli_train_samples, cli_safetensors), cli_batch runs them
 * over their operands and over directories, cli_names names their outputs; cli_input,
 * cli_output and cli_io move bytes (with atomic replacement), cli_metadata gives outputs their
 * inputs' modes, owners and times, cli_reader opens compressed files; cli_signals cleans up
 * when interrupted; cli_help prints the manual pages (docs/man, rendered at build time),
 * cli_diag formats messages, cli_report the summaries, cli_progress the progress line,
 * cli_units the clock and number formats they share, and cli_json the --json output.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* cli_signals.h needs sigset_t */
#endif

#include "cli_args.h"
#include "cli_commands.h"
#include "cli_diag.h"
#include "cli_help.h"
#include "cli_signals.h"

#include <stdio.h>

/* Help and version text go to stdout; a failure to write them (e.g. to a full disk) must not
 * pass silently, since a script may rely on the output. */
static int finish_stdout(int status) {
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("emzip: (stdout)");
        return CLI_EXIT_FAILURE;
    }
    return status;
}

/* The commands that work on files; the others only print. */
static int (*const runners[])(const cli_options *options) = {
    [CLI_COMMAND_COMPRESS] = cli_run_compress, [CLI_COMMAND_DECOMPRESS] = cli_run_decompress,
    [CLI_COMMAND_INFO] = cli_run_info,         [CLI_COMMAND_TEST] = cli_run_test,
    [CLI_COMMAND_LIST] = cli_run_list,         [CLI_COMMAND_EXTRACT] = cli_run_extract,
    [CLI_COMMAND_TRAIN] = cli_run_train,
};
enum { RUNNER_COUNT = sizeof runners / sizeof runners[0] };

int main(int argc, char **argv) {
    cli_options options;
    int status = cli_parse_args(argc, argv, &options);
    if (status != CLI_EXIT_OK) {
        if (options.command == CLI_COMMAND_USAGE) /* a bare "emzip" */
            cli_print_usage(stderr);
        return status;
    }

    cli_signals_install();
    if ((size_t)options.command < RUNNER_COUNT && runners[options.command] != NULL)
        status = runners[options.command](&options);
    else if (options.command == CLI_COMMAND_VERSION)
        cli_print_version(stdout);
    else if (options.command == CLI_COMMAND_HELP)
        cli_print_help(options.help_topic, stdout);
    else
        cli_print_usage(stdout); /* CLI_COMMAND_USAGE */
    return finish_stdout(status);
}
