/* cli_commands.c - compress, decompress, info and test (see cli_commands.h).
 *
 * Every command follows the same order so that refusals come before work: open the input
 * (learning what file it is), open the output (where all overwrite refusals happen), then
 * read the input, run the codec in memory, write, and commit. Each failure prints its own one
 * line (cli_diag.h); the functions here only clean up and return the status.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_commands.h"
#include "cli_help.h"

#include "cli_diag.h"
#include "cli_input.h"
#include "cli_output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char emz_suffix[] = ".emz";
enum { EMZ_SUFFIX_LENGTH = sizeof emz_suffix - 1 };

static double monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

/* compress: IN + ".emz"; decompress: IN minus ".emz". "-" stays "-" (stdout). Returns a heap
 * string, or NULL after printing an error: CLI_EXIT_USAGE goes to *status when the name
 * cannot be derived, CLI_EXIT_FAILURE when memory runs out. */
static char *default_output_path(const char *input_path, bool compressing, int *status)
{
    size_t length = strlen(input_path);
    size_t output_length;
    if (strcmp(input_path, "-") == 0) {
        output_length = 1;
    } else if (compressing) {
        output_length = length + EMZ_SUFFIX_LENGTH;
    } else {
        const char *base = strrchr(input_path, '/');
        base = base != NULL ? base + 1 : input_path;
        size_t base_length = length - (size_t)(base - input_path);
        if (base_length <= EMZ_SUFFIX_LENGTH ||
            strcmp(input_path + length - EMZ_SUFFIX_LENGTH, emz_suffix) != 0) {
            cli_usage_error("decompress", "%s: name does not end in %s; use -o to name the "
                            "output", input_path, emz_suffix);
            *status = CLI_EXIT_USAGE;
            return NULL;
        }
        output_length = length - EMZ_SUFFIX_LENGTH;
    }
    char *output_path = malloc(output_length + 1);
    if (output_path == NULL) {
        cli_error_errno(input_path, ENOMEM);
        *status = CLI_EXIT_FAILURE;
        return NULL;
    }
    if (strcmp(input_path, "-") == 0 || !compressing) {
        memcpy(output_path, input_path, output_length);
        output_path[output_length] = '\0';
    } else {
        memcpy(output_path, input_path, length);
        memcpy(output_path + length, emz_suffix, EMZ_SUFFIX_LENGTH + 1);
    }
    return output_path;
}

/* The resources of one compress or decompress run, released together by finish_transform. */
typedef struct transform_run {
    char *derived_output_path; /* NULL when -o was given */
    const char *output_path;
    cli_input input;
    cli_output output;
    bool output_opened;
    unsigned char *result;
} transform_run;

/* Opens input and output (the step where refusals happen) and reads the input. */
static int start_transform(transform_run *run, const cli_options *options, bool compressing)
{
    memset(run, 0, sizeof *run);
    run->output.fd = -1;
    run->output_path = options->output_path;
    if (run->output_path == NULL) {
        int status = CLI_EXIT_FAILURE;
        run->derived_output_path = default_output_path(options->input_path, compressing,
                                                       &status);
        if (run->derived_output_path == NULL)
            return status;
        run->output_path = run->derived_output_path;
    }
    if (!cli_input_open(options->input_path, &run->input))
        return CLI_EXIT_FAILURE;
    if (!cli_output_open(&run->output, run->output_path, options->force, &run->input))
        return CLI_EXIT_FAILURE;
    run->output_opened = true;
    if (!cli_input_read(&run->input))
        return CLI_EXIT_FAILURE;
    return CLI_EXIT_OK;
}

/* Writes size bytes of result and commits; with a failed status, removes the output. */
static int finish_transform(transform_run *run, int status, size_t result_size)
{
    if (status == CLI_EXIT_OK &&
        !(cli_output_write(&run->output, run->result, result_size) &&
          cli_output_commit(&run->output)))
        status = CLI_EXIT_FAILURE;
    if (run->output_opened)
        cli_output_abort(&run->output); /* no-op after a successful commit */
    cli_input_release(&run->input);
    free(run->result);
    free(run->derived_output_path);
    return status;
}

static void print_summary(const char *name, uint64_t from, uint64_t to, double elapsed_ms,
                          bool show_ratio)
{
    fprintf(stderr, "%s: %" PRIu64 " -> %" PRIu64 " bytes", name, from, to);
    if (show_ratio && from > 0)
        fprintf(stderr, " (%.2f%%)", 100.0 * (double)to / (double)from);
    fprintf(stderr, ", %.1f ms\n", elapsed_ms);
}

/* Creates a compression context with the chosen chunk size; a size the library rejects is a
 * usage error, reported before any file is touched. */
static int create_cctx(const cli_options *options, emz_cctx **cctx)
{
    *cctx = emz_cctx_create();
    if (*cctx == NULL) {
        cli_error_status(NULL, EMZ_ERROR_NO_MEMORY);
        return CLI_EXIT_FAILURE;
    }
    if (emz_cctx_set_param(*cctx, EMZ_PARAM_THREADS, options->threads) != EMZ_OK) {
        cli_error_status(NULL, EMZ_ERROR_INVALID_ARGUMENT);
        return CLI_EXIT_FAILURE;
    }
    if (options->chunk_size_given &&
        emz_cctx_set_param(*cctx, EMZ_PARAM_CHUNK_SIZE, options->chunk_size) != EMZ_OK) {
        cli_usage_error("compress", "compress: invalid chunk size '%s' (must be a power of two "
                        "from 4K to 16M)", options->chunk_size_text);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_run_compress(const cli_options *options)
{
    emz_cctx *cctx = NULL;
    int status = create_cctx(options, &cctx);
    if (status != CLI_EXIT_OK) {
        emz_cctx_free(cctx);
        return status;
    }
    transform_run run;
    status = start_transform(&run, options, true);
    size_t frame_size = 0;
    double elapsed_ms = 0;
    if (status == CLI_EXIT_OK) {
        size_t capacity = emz_compress_bound(run.input.size); /* 0: would overflow */
        run.result = capacity > 0 ? malloc(capacity) : NULL;
        if (run.result == NULL) {
            cli_error(run.input.display_name, "cannot allocate %zu bytes for the output",
                      capacity);
            status = CLI_EXIT_FAILURE;
        } else {
            double start_ms = monotonic_ms();
            emz_status result = emz_compress(cctx, run.result, capacity, run.input.data,
                                             run.input.size, options->type, &frame_size);
            elapsed_ms = monotonic_ms() - start_ms;
            if (result != EMZ_OK) {
                cli_error_status(run.input.display_name, result);
                status = CLI_EXIT_FAILURE;
            }
        }
    }
    uint64_t original_size = run.input.size;
    const char *name = run.input.display_name;
    status = finish_transform(&run, status, frame_size);
    if (status == CLI_EXIT_OK && !options->quiet)
        print_summary(name, original_size, frame_size, elapsed_ms, true);
    emz_cctx_free(cctx);
    return status;
}

/* Decodes a whole frame into a new buffer (*data, freed by the caller). Prints one error line
 * naming input on failure. */
static bool decode_frame(const cli_input *input, emz_dctx *dctx, unsigned char **data,
                         size_t *size, double *elapsed_ms)
{
    *data = NULL;
    emz_frame_info info;
    emz_status result = emz_frame_info_get(input->data, input->size, &info);
    if (result != EMZ_OK) {
        cli_error_status(input->display_name, result);
        return false;
    }
    if (info.original_size > SIZE_MAX) {
        cli_error(input->display_name, "original size of %" PRIu64 " bytes is too large for "
                  "this machine", info.original_size);
        return false;
    }
    size_t capacity = (size_t)info.original_size;
    *data = malloc(capacity > 0 ? capacity : 1);
    if (*data == NULL) {
        cli_error(input->display_name, "cannot allocate %zu bytes for the original data",
                  capacity);
        return false;
    }
    double start_ms = monotonic_ms();
    result = emz_decompress(dctx, *data, capacity, input->data, input->size, size);
    *elapsed_ms = monotonic_ms() - start_ms;
    if (result != EMZ_OK) {
        cli_error_status(input->display_name, result);
        return false;
    }
    return true;
}

static emz_dctx *create_dctx(bool verify_checksum, int64_t threads)
{
    emz_dctx *dctx = emz_dctx_create();
    if (dctx == NULL) {
        cli_error_status(NULL, EMZ_ERROR_NO_MEMORY);
        return NULL;
    }
    if (emz_dctx_set_param(dctx, EMZ_PARAM_THREADS, threads) != EMZ_OK) {
        cli_error_status(NULL, EMZ_ERROR_INVALID_ARGUMENT);
        emz_dctx_free(dctx);
        return NULL;
    }
    if (!verify_checksum &&
        emz_dctx_set_param(dctx, EMZ_PARAM_VERIFY_CHECKSUM, 0) != EMZ_OK) {
        cli_error(NULL, "the library refused to disable checksum verification");
        emz_dctx_free(dctx);
        return NULL;
    }
    return dctx;
}

int cli_run_decompress(const cli_options *options)
{
    emz_dctx *dctx = create_dctx(options->verify_checksum, options->threads);
    if (dctx == NULL)
        return CLI_EXIT_FAILURE;
    transform_run run;
    int status = start_transform(&run, options, false);
    size_t original_size = 0;
    double elapsed_ms = 0;
    if (status == CLI_EXIT_OK &&
        !decode_frame(&run.input, dctx, &run.result, &original_size, &elapsed_ms))
        status = CLI_EXIT_FAILURE;
    uint64_t frame_size = run.input.size;
    const char *name = run.input.display_name;
    status = finish_transform(&run, status, original_size);
    if (status == CLI_EXIT_OK && !options->quiet)
        print_summary(name, frame_size, original_size, elapsed_ms, false);
    emz_dctx_free(dctx);
    return status;
}

/* Opens and reads a compressed input for info and test, which write no file. */
static bool load_frame_input(const char *path, cli_input *input)
{
    return cli_input_open(path, input) && cli_input_read(input);
}

int cli_run_info(const cli_options *options)
{
    if (options->show_impl) {
        cli_print_impl(stdout);
        if (!options->input_path) return CLI_EXIT_OK;
    }
    cli_input input;
    if (!load_frame_input(options->input_path, &input)) {
        cli_input_release(&input);
        return CLI_EXIT_FAILURE;
    }
    emz_frame_info info;
    emz_status result = emz_frame_info_get(input.data, input.size, &info);
    if (result != EMZ_OK) {
        cli_error_status(input.display_name, result);
        cli_input_release(&input);
        return CLI_EXIT_FAILURE;
    }
    const char *type_name = emz_type_name(info.type);
    printf("file:             %s\n", input.display_name);
    printf("type:             %s\n", type_name != NULL ? type_name : "unknown");
    printf("elements:         %" PRIu64 "\n", info.element_count);
    printf("original size:    %" PRIu64 " bytes\n", info.original_size);
    printf("compressed size:  %zu bytes\n", input.size);
    if (info.original_size > 0)
        printf("ratio:            %.2f%%\n",
               100.0 * (double)input.size / (double)info.original_size);
    else
        printf("ratio:            -\n");
    printf("chunk size:       %" PRIu64 " bytes\n", info.chunk_size);
    printf("chunks:           %" PRIu64 "\n", info.chunk_count);
    printf("format version:   %u\n", info.format_version);
    cli_input_release(&input);
    return CLI_EXIT_OK;
}

/* Verifies a frame by decoding it window by window (16 MiB of whole chunks) into one reused
 * buffer: the memory for the original data stays at the window whatever the file size.
 * Windows are whole chunks, so every chunk's checksum is checked. */
static bool test_frame(const cli_input *input, emz_dctx *dctx)
{
    enum { WINDOW = 16 << 20 };
    emz_frame_info info;
    emz_status result = emz_frame_info_get(input->data, input->size, &info);
    if (result != EMZ_OK) {
        cli_error_status(input->display_name, result);
        return false;
    }
    uint64_t window = info.chunk_size >= WINDOW ? info.chunk_size
                                                : WINDOW / info.chunk_size * info.chunk_size;
    if (window > info.original_size) window = info.original_size;
    unsigned char *buffer = malloc(window > 0 ? (size_t)window : 1);
    if (buffer == NULL) {
        cli_error(input->display_name, "cannot allocate %" PRIu64 " bytes", window);
        return false;
    }
    result = EMZ_OK;
    for (uint64_t at = 0; result == EMZ_OK && at < info.original_size; at += window) {
        uint64_t length = info.original_size - at < window ? info.original_size - at : window;
        result = emz_decompress_range(dctx, buffer, (size_t)window, input->data, input->size,
                                      at, length);
    }
    /* an empty frame's header and index are still checked */
    if (result == EMZ_OK && info.original_size == 0) {
        size_t size;
        result = emz_decompress(dctx, buffer, 0, input->data, input->size, &size);
    }
    free(buffer);
    if (result != EMZ_OK) cli_error_status(input->display_name, result);
    return result == EMZ_OK;
}

int cli_run_test(const cli_options *options)
{
    emz_dctx *dctx = create_dctx(true, options->threads);
    if (dctx == NULL)
        return CLI_EXIT_FAILURE;
    cli_input input;
    bool intact = load_frame_input(options->input_path, &input) && test_frame(&input, dctx);
    if (intact && !options->quiet)
        printf("%s: OK\n", input.display_name);
    cli_input_release(&input);
    emz_dctx_free(dctx);
    return intact ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
