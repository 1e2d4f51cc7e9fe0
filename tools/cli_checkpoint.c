/* cli_checkpoint.c - emzip list and emzip extract: the tensors of a compressed checkpoint.
 *
 * Both work from the container's directory and stored safetensors header, which
 * emz_reader_open reads; list decodes nothing else, and extract decodes only the chunks of the
 * one tensor it is asked for (emz_reader_read_tensor), a piece at a time, so memory stays at
 * one piece whatever the tensor's size.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_base.h"
#include "cli_commands.h"
#include "cli_contexts.h"
#include "cli_diag.h"
#include "cli_escape.h"
#include "cli_json.h"
#include "cli_output.h"
#include "cli_progress.h"
#include "cli_reader.h"
#include "cli_report.h"
#include "cli_units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of a tensor decoded per emz_reader_read_tensor call: enough chunks to keep every
 * thread busy, little enough to bound memory. */
enum { EXTRACT_PIECE = 64 << 20 };

/* A name as shown in the table, padded to pad_to columns. */
static void print_shown(const char *name, size_t pad_to) {
    for (size_t columns = cli_put_escaped(stdout, name); columns < pad_to; columns++)
        putchar(' ');
}

/* Small tensors have no frame of their own: the library stores them in the bytes frame
 * around them (with the header or a neighbour), and reports no stored size for them. */
static bool shares_frame(const emz_tensor_info *tensor) {
    return tensor->stored_size == 0 && tensor->size > 0 && tensor->base_kind != 2;
}

static size_t digits(uint64_t value) {
    size_t count = 1;
    while (value >= 10) {
        value /= 10;
        count++;
    }
    return count;
}

/* Opens a compressed checkpoint, with its base (--base) when it is a delta; a bare frame has
 * no tensors and is refused, and so is a delta whose tensor list is its base's, without it. */
static bool open_checkpoint(cli_reader *reader, cli_base *base, const cli_options *options,
                            emz_dctx *dctx, const char *command, bool terminal_ok) {
    if (!cli_reader_begin(reader, options->input_path, terminal_ok) ||
        !cli_reader_open(reader, dctx) || !cli_reader_use_base(options, reader, base))
        return false;
    if (reader->info.tensors_need_base) {
        cli_error(reader->input.display_name,
                  "a delta whose safetensors header is its base's: give --base BASE to %s its "
                  "tensors",
                  command);
        return false;
    }
    if (!reader->info.is_safetensors) {
        const char *type = emz_type_name(reader->info.type);
        cli_error(reader->input.display_name,
                  "a single frame of %s data, not a compressed "
                  "safetensors checkpoint: it has no tensors to %s (see 'emzip info')",
                  type != NULL ? type : "unknown", command);
        return false;
    }
    return true;
}

/* The total line. Its ratio is over the tensors stored in frames of their own (framed bytes),
 * since those in shared frames have no stored size to count. */
typedef struct list_totals {
    uint64_t size, stored, framed;
} list_totals;

typedef struct list_widths {
    size_t name, dtype, shape, size, stored;
} list_widths;

enum { SHAPE_TEXT = 16 * 22 + 4 }; /* up to 16 dimensions of 20 digits and ", " */

static list_widths measure(const cli_reader *reader, const list_totals *totals,
                           const char *total_label) {
    list_widths w = {strlen("NAME"), strlen("DTYPE"), strlen("SHAPE"), strlen("SIZE"),
                     strlen("STORED")};
    if (strlen(total_label) > w.name) w.name = strlen(total_label);
    if (digits(totals->size) > w.size) w.size = digits(totals->size);
    if (digits(totals->stored) > w.stored) w.stored = digits(totals->stored);
    for (uint64_t i = 0; i < reader->info.tensor_count; i++) {
        emz_tensor_info t;
        char shape[SHAPE_TEXT];
        if (emz_reader_tensor(reader->reader, i, &t) != EMZ_OK) continue;
        cli_format_shape(shape, sizeof shape, t.dims, t.shape);
        if (cli_escaped_width(t.name) > w.name) w.name = cli_escaped_width(t.name);
        if (strlen(t.dtype) > w.dtype) w.dtype = strlen(t.dtype);
        if (strlen(shape) > w.shape) w.shape = strlen(shape);
    }
    return w;
}

/* How a delta's tensor uses the base (emz_tensor_info.base_kind), as list shows it. */
static const char *base_kind_name(int kind) {
    return kind == 1 ? "delta" : kind == 2 ? "unchanged" : "alone";
}

static void print_list_text(const cli_reader *reader, const list_totals *totals) {
    char total_label[48], ratio[32], shape[SHAPE_TEXT];
    snprintf(total_label, sizeof total_label, "total (%" PRIu64 " tensor%s)",
             reader->info.tensor_count, reader->info.tensor_count == 1 ? "" : "s");
    list_widths w = measure(reader, totals, total_label);
    int name = (int)w.name, dtype = (int)w.dtype, shape_w = (int)w.shape;
    int size = (int)w.size, stored = (int)w.stored;
    bool delta = reader->info.is_delta;
    printf("%-*s  %-*s  %-*s  %*s  %*s  %7s%s\n", name, "NAME", dtype, "DTYPE", shape_w, "SHAPE",
           size, "SIZE", stored, "STORED", "RATIO", delta ? "  BASE" : "");
    for (uint64_t i = 0; i < reader->info.tensor_count; i++) {
        emz_tensor_info t;
        if (emz_reader_tensor(reader->reader, i, &t) != EMZ_OK) continue;
        cli_format_shape(shape, sizeof shape, t.dims, t.shape);
        print_shown(t.name, w.name);
        printf("  %-*s  %-*s  %*" PRIu64 "  ", dtype, t.dtype, shape_w, shape, size, t.size);
        if (shares_frame(&t)) {
            printf("%*s  %7s", stored, "-", "-");
        } else {
            cli_format_ratio(ratio, sizeof ratio, t.stored_size, t.size);
            printf("%*" PRIu64 "  %7s", stored, t.stored_size, ratio);
        }
        printf("%s%s\n", delta ? "  " : "", delta ? base_kind_name(t.base_kind) : "");
    }
    cli_format_ratio(ratio, sizeof ratio, totals->stored, totals->framed);
    printf("%-*s  %-*s  %-*s  %*" PRIu64 "  %*" PRIu64 "  %7s\n", name, total_label, dtype, "",
           shape_w, "", size, totals->size, stored, totals->stored, ratio);
}

static void print_list_json(const cli_reader *reader, const list_totals *totals) {
    cli_json json;
    cli_json_begin_document(&json, stdout);
    cli_json_key_string(&json, "command", "list");
    cli_json_key_string(&json, "input", reader->input.display_name);
    cli_json_key(&json, "tensors");
    cli_json_begin_array(&json);
    for (uint64_t i = 0; i < reader->info.tensor_count; i++) {
        emz_tensor_info t;
        if (emz_reader_tensor(reader->reader, i, &t) != EMZ_OK) continue;
        cli_json_begin_object(&json);
        cli_json_key_string(&json, "name", t.name);
        cli_json_key_string(&json, "dtype", t.dtype);
        cli_json_key(&json, "shape");
        cli_json_begin_array(&json);
        for (unsigned d = 0; d < t.dims; d++)
            cli_json_u64(&json, t.shape[d]);
        cli_json_end_array(&json);
        cli_json_key_u64(&json, "offset", t.offset);
        cli_json_key_u64(&json, "size", t.size);
        /* 0 and null for a tensor stored in a shared frame (shares_frame) */
        cli_json_key_u64(&json, "stored_size", t.stored_size);
        cli_json_key_ratio(&json, "ratio", t.stored_size, shares_frame(&t) ? 0 : t.size);
        if (reader->info.is_delta) {
            char digest[17];
            snprintf(digest, sizeof digest, "%016" PRIx64, t.base_digest);
            cli_json_key_string(&json, "base", base_kind_name(t.base_kind));
            if (t.base_kind != 0) cli_json_key_string(&json, "base_digest", digest);
        }
        cli_json_end_object(&json);
    }
    cli_json_end_array(&json);
    cli_json_key(&json, "total");
    cli_json_begin_object(&json);
    cli_json_key_u64(&json, "tensors", reader->info.tensor_count);
    cli_json_key_u64(&json, "size", totals->size);
    cli_json_key_u64(&json, "stored_size", totals->stored);
    cli_json_key_ratio(&json, "ratio", totals->stored, totals->framed);
    cli_json_end_object(&json);
    cli_json_end_object(&json);
    cli_json_end_line(&json);
}

static list_totals sum_tensors(const cli_reader *reader) {
    list_totals totals = {0, 0, 0};
    for (uint64_t i = 0; i < reader->info.tensor_count; i++) {
        emz_tensor_info t;
        if (emz_reader_tensor(reader->reader, i, &t) == EMZ_OK) {
            totals.size += t.size;
            totals.stored += t.stored_size;
            totals.framed += shares_frame(&t) ? 0 : t.size;
        }
    }
    return totals;
}

static int list(const cli_options *options, emz_dctx *dctx) {
    cli_reader reader;
    cli_base base = {.input.fd = -1};
    int status = CLI_EXIT_FAILURE;
    if (open_checkpoint(&reader, &base, options, dctx, "list", false)) {
        list_totals totals = sum_tensors(&reader);
        if (options->json)
            print_list_json(&reader, &totals);
        else
            print_list_text(&reader, &totals);
        status = CLI_EXIT_OK;
    }
    cli_reader_close(&reader);
    cli_base_close(&base);
    return status;
}

int cli_run_list(const cli_options *options) {
    return cli_run_with_dctx(options, true, list);
}

/* Finds the tensor by name; an unknown name says how to see the names. */
static bool find_tensor(const cli_reader *reader, const char *name, emz_tensor_info *tensor,
                        uint64_t *index) {
    if (emz_reader_find_tensor(reader->reader, name, index) != EMZ_OK ||
        emz_reader_tensor(reader->reader, *index, tensor) != EMZ_OK) {
        cli_error(reader->input.display_name,
                  "no tensor named \"%s\" (run 'emzip list %s' to "
                  "see the names)",
                  name, reader->input.display_name);
        return false;
    }
    return true;
}

/* Decodes the tensor a piece at a time into output. */
static bool copy_tensor(const cli_options *options, cli_reader *reader, emz_dctx *dctx,
                        uint64_t index, const emz_tensor_info *tensor, cli_output *output) {
    size_t piece = tensor->size < EXTRACT_PIECE ? (size_t)tensor->size : EXTRACT_PIECE;
    unsigned char *buffer = malloc(piece > 0 ? piece : 1);
    if (buffer == NULL) {
        cli_error_errno(reader->input.display_name, ENOMEM);
        return false;
    }
    cli_progress progress;
    cli_progress_start(&progress, reader->input.display_name, tensor->size, options->quiet);
    bool ok = true;
    for (uint64_t at = 0; ok && at < tensor->size; at += piece) {
        size_t length = tensor->size - at < piece ? (size_t)(tensor->size - at) : piece;
        emz_status status =
            emz_reader_read_tensor(reader->reader, dctx, index, buffer, piece, at, length);
        if (status != EMZ_OK) {
            cli_io_report_failure(reader->input.display_name, status, emz_dctx_error_detail(dctx),
                                  &reader->source, NULL);
            ok = false;
        } else {
            ok = cli_output_write(output, buffer, length);
            cli_progress_update(&progress, at + length, tensor->size);
        }
    }
    cli_progress_end(&progress);
    free(buffer);
    return ok;
}

static int extract(const cli_options *options, emz_dctx *dctx) {
    cli_reader reader;
    cli_base base = {.input.fd = -1};
    cli_output output = {.fd = -1};
    bool output_opened = false;
    int status = CLI_EXIT_FAILURE;
    emz_tensor_info tensor;
    uint64_t index = 0;
    double start_ms = cli_monotonic_ms();
    if (!open_checkpoint(&reader, &base, options, dctx, "extract", options->force) ||
        !find_tensor(&reader, options->tensor_name, &tensor, &index))
        goto done;
    const char *output_path = options->output_path != NULL ? options->output_path : "-";
    if (!cli_output_open(&output, output_path, options->force, &reader.input)) goto done;
    output_opened = true;
    output.durable = !options->no_fsync;
    /* Private data stays private; the times are the extraction's: the file is new, not a
     * restored one. */
    cli_output_keep_metadata(&output, &reader.input, false);
    if (!copy_tensor(options, &reader, dctx, index, &tensor, &output) ||
        !cli_output_commit(&output))
        goto done;
    status = CLI_EXIT_OK;
    if (options->summary) {
        double elapsed_ms = cli_monotonic_ms() - start_ms;
        size_t length = strlen(reader.input.display_name) + strlen(tensor.name) + 16;
        char *subject = malloc(length);
        if (subject != NULL) {
            snprintf(subject, length, "%s: tensor \"%s\"", reader.input.display_name, tensor.name);
            cli_print_summary(subject, tensor.stored_size, tensor.size, tensor.size, elapsed_ms,
                              false);
            free(subject);
        }
    }

done:
    if (output_opened) cli_output_abort(&output);
    cli_reader_close(&reader);
    cli_base_close(&base);
    return status;
}

int cli_run_extract(const cli_options *options) {
    return cli_run_with_dctx(options, true, extract);
}
