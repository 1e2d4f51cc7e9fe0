/* cli_compress.c - emzip compress: safetensors checkpoints into containers, raw data (-t)
 * into frames, a directory's checkpoint files; each input to its own output (cli_batch.h).
 *
 * Data streams from the input (pread, cli_io.h) through the library to the output a few
 * chunks per thread at a time, so memory does not grow with the file. Raw data (-t) from a
 * pipe is read once, in order (emz_compress_sequential), so it is never held whole either; a
 * checkpoint from a pipe is (its header decides how the rest is read). Refusals come before
 * work: the input is opened and recognized, then the output opened (where every overwrite
 * refusal happens), and only then is anything compressed. A malformed safetensors header makes
 * the library fail before it writes a byte, and the temporary output is removed: nothing is
 * left behind.
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
#include "cli_report.h"
#include "cli_units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes emz_is_safetensors looks at: the header length and the first byte of the JSON. */
enum { SNIFF_SIZE = 16 };

/* What to do with one input. */
typedef struct compress_job {
    const char *input_path;
    const char *output_path; /* "-": stdout */
    bool raw;                /* one frame of `type`; else a safetensors checkpoint */
    emz_type type;
    bool single; /* named on the command line, not found in a directory: the error may
                    suggest -t */
    bool pulled; /* raw from an input that cannot be read at offsets: read once, in order */
} compress_job;

/* Whether the input starts like a safetensors file. A seekable input is asked for its first
 * bytes; a loaded one is all in memory. */
static bool looks_like_safetensors(const cli_input *input) {
    unsigned char start[SNIFF_SIZE] = {0};
    uint64_t size = cli_input_size(input);
    size_t have = size < SNIFF_SIZE ? (size_t)size : SNIFF_SIZE;
    if (!cli_input_read_at(input, start, have, 0))
        return false; /* unreadable: the compression itself reports the error */
    return emz_is_safetensors(start, have, size) != 0;
}

static bool ends_with(const char *text, const char *suffix) {
    size_t length = strlen(text), suffix_length = strlen(suffix);
    return length >= suffix_length && strcmp(text + length - suffix_length, suffix) == 0;
}

/* Refuses an input that is not safetensors. A file *named* .safetensors is passed on even so:
 * the library then says what is wrong with its header (e.g. a length beyond the file), which
 * helps more than "not a safetensors file". */
static bool refuse_non_safetensors(const compress_job *job, const cli_input *input) {
    if (looks_like_safetensors(input) || ends_with(job->input_path, ".safetensors")) return false;
    if (job->single)
        cli_error(input->display_name, "not a safetensors file; give -t TYPE to compress raw "
                                       "tensor data");
    else
        cli_error(input->display_name, "not a safetensors file (no valid header)");
    return true;
}

static void print_json(const compress_job *job, const char *input_name, const char *output_name,
                       uint64_t original, uint64_t compressed, double elapsed_ms,
                       const emz_delta_summary *delta) {
    cli_json json;
    cli_json_begin_document(&json, stdout);
    cli_json_key_string(&json, "command", "compress");
    cli_json_key_string(&json, "input", input_name);
    cli_json_key_string(&json, "output", output_name);
    cli_json_key_string(&json, "kind", job->raw ? "frame" : "safetensors");
    if (job->raw) cli_json_key_string(&json, "type", emz_type_name(job->type));
    cli_json_key_u64(&json, "original_size", original);
    cli_json_key_u64(&json, "compressed_size", compressed);
    cli_json_key_ratio(&json, "ratio", compressed, original);
    cli_json_key_number(&json, "ms", elapsed_ms, 3);
    cli_json_key_number(&json, "mb_per_s", cli_mb_per_s(original, elapsed_ms), 1);
    if (delta != NULL) {
        cli_json_key(&json, "delta");
        cli_json_begin_object(&json);
        cli_json_key_u64(&json, "tensors", delta->tensors);
        cli_json_key_u64(&json, "delta", delta->diff);
        cli_json_key_u64(&json, "unchanged", delta->same);
        cli_json_key_u64(&json, "alone", delta->alone);
        cli_json_end_object(&json);
    }
    cli_json_end_object(&json);
    cli_json_end_line(&json);
}

/* Runs the library over an open input and output. Returns the library's status; *written
 * receives the compressed size. */
static emz_status run_codec(const cli_options *options, const compress_job *job, emz_cctx *cctx,
                            cli_source *source, const cli_base *base, cli_sink *sink,
                            uint64_t *written, emz_delta_summary *delta, double *elapsed_ms) {
    cli_progress progress;
    cli_progress_start(&progress, source->input->display_name, source->source.size, options->quiet);
    emz_cctx_set_progress(cctx, cli_progress_update, &progress);
    double start_ms = cli_monotonic_ms();
    emz_status status =
        job->pulled ? emz_compress_sequential(cctx, cli_source_pull, source, job->type, &sink->sink,
                                              written)
        : job->raw  ? emz_compress_stream(cctx, &source->source, job->type, &sink->sink, written)
        : base->open ? emz_compress_safetensors_delta(cctx, &source->source, &base->src,
                                                      &sink->sink, written, delta)
                     : emz_compress_safetensors(cctx, &source->source, &sink->sink, written);
    if (status == EMZ_OK && !cli_sink_flush(sink)) status = EMZ_ERROR_IO;
    *elapsed_ms = cli_monotonic_ms() - start_ms;
    cli_progress_end(&progress);
    emz_cctx_set_progress(cctx, NULL, NULL);
    return status;
}

/* Prints the summary or the JSON line of a compressed file. */
static void report(const cli_options *options, const compress_job *job, const cli_input *input,
                   const cli_output *output, uint64_t original, uint64_t written, double elapsed_ms,
                   const emz_delta_summary *delta) {
    if (options->json)
        print_json(job, input->display_name, output->display_name, original, written, elapsed_ms,
                   delta);
    else if (options->summary)
        cli_print_summary(input->display_name, original, written, original, elapsed_ms, true);
    if (delta != NULL && !options->json && !options->quiet)
        fprintf(stderr,
                "%s: against the base: %" PRIu64 " of %" PRIu64 " tensors (%" PRIu64
                " unchanged); %" PRIu64 " stored alone (no tensor of the same name, dtype and "
                "shape in the base)\n",
                input->display_name, delta->diff + delta->same, delta->tensors, delta->same,
                delta->alone);
}

static int compress_one(const cli_options *options, emz_cctx *cctx, compress_job *job,
                        cli_totals *totals) {
    cli_input input;
    cli_output output = {.fd = -1};
    cli_sink sink = {0};
    cli_base base = {.input.fd = -1};
    bool output_opened = false;
    int status = CLI_EXIT_FAILURE;

    if (!cli_input_open(job->input_path, &input, options->force)) goto done;
    if (!job->raw && input.seekable && refuse_non_safetensors(job, &input)) goto done;
    if (!cli_output_open(&output, job->output_path, options->force, &input)) goto done;
    output_opened = true;
    cli_output_keep_metadata(&output, &input, true);
    output.durable = !options->no_fsync;
    job->pulled = job->raw && !input.seekable;
    if (!job->pulled && !cli_input_load(&input)) goto done;
    if (!job->raw && !input.seekable && refuse_non_safetensors(job, &input)) goto done;
    if (!cli_sink_init(&sink, &output)) goto done;

    if (options->base_path != NULL && !job->raw &&
        !cli_base_open(&base, options->base_path, job->input_path))
        goto done;
    cli_source source;
    cli_source_init(&source, &input);
    uint64_t written = 0;
    double elapsed_ms = 0;
    emz_delta_summary delta = {0};
    emz_status result =
        run_codec(options, job, cctx, &source, &base, &sink, &written, &delta, &elapsed_ms);
    if (result != EMZ_OK) {
        cli_io_report_failure(input.display_name, result, emz_cctx_error_detail(cctx), &source,
                              &sink);
        goto done;
    }
    if (!cli_output_commit(&output)) goto done;
    uint64_t original = job->pulled ? source.pulled : source.source.size;
    cli_totals_add(totals, original, written, original, elapsed_ms);
    report(options, job, &input, &output, original, written, elapsed_ms, base.open ? &delta : NULL);
    bool removed =
        !options->remove_input || !output.is_file || cli_input_remove(&input, job->input_path);
    status = removed ? CLI_EXIT_OK : CLI_EXIT_FAILURE;

done:
    if (output_opened) cli_output_abort(&output); /* no-op after a successful commit */
    cli_sink_release(&sink);
    cli_input_release(&input);
    cli_base_close(&base);
    return status;
}

/* One file: named on the command line (raw with -t), or a shard or shard map of a directory
 * (the map stored as bytes). */
static int compress_item(const cli_options *options, void *context, const cli_batch_item *item,
                         cli_totals *totals) {
    compress_job job = {item->input_path,
                        item->output_path,
                        options->type_given || item->is_index_json,
                        item->is_index_json ? EMZ_TYPE_BYTES : options->type,
                        !item->from_directory,
                        false};
    return compress_one(options, context, &job, totals);
}

/* -t types one raw file: a directory's files are typed from their headers; --base is for
 * checkpoints only. */
static bool check_type(const cli_options *options) {
    if (!options->type_given) return true;
    if (options->base_path != NULL) {
        cli_usage_error("compress", "compress: --base stores a safetensors checkpoint against its "
                                    "base; it does not apply to raw data (-t)");
        return false;
    }
    for (int i = 0; i < options->input_count; i++) {
        if (!cli_is_directory(options->inputs[i])) continue;
        cli_usage_error("compress",
                        "compress: %s is a directory: its *.safetensors files are "
                        "typed from their headers, -t applies to raw files",
                        options->inputs[i]);
        return false;
    }
    return true;
}

int cli_run_compress(const cli_options *options) {
    if (!check_type(options) || !cli_batch_check(options)) return CLI_EXIT_USAGE;
    emz_cctx *cctx = NULL;
    int status = cli_create_cctx(options, &cctx);
    if (status != CLI_EXIT_OK) return status;
    status = cli_batch_run(options, compress_item, cctx, true);
    emz_cctx_free(cctx);
    return status;
}
