/* cli_names.h - the names of outputs: IN.emz for compress, IN without .emz for decompress,
 * beside the input or inside an output directory. */
#ifndef EMZIP_CLI_NAMES_H
#define EMZIP_CLI_NAMES_H

#include "cli_args.h"

#include <stdbool.h>
#include <stddef.h>

/* The suffix of compressed files. */
#define CLI_EMZ_SUFFIX ".emz"

/* True if name ends in suffix and has something before it (".emz" alone names no file to
 * restore). */
bool cli_ends_with(const char *name, const char *suffix);

/* directory + "/" + name without its last cut bytes + suffix; NULL if out of memory. */
char *cli_path_join(const char *directory, const char *name, const char *suffix, size_t cut);

/* The default output of input_path for command (compress or decompress): IN.emz, or IN
 * without .emz; with directory not NULL, that name's last component inside directory.
 * Standard input ("-") goes to standard output ("-"), and cannot go into a directory.
 * NULL after printing the error; *status then says which: CLI_EXIT_USAGE (no .emz to
 * remove, stdin into a directory) or CLI_EXIT_FAILURE (no memory). */
char *cli_output_name(cli_command command, const char *input_path, const char *directory,
                      int *status);

#endif /* EMZIP_CLI_NAMES_H */
