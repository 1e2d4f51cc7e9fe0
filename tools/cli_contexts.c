/* cli_contexts.c - creating the library contexts (see cli_contexts.h). */
#include "cli_contexts.h"

#include "cli_diag.h"

int cli_create_cctx(const cli_options *options, emz_cctx **cctx) {
    *cctx = emz_cctx_create();
    if (*cctx == NULL) {
        cli_error_status(NULL, EMZ_ERROR_NO_MEMORY);
        return CLI_EXIT_FAILURE;
    }
    int status = CLI_EXIT_OK;
    if (emz_cctx_set_param(*cctx, EMZ_PARAM_THREADS, options->threads) != EMZ_OK ||
        emz_cctx_set_param(*cctx, EMZ_PARAM_MEMORY_LIMIT, options->memory_limit) != EMZ_OK) {
        cli_error_status(NULL, EMZ_ERROR_INVALID_ARGUMENT);
        status = CLI_EXIT_FAILURE;
    } else if (options->chunk_size_given &&
               emz_cctx_set_param(*cctx, EMZ_PARAM_CHUNK_SIZE, options->chunk_size) != EMZ_OK) {
        cli_usage_error("compress",
                        "compress: invalid chunk size '%s' (must be a power of two "
                        "from 4K to 16M)",
                        options->chunk_size_text);
        status = CLI_EXIT_USAGE;
    }
    if (status != CLI_EXIT_OK) {
        emz_cctx_free(*cctx);
        *cctx = NULL;
    }
    return status;
}

/* NULL after printing the error. */
static emz_dctx *create_dctx(const cli_options *options, bool verify_checksum) {
    emz_dctx *dctx = emz_dctx_create();
    if (dctx == NULL) {
        cli_error_status(NULL, EMZ_ERROR_NO_MEMORY);
        return NULL;
    }
    if (emz_dctx_set_param(dctx, EMZ_PARAM_THREADS, options->threads) != EMZ_OK ||
        emz_dctx_set_param(dctx, EMZ_PARAM_MEMORY_LIMIT, options->memory_limit) != EMZ_OK ||
        emz_dctx_set_param(dctx, EMZ_PARAM_MAX_OUTPUT, options->max_output) != EMZ_OK) {
        cli_error_status(NULL, EMZ_ERROR_INVALID_ARGUMENT);
        emz_dctx_free(dctx);
        return NULL;
    }
    if (!verify_checksum && emz_dctx_set_param(dctx, EMZ_PARAM_VERIFY_CHECKSUM, 0) != EMZ_OK) {
        cli_error(NULL, "the library refused to disable checksum verification");
        emz_dctx_free(dctx);
        return NULL;
    }
    return dctx;
}

int cli_run_with_dctx(const cli_options *options, bool verify_checksum, cli_dctx_job job) {
    emz_dctx *dctx = create_dctx(options, verify_checksum);
    if (dctx == NULL) return CLI_EXIT_FAILURE;
    int status = job(options, dctx);
    emz_dctx_free(dctx);
    return status;
}
