/* cli_train.c - emzip train: Huffman tables for blocks of K/V caches (a table file, *.emzt)
 * trained from sample files.
 *
 * The samples are opened and checked first (cli_train_samples.h), then the output opened
 * (where an overwrite is refused), and only then are the tables trained (emz_tables_train)
 * and written, through a temporary file renamed into place (cli_output.h), so that a failure
 * leaves no file behind.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_commands.h"
#include "cli_diag.h"
#include "cli_escape.h"
#include "cli_output.h"
#include "cli_progress.h"
#include "cli_train_samples.h"
#include "cli_units.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Refuses an output that is one of the samples, then opens it (cli_output_open refuses an
 * existing file without -f, and the first sample once more). */
static bool open_output(const cli_options *options, const cli_train_set *set, cli_output *output) {
    struct stat info;
    const char *path = options->output_path;
    if (stat(path, &info) == 0) {
        for (int i = 0; i < set->file_count; i++) {
            const cli_input *input = &set->files[i].input;
            if (input->has_identity && input->device == info.st_dev &&
                input->inode == info.st_ino) {
                cli_error(cli_output_display_name(path), "is the same file as the sample %s",
                          input->display_name);
                return false;
            }
        }
    }
    if (!cli_output_open(output, path, options->force, &set->files[0].input)) return false;
    output->durable = !options->no_fsync;
    return true;
}

/* Trains the tables; NULL after printing the error (the library's detail says what failed). */
static emz_tables *train(const cli_train_set *set, const char *name) {
    emz_tables *tables = NULL;
    char why[256];
    emz_status status =
        emz_tables_train(&set->options, set->samples, set->sample_count, &tables, why, sizeof why);
    if (status != EMZ_OK)
        cli_error(name, "cannot train: %s%s%s", emz_error_message(status), why[0] ? ": " : "", why);
    return status == EMZ_OK ? tables : NULL;
}

/* The table file's bytes into output. */
static bool write_tables(const emz_tables *tables, cli_output *output, size_t *size) {
    emz_tables_info info;
    unsigned char *bytes = NULL;
    emz_status status = emz_tables_info_get(tables, &info);
    if (status == EMZ_OK) {
        bytes = malloc(info.serialized_size);
        status = bytes == NULL ? EMZ_ERROR_NO_MEMORY
                               : emz_tables_save(tables, bytes, info.serialized_size, size);
    }
    bool ok = status == EMZ_OK && cli_output_write(output, bytes, *size);
    if (status != EMZ_OK) cli_error_status(output->display_name, status);
    free(bytes);
    return ok;
}

/* "OUT: N groups from M samples (S bytes) -> T bytes, X ms, Y MB/s". */
static void print_summary(const cli_train_set *set, const char *name, size_t size,
                          double elapsed_ms) {
    cli_progress_clear();
    cli_put_escaped(stderr, name);
    fprintf(stderr,
            ": %" PRIu32 " group%s from %d sample file%s (%" PRIu64 " bytes) -> %zu bytes, "
            "%.1f ms, %.1f MB/s\n",
            set->options.groups, set->options.groups == 1 ? "" : "s", set->file_count,
            set->file_count == 1 ? "" : "s", set->sample_bytes, size, elapsed_ms,
            cli_mb_per_s(set->sample_bytes, elapsed_ms));
}

int cli_run_train(const cli_options *options) {
    cli_train_set set;
    cli_output output = {.fd = -1};
    bool output_opened = false;
    emz_tables *tables = NULL;
    int status = CLI_EXIT_FAILURE;
    double start_ms = cli_monotonic_ms();
    size_t size = 0;
    if (!cli_train_samples_load(options, &set) || !open_output(options, &set, &output)) goto done;
    output_opened = true;
    if ((tables = train(&set, output.display_name)) == NULL ||
        !write_tables(tables, &output, &size) || !cli_output_commit(&output))
        goto done;
    status = CLI_EXIT_OK;
    if (options->summary)
        print_summary(&set, output.display_name, size, cli_monotonic_ms() - start_ms);

done:
    if (output_opened) cli_output_abort(&output); /* no-op after a successful commit */
    emz_tables_free(tables);
    cli_train_samples_release(&set);
    return status;
}
