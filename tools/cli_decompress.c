/* cli_decompress.c - emzip decompress and emzip test: whole compressed files (bare frames or
 * containers), and every *.emz of a directory, each decoded in order through
 * emz_reader_decompress (each input to its own output, cli_batch.h).
 *
 * The library decodes a few chunks per thread at a time and hands them to the sink in file
 * order, so memory stays bounded whatever the file size; test passes no sink and only
 * verifies. Error lines carry the library's detail, which names the tensor a corrupt chunk
 * belongs to.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_base.h"
#include "cli_batch.h"
#include "cli_commands.h"
#include "cli_contexts.h"
#include "cli_diag.h"
#include "cli_io.h"
#include "cli_json.h"
#include "cli_progress.h"
#include "cli_reader.h"
#include "cli_report.h"
#include "cli_units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes the whole file to sink (NULL: verify only) with a progress line. */
static emz_status decode_all(const cli_options *options, cli_reader *reader, emz_dctx *dctx,
                             cli_sink *sink, uint64_t *written) {
    cli_progress progress;
    cli_progress_start(&progress, reader->input.display_name, reader->info.original_size,
                       options->quiet);
    emz_dctx_set_progress(dctx, cli_progress_update, &progress);
    emz_status status =
        emz_reader_decompress(reader->reader, dctx, sink != NULL ? &sink->sink : NULL, written);
    if (status == EMZ_OK && sink != NULL && !cli_sink_flush(sink)) status = EMZ_ERROR_IO;
    cli_progress_end(&progress);
    emz_dctx_set_progress(dctx, NULL, NULL);
    return status;
}

static void print_json(const char *command, const cli_reader *reader, const char *output_name,
                       double elapsed_ms) {
    cli_json json;
    cli_json_begin_document(&json, stdout);
    cli_json_key_string(&json, "command", command);
    cli_json_key_string(&json, "input", reader->input.display_name);
    if (output_name != NULL)
        cli_json_key_string(&json, "output", output_name);
    else
        cli_json_key_bool(&json, "ok", true);
    cli_json_key_string(&json, "kind", reader->info.is_container ? "safetensors" : "frame");
    cli_json_key_u64(&json, "original_size", reader->info.original_size);
    cli_json_key_u64(&json, "compressed_size", reader->info.compressed_size);
    cli_json_key_number(&json, "ms", elapsed_ms, 3);
    cli_json_key_number(&json, "mb_per_s", cli_mb_per_s(reader->info.original_size, elapsed_ms), 1);
    cli_json_end_object(&json);
    cli_json_end_line(&json);
}

static int decompress_one(const cli_options *options, emz_dctx *dctx, const char *input_path,
                          const char *output_path, cli_totals *totals) {
    cli_reader reader;
    cli_output output = {.fd = -1};
    cli_sink sink = {0};
    cli_base base = {.input.fd = -1};
    bool output_opened = false;
    int status = CLI_EXIT_FAILURE;

    double start_ms = cli_monotonic_ms();
    if (!cli_reader_begin(&reader, input_path, options->force)) goto done;
    if (!cli_output_open(&output, output_path, options->force, &reader.input)) goto done;
    output_opened = true;
    cli_output_keep_metadata(&output, &reader.input, true);
    output.durable = !options->no_fsync;
    if (!cli_reader_open(&reader, dctx) || !cli_sink_init(&sink, &output)) goto done;
    if (!cli_reader_use_base(options, &reader, &base)) goto done;

    uint64_t written = 0;
    emz_status result = decode_all(options, &reader, dctx, &sink, &written);
    if (result != EMZ_OK) {
        cli_io_report_failure(reader.input.display_name, result, emz_dctx_error_detail(dctx),
                              &reader.source, &sink);
        goto done;
    }
    if (!cli_output_commit(&output)) goto done;
    double elapsed_ms = cli_monotonic_ms() - start_ms;
    uint64_t compressed = reader.info.compressed_size;
    cli_totals_add(totals, compressed, written, written, elapsed_ms);
    if (options->json)
        print_json("decompress", &reader, output.display_name, elapsed_ms);
    else if (options->summary)
        cli_print_summary(reader.input.display_name, compressed, written, written, elapsed_ms,
                          false);
    bool removed =
        !options->remove_input || !output.is_file || cli_input_remove(&reader.input, input_path);
    status = removed ? CLI_EXIT_OK : CLI_EXIT_FAILURE;

done:
    if (output_opened) cli_output_abort(&output);
    cli_sink_release(&sink);
    cli_reader_close(&reader);
    cli_base_close(&base);
    return status;
}

static void print_test_failure_json(const cli_reader *reader, emz_status status,
                                    const char *detail) {
    cli_json json;
    cli_json_begin_document(&json, stdout);
    cli_json_key_string(&json, "command", "test");
    cli_json_key_string(&json, "input", reader->input.display_name);
    cli_json_key_bool(&json, "ok", false);
    cli_json_key_string(&json, "error", emz_error_name(status));
    cli_json_key_string(&json, "message", emz_error_message(status));
    cli_json_key_string(&json, "detail", detail != NULL ? detail : "");
    cli_json_end_object(&json);
    cli_json_end_line(&json);
}

static int test_one(const cli_options *options, emz_dctx *dctx, const char *path,
                    cli_totals *totals) {
    cli_reader reader;
    cli_base base = {.input.fd = -1};
    double start_ms = cli_monotonic_ms();
    bool opened = cli_reader_begin(&reader, path, false) && cli_reader_open(&reader, dctx);
    if (opened && !cli_reader_use_base(options, &reader, &base)) {
        cli_reader_close(&reader);
        cli_base_close(&base);
        return CLI_EXIT_FAILURE;
    }
    emz_status result = opened ? decode_all(options, &reader, dctx, NULL, NULL) : reader.status;
    if (opened && result != EMZ_OK)
        cli_io_report_failure(reader.input.display_name, result, emz_dctx_error_detail(dctx),
                              &reader.source, NULL);
    double elapsed_ms = cli_monotonic_ms() - start_ms;
    if (result == EMZ_OK) {
        cli_totals_add(totals, reader.info.compressed_size, reader.info.original_size,
                       reader.info.original_size, elapsed_ms);
        if (options->json)
            print_json("test", &reader, NULL, elapsed_ms);
        else if (!options->quiet)
            printf("%s: OK\n", reader.input.display_name);
    } else if (options->json) {
        print_test_failure_json(&reader, result, opened ? emz_dctx_error_detail(dctx) : "");
    }
    cli_reader_close(&reader);
    cli_base_close(&base);
    return result == EMZ_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

/* One file, alone or of a directory (context: the emz_dctx). */
static int decompress_item(const cli_options *options, void *context, const cli_batch_item *item,
                           cli_totals *totals) {
    return decompress_one(options, context, item->input_path, item->output_path, totals);
}

static int test_item(const cli_options *options, void *context, const cli_batch_item *item,
                     cli_totals *totals) {
    return test_one(options, context, item->input_path, totals);
}

static int decompress_input(const cli_options *options, emz_dctx *dctx) {
    return cli_batch_run(options, decompress_item, dctx, false);
}

static int test_input(const cli_options *options, emz_dctx *dctx) {
    return cli_batch_run(options, test_item, dctx, false);
}

int cli_run_decompress(const cli_options *options) {
    if (!cli_batch_check(options)) return CLI_EXIT_USAGE;
    return cli_run_with_dctx(options, options->verify_checksum, decompress_input);
}

int cli_run_test(const cli_options *options) {
    if (!cli_batch_check(options)) return CLI_EXIT_USAGE;
    return cli_run_with_dctx(options, true, test_input);
}
