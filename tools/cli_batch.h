/* cli_batch.h - compress, decompress and test given a directory: a sharded checkpoint.
 *
 * compress takes every regular file named *.safetensors (each shard) and
 * *.safetensors.index.json (the shard map, stored as bytes) and writes NAME.emz;
 * decompress takes every *.emz and writes NAME without .emz; test checks every *.emz. Only the
 * directory itself is read, not its subdirectories. Outputs go next to their inputs, or into
 * -o OUTDIR (created, with its parents, if missing). Files are taken in name order; a failure
 * does not stop the others, and the exit status is 1 if any failed.
 */
#ifndef EMZIP_CLI_BATCH_H
#define EMZIP_CLI_BATCH_H

#include "cli_args.h"
#include "cli_report.h"

#include <stdbool.h>

typedef struct cli_batch_item {
    const char *input_path;
    const char *output_path; /* NULL for test */
    bool is_index_json;      /* compress: a *.safetensors.index.json, stored as bytes */
} cli_batch_item;

/* Runs one file; adds what it did to totals; returns an exit status. */
typedef int (*cli_batch_fn)(const cli_options *options, void *context, const cli_batch_item *item,
                            cli_totals *totals);

/* True if path names a directory (following symbolic links). */
bool cli_is_directory(const char *path);

/* Runs fn on every selected file of the directory options->input_path. show_ratio: for the
 * total line (cli_print_totals), printed with the summaries (options->summary). */
int cli_batch_run(const cli_options *options, cli_batch_fn fn, void *context, bool show_ratio);

#endif /* EMZIP_CLI_BATCH_H */
