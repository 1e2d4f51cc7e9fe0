/* cli_batch.h - compress, decompress and test over their operands: files, and directories
 * (sharded checkpoints).
 *
 * Each FILE goes to its own output: IN.emz for compress, IN without .emz for decompress, or
 * -o OUT, standard output with -c, or into the output directory -o names when there are
 * several operands, a directory operand, or -o names an existing directory. A directory
 * stands for its files: compress takes every regular file named *.safetensors (each shard)
 * and *.safetensors.index.json (the shard map, stored as bytes) and writes NAME.emz;
 * decompress takes every *.emz and writes NAME without .emz; test checks every *.emz. Only the
 * directory itself is read, not its subdirectories; its outputs go next to their inputs, or
 * into -o OUTDIR (created, with its parents, if missing). Files are taken in the order given,
 * a directory's in name order; a failure does not stop the others, and the exit status is the
 * worst of them.
 */
#ifndef EMZIP_CLI_BATCH_H
#define EMZIP_CLI_BATCH_H

#include "cli_args.h"
#include "cli_report.h"

#include <stdbool.h>

typedef struct cli_batch_item {
    const char *input_path;
    const char *output_path; /* "-": standard output; NULL for test */
    bool is_index_json;      /* compress: a *.safetensors.index.json, stored as bytes */
    bool from_directory;     /* found in a directory operand, not named on the command line */
} cli_batch_item;

/* Runs one file; adds what it did to totals; returns an exit status. */
typedef int (*cli_batch_fn)(const cli_options *options, void *context, const cli_batch_item *item,
                            cli_totals *totals);

/* True if path names a directory (following symbolic links). */
bool cli_is_directory(const char *path);

/* The usage errors that depend on what the operands are (directories, stdin), reported
 * before any work: false after printing one. */
bool cli_batch_check(const cli_options *options);

/* Runs fn on every input of options (see above). show_ratio: for the total line
 * (cli_print_totals), printed with the summaries when there were several files. */
int cli_batch_run(const cli_options *options, cli_batch_fn fn, void *context, bool show_ratio);

#endif /* EMZIP_CLI_BATCH_H */
