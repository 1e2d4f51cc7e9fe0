/* cli_info.c - emzip info: what a compressed file holds, from its headers, directory and
 * chunk indexes (and a checkpoint's safetensors header); no chunk of data is decoded.
 *
 * A bare frame shows its frame header. A checkpoint container shows its totals and a breakdown
 * per dtype, plus one row for the rest of the file (the safetensors header, bytes outside
 * tensors, tensors too small for a frame of their own, which the library stores inside the
 * bytes frame next to them, and the container's own header, table set and directory), so
 * that the ORIGINAL and STORED columns add up to the file and each ratio is a true one. The
 * container's table set, when it has one, is named by its id with its size and tables. A table file
 * (emzip train's *.emzt) is described by cli_table_info.c.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_base.h"
#include "cli_commands.h"
#include "cli_contexts.h"
#include "cli_diag.h"
#include "cli_help.h"
#include "cli_json.h"
#include "cli_reader.h"
#include "cli_table_info.h"
#include "cli_units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One row of the per-dtype breakdown: all its tensors are counted, the bytes only of those
 * with frames of their own. */
typedef struct dtype_row {
    const char *dtype; /* owned by the reader */
    uint64_t tensors, original, stored;
} dtype_row;

/* Groups the tensors by dtype, in order of first appearance. NULL if memory ran out (error
 * printed). */
static dtype_row *group_by_dtype(const cli_reader *reader, size_t *count) {
    dtype_row *rows = malloc((size_t)(reader->info.tensor_count + 1) * sizeof *rows);
    *count = 0;
    if (rows == NULL) {
        cli_error_errno(reader->input.display_name, ENOMEM);
        return NULL;
    }
    for (uint64_t i = 0; i < reader->info.tensor_count; i++) {
        emz_tensor_info tensor;
        if (emz_reader_tensor(reader->reader, i, &tensor) != EMZ_OK) continue;
        size_t row = 0;
        while (row < *count && strcmp(rows[row].dtype, tensor.dtype) != 0)
            row++;
        if (row == *count) rows[(*count)++] = (dtype_row){tensor.dtype, 0, 0, 0};
        rows[row].tensors++;
        /* stored 0: in a shared bytes frame, counted in (other), or unchanged from a delta's base
         */
        if (tensor.stored_size > 0 || tensor.base_kind == 2) {
            rows[row].original += tensor.size;
            rows[row].stored += tensor.stored_size;
        }
    }
    return rows;
}

/* The row for everything that is not tensor data. */
static dtype_row rest_of_file(const emz_reader_info *info, const dtype_row *rows, size_t count) {
    dtype_row rest = {"(other)", 0, info->original_size, info->compressed_size};
    for (size_t i = 0; i < count; i++) {
        rest.original -= rows[i].original;
        rest.stored -= rows[i].stored;
    }
    return rest;
}

static void print_ratio_field(const char *label, uint64_t part, uint64_t whole) {
    char text[32];
    cli_format_ratio(text, sizeof text, part, whole);
    printf("%s%s\n", label, text);
}

static void print_frame_text(const cli_reader *reader, const emz_frame_info *frame) {
    const char *type_name = emz_type_name(frame->type);
    printf("file:             %s\n", reader->input.display_name);
    printf("kind:             frame\n");
    printf("type:             %s\n", type_name != NULL ? type_name : "unknown");
    printf("elements:         %" PRIu64 "\n", frame->element_count);
    printf("original size:    %" PRIu64 " bytes\n", frame->original_size);
    printf("compressed size:  %" PRIu64 " bytes\n", reader->info.compressed_size);
    print_ratio_field("ratio:            ", reader->info.compressed_size, frame->original_size);
    printf("chunk size:       %" PRIu64 " bytes\n", frame->chunk_size);
    printf("chunks:           %" PRIu64 "\n", frame->chunk_count);
    printf("format version:   %u\n", frame->format_version);
}

/* "12 tables (8-bit: 10, 4-bit: 2)": the set's tables by symbol width, widest first. */
static void format_tables(char *text, size_t size, const emz_reader_table_set_info *set) {
    int n =
        snprintf(text, size, "%u table%s (", set->table_count, set->table_count == 1 ? "" : "s");
    const char *sep = "";
    for (int w = 8; w >= 1 && n > 0 && (size_t)n < size; w--) {
        if (!set->tables_of_width[w]) continue;
        n += snprintf(text + n, size - (size_t)n, "%s%d-bit: %u", sep, w, set->tables_of_width[w]);
        sep = ", ";
    }
    if (n > 0 && (size_t)n < size) snprintf(text + n, size - (size_t)n, ")");
}

static void print_table_set_text(const emz_reader_table_set_info *set) {
    if (!set->present) {
        printf("table set:        none\n");
        return;
    }
    char tables[160];
    format_tables(tables, sizeof tables, set);
    printf("table set:        id %016" PRIx64 ", %" PRIu64 " bytes, %s\n", set->id, set->size,
           tables);
}

static void print_table_set_json(cli_json *json, const emz_reader_table_set_info *set) {
    cli_json_key(json, "table_set");
    if (!set->present) {
        cli_json_null(json);
        return;
    }
    char id[24];
    snprintf(id, sizeof id, "%016" PRIx64, set->id);
    cli_json_begin_object(json);
    cli_json_key_string(json, "id", id);
    cli_json_key_u64(json, "size", set->size);
    cli_json_key_u64(json, "tables", set->table_count);
    cli_json_key(json, "tables_by_width");
    cli_json_begin_object(json);
    for (int w = 8; w >= 1; w--) {
        if (!set->tables_of_width[w]) continue;
        char key[4];
        snprintf(key, sizeof key, "%d", w);
        cli_json_key_u64(json, key, set->tables_of_width[w]);
    }
    cli_json_end_object(json);
    cli_json_end_object(json);
}

static void print_row(const dtype_row *row, bool show_count) {
    char ratio[32], tensors[24] = "";
    cli_format_ratio(ratio, sizeof ratio, row->stored, row->original);
    if (show_count) snprintf(tensors, sizeof tensors, "%" PRIu64, row->tensors);
    printf("  %-10s %8s %16" PRIu64 " %16" PRIu64 " %8s\n", row->dtype, tensors, row->original,
           row->stored, ratio);
}

/* A delta's tensors by how they use the base: [0] alone, [1] coded against it, [2] unchanged. */
static void count_base_kinds(const cli_reader *reader, uint64_t kinds[3]) {
    kinds[0] = kinds[1] = kinds[2] = 0;
    for (uint64_t i = 0; i < reader->info.tensor_count; i++) {
        emz_tensor_info tensor;
        if (emz_reader_tensor(reader->reader, i, &tensor) == EMZ_OK && tensor.base_kind >= 0 &&
            tensor.base_kind <= 2)
            kinds[tensor.base_kind]++;
    }
}

static void print_container_text(const cli_reader *reader, const emz_reader_table_set_info *set,
                                 const dtype_row *rows, size_t count) {
    const emz_reader_info *info = &reader->info;
    printf("file:             %s\n", reader->input.display_name);
    printf("kind:             %s\n",
           info->is_safetensors ? "safetensors checkpoint (container)" : "container");
    printf("original size:    %" PRIu64 " bytes\n", info->original_size);
    printf("compressed size:  %" PRIu64 " bytes\n", info->compressed_size);
    print_ratio_field("ratio:            ", info->compressed_size, info->original_size);
    printf("segments:         %" PRIu64 "\n", info->segment_count);
    printf("chunks:           %" PRIu64 "\n", info->chunk_count);
    printf("tensors:          %" PRIu64 "\n", info->tensor_count);
    print_table_set_text(set);
    if (info->is_delta && info->tensors_need_base) {
        printf("delta:            against a base checkpoint whose safetensors header it shares: "
               "give --base to count its tensors\n");
    } else if (info->is_delta) {
        uint64_t kinds[3];
        count_base_kinds(reader, kinds);
        printf("delta:            against a base checkpoint (decode with --base): %" PRIu64
               " tensors as differences, %" PRIu64 " unchanged, %" PRIu64 " alone\n",
               kinds[1], kinds[2], kinds[0]);
    }
    printf("by dtype:\n");
    printf("  %-10s %8s %16s %16s %8s\n", "DTYPE", "TENSORS", "ORIGINAL", "STORED", "RATIO");
    for (size_t i = 0; i < count; i++)
        print_row(&rows[i], true);
    dtype_row rest = rest_of_file(info, rows, count);
    print_row(&rest, false);
}

static void print_impl_json(cli_json *json) {
    emz_impl running = emz_impl_default();
    cli_json_key_string(json, "implementation", emz_impl_name(running));
    cli_json_key(json, "available");
    cli_json_begin_array(json);
    for (int i = EMZ_IMPL_SCALAR; i < EMZ_IMPL_COUNT; i++)
        if (emz_impl_available((emz_impl)i)) cli_json_string(json, emz_impl_name((emz_impl)i));
    cli_json_end_array(json);
}

static void print_json(const cli_options *options, const cli_reader *reader,
                       const emz_frame_info *frame, const emz_reader_table_set_info *set,
                       const dtype_row *rows, size_t count) {
    cli_json json;
    cli_json_begin_document(&json, stdout);
    cli_json_key_string(&json, "command", "info");
    if (options->show_impl) print_impl_json(&json);
    if (reader == NULL) {
        cli_json_end_object(&json);
        cli_json_end_line(&json);
        return;
    }
    const emz_reader_info *info = &reader->info;
    cli_json_key_string(&json, "input", reader->input.display_name);
    cli_json_key_string(&json, "kind",
                        !info->is_container    ? "frame"
                        : info->is_safetensors ? "safetensors"
                                               : "container");
    if (frame != NULL) {
        cli_json_key_string(&json, "type", emz_type_name(frame->type));
        cli_json_key_u64(&json, "elements", frame->element_count);
        cli_json_key_u64(&json, "chunk_size", frame->chunk_size);
        cli_json_key_u64(&json, "format_version", frame->format_version);
    }
    cli_json_key_u64(&json, "original_size", info->original_size);
    cli_json_key_u64(&json, "compressed_size", info->compressed_size);
    cli_json_key_ratio(&json, "ratio", info->compressed_size, info->original_size);
    cli_json_key_u64(&json, "segments", info->segment_count);
    cli_json_key_u64(&json, "chunks", info->chunk_count);
    if (info->is_container) {
        cli_json_key_u64(&json, "tensors", info->tensor_count);
        print_table_set_json(&json, set);
        cli_json_key_bool(&json, "delta", info->is_delta != 0);
        if (info->is_delta) cli_json_key_bool(&json, "tensors_need_base", info->tensors_need_base);
        if (info->is_delta && !info->tensors_need_base) {
            uint64_t kinds[3];
            count_base_kinds(reader, kinds);
            cli_json_key(&json, "base_tensors");
            cli_json_begin_object(&json);
            cli_json_key_u64(&json, "delta", kinds[1]);
            cli_json_key_u64(&json, "unchanged", kinds[2]);
            cli_json_key_u64(&json, "alone", kinds[0]);
            cli_json_end_object(&json);
        }
        cli_json_key(&json, "dtypes");
        cli_json_begin_array(&json);
        for (size_t i = 0; i < count; i++) {
            cli_json_begin_object(&json);
            cli_json_key_string(&json, "dtype", rows[i].dtype);
            cli_json_key_u64(&json, "tensors", rows[i].tensors);
            cli_json_key_u64(&json, "original_size", rows[i].original);
            cli_json_key_u64(&json, "stored_size", rows[i].stored);
            cli_json_key_ratio(&json, "ratio", rows[i].stored, rows[i].original);
            cli_json_end_object(&json);
        }
        cli_json_end_array(&json);
        dtype_row rest = rest_of_file(info, rows, count);
        cli_json_key(&json, "other");
        cli_json_begin_object(&json);
        cli_json_key_u64(&json, "original_size", rest.original);
        cli_json_key_u64(&json, "stored_size", rest.stored);
        cli_json_end_object(&json);
    }
    cli_json_end_object(&json);
    cli_json_end_line(&json);
}

/* The description of options->input_path. */
static int describe(const cli_options *options, emz_dctx *dctx) {
    cli_reader reader;
    cli_base base = {.input.fd = -1};
    int status = CLI_EXIT_FAILURE;
    dtype_row *rows = NULL;
    size_t count = 0;
    emz_frame_info frame = {0};
    emz_reader_table_set_info set = {0};
    if (!cli_reader_begin(&reader, options->input_path, false) || !cli_input_load(&reader.input))
        goto done;
    if (cli_is_table_file(&reader.input)) {
        status = cli_describe_table_file(options, &reader.input);
        goto done;
    }
    if (!cli_reader_open(&reader, dctx) || !cli_reader_use_base(options, &reader, &base)) goto done;
    if (!reader.info.is_container) {
        if (!cli_reader_frame_info(&reader, &frame)) goto done;
    } else if ((rows = group_by_dtype(&reader, &count)) == NULL) {
        goto done;
    } else {
        emz_reader_table_set_get(reader.reader, &set); /* cannot fail on an open reader */
    }
    status = CLI_EXIT_OK;
    if (options->json)
        print_json(options, &reader, reader.info.is_container ? NULL : &frame, &set, rows, count);
    else if (reader.info.is_container)
        print_container_text(&reader, &set, rows, count);
    else
        print_frame_text(&reader, &frame);

done:
    free(rows);
    cli_reader_close(&reader);
    cli_base_close(&base);
    return status;
}

int cli_run_info(const cli_options *options) {
    if (options->input_path == NULL) { /* "emzip info --impl" */
        if (options->json)
            print_json(options, NULL, NULL, NULL, NULL, 0);
        else
            cli_print_impl(stdout);
        return CLI_EXIT_OK;
    }
    if (options->show_impl && !options->json) cli_print_impl(stdout);
    return cli_run_with_dctx(options, true, describe);
}
