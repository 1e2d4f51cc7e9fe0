/* cli_contexts.h - the library contexts a command runs with, set from its options. */
#ifndef EMZIP_CLI_CONTEXTS_H
#define EMZIP_CLI_CONTEXTS_H

#include "cli_args.h"

#include <emzip.h>

/* A compression context with -T and -c applied. Returns CLI_EXIT_OK, or after printing the
 * error CLI_EXIT_USAGE (a chunk size the library rejects, reported before any file is touched)
 * or CLI_EXIT_FAILURE; *cctx is then NULL. */
int cli_create_cctx(const cli_options *options, emz_cctx **cctx);

/* What a command does with a decompression context; returns an exit status. */
typedef int (*cli_dctx_job)(const cli_options *options, emz_dctx *dctx);

/* Runs job with a decompression context (-T applied and, unless verify_checksum, checksums
 * off) and frees the context after. Returns the job's exit status, or CLI_EXIT_FAILURE after
 * printing the error if the context cannot be made. */
int cli_run_with_dctx(const cli_options *options, bool verify_checksum, cli_dctx_job job);

#endif /* EMZIP_CLI_CONTEXTS_H */
