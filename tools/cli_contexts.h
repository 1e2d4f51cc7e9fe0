/* cli_contexts.h - the library contexts a command runs with, set from its options. */
#ifndef EMZIP_CLI_CONTEXTS_H
#define EMZIP_CLI_CONTEXTS_H

#include "cli_args.h"

#include <emzip.h>

/* A compression context with -T and -c applied. Returns CLI_EXIT_OK, or after printing the
 * error CLI_EXIT_USAGE (a chunk size the library rejects, reported before any file is touched)
 * or CLI_EXIT_FAILURE; *cctx is then NULL. */
int cli_create_cctx(const cli_options *options, emz_cctx **cctx);

/* A decompression context with -T and, unless verify_checksum, checksums off; NULL after
 * printing the error. */
emz_dctx *cli_create_dctx(const cli_options *options, bool verify_checksum);

#endif /* EMZIP_CLI_CONTEXTS_H */
