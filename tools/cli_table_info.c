/* cli_table_info.c - describing a table file (see cli_table_info.h).
 *
 * Recognizing one needs no knowledge of the format here: emz_tables_load checks a table file's
 * magic before anything else and says EMZ_ERROR_NOT_EMZIP only when it is not that one, so it
 * is asked about the first bytes. The text shows the type, layout, block size, the file's id
 * and size, and each group's id (blocks carry its low 32 bits as their tag), the number of
 * tables of its set, its channel clusters and whether it has a channel shift.
 */
#include "cli_table_info.h"

#include "cli_diag.h"
#include "cli_json.h"

#include <emzip.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes looked at to recognize a table file: its magic and version are the first 5. */
enum { SNIFF_SIZE = 16 };
/* No valid table file comes near this (2,048 tables of at most 131 bytes, 65,535 groups of
 * 12 bytes of set header each: about 1.1 MB); a larger file is refused before it is read. */
enum { TABLE_FILE_MAX = 16 << 20 };

bool cli_is_table_file(const cli_input *input) {
    unsigned char start[SNIFF_SIZE];
    uint64_t size = cli_input_size(input);
    size_t have = size < SNIFF_SIZE ? (size_t)size : SNIFF_SIZE;
    emz_tables *tables = NULL;
    if (have < 5 || !cli_input_read_at(input, start, have, 0)) return false;
    emz_status status = emz_tables_load(start, have, NULL, &tables, NULL, 0);
    emz_tables_free(tables); /* not reached with so few bytes; for form's sake */
    return status != EMZ_ERROR_NOT_EMZIP;
}

/* The whole file, checked and loaded; NULL after printing the error. */
static emz_tables *load(const cli_input *input) {
    uint64_t size = cli_input_size(input);
    if (size > TABLE_FILE_MAX) {
        cli_error(input->display_name, "%" PRIu64 " bytes: larger than any table file", size);
        return NULL;
    }
    unsigned char *bytes = malloc(size > 0 ? (size_t)size : 1);
    if (bytes == NULL) {
        cli_error_errno(input->display_name, ENOMEM);
        return NULL;
    }
    emz_tables *tables = NULL;
    if (!cli_input_read_at(input, bytes, (size_t)size, 0)) {
        cli_error(input->display_name, "cannot read: %s",
                  errno != 0 ? strerror(errno) : "the file ended early");
    } else {
        char detail[256];
        emz_status status =
            emz_tables_load(bytes, (size_t)size, NULL, &tables, detail, sizeof detail);
        if (status != EMZ_OK) cli_error_library(input->display_name, status, detail);
    }
    free(bytes);
    return tables;
}

static void print_text(const cli_input *input, const emz_tables *tables,
                       const emz_tables_info *info) {
    const char *type = emz_type_name(info->type);
    printf("file:             %s\n", input->display_name);
    printf("kind:             table file\n");
    printf("type:             %s\n", type != NULL ? type : "unknown");
    if (info->heads != 0)
        printf("layout:           kv:%" PRIu32 ":%" PRIu32 " (%" PRIu32 " heads x %" PRIu32 ")\n",
               info->heads, info->head_dim, info->heads, info->head_dim);
    else
        printf("layout:           not given\n");
    printf("block size:       %" PRIu32 " bytes\n", info->block_size);
    printf("size:             %zu bytes\n", info->serialized_size);
    printf("file id:          %016" PRIx64 "\n", info->id);
    printf("groups:           %" PRIu32 "\n", info->groups);
    printf("tables:           %" PRIu32 "\n", info->table_count);
    printf("  %-6s %-16s %-8s %-6s %-8s %s\n", "GROUP", "SET ID", "TAG", "TABLES", "CLUSTERS",
           "CHANNEL SHIFT");
    for (uint32_t g = 0; g < info->groups; g++) {
        uint64_t id = 0;
        uint32_t count = 0, channels = 0, clusters = 0;
        emz_tables_group_id(tables, g, &id);
        emz_tables_group_tables(tables, g, &count);
        emz_tables_group_shift(tables, g, &channels);
        emz_tables_group_clusters(tables, g, &clusters);
        char shift[32] = "none", cl[16] = "none";
        if (channels) snprintf(shift, sizeof shift, "%" PRIu32 " channels", channels);
        if (clusters) snprintf(cl, sizeof cl, "%" PRIu32, clusters);
        printf("  %-6" PRIu32 " %016" PRIx64 " %08" PRIx32 " %-6" PRIu32 " %-8s %s\n", g, id,
               (uint32_t)id, count, cl, shift);
    }
}

static void key_hex(cli_json *json, const char *key, uint64_t value, int digits) {
    char text[24];
    snprintf(text, sizeof text, "%0*" PRIx64, digits, value);
    cli_json_key_string(json, key, text);
}

static void print_json(const cli_input *input, const emz_tables *tables,
                       const emz_tables_info *info) {
    cli_json json;
    cli_json_begin_document(&json, stdout);
    cli_json_key_string(&json, "command", "info");
    cli_json_key_string(&json, "input", input->display_name);
    cli_json_key_string(&json, "kind", "tables");
    cli_json_key_string(&json, "type", emz_type_name(info->type));
    cli_json_key_u64(&json, "heads", info->heads);
    cli_json_key_u64(&json, "head_dim", info->head_dim);
    cli_json_key_u64(&json, "block_size", info->block_size);
    cli_json_key_u64(&json, "size", info->serialized_size);
    key_hex(&json, "id", info->id, 16);
    cli_json_key_u64(&json, "groups", info->groups);
    cli_json_key_u64(&json, "tables", info->table_count);
    cli_json_key(&json, "sets");
    cli_json_begin_array(&json);
    for (uint32_t g = 0; g < info->groups; g++) {
        uint64_t id = 0;
        uint32_t count = 0;
        emz_tables_group_id(tables, g, &id);
        uint32_t channels = 0, clusters = 0;
        emz_tables_group_tables(tables, g, &count);
        emz_tables_group_shift(tables, g, &channels);
        emz_tables_group_clusters(tables, g, &clusters);
        cli_json_begin_object(&json);
        cli_json_key_u64(&json, "group", g);
        key_hex(&json, "id", id, 16);
        key_hex(&json, "tag", (uint32_t)id, 8);
        cli_json_key_u64(&json, "tables", count);
        cli_json_key_u64(&json, "shift_channels", channels);
        cli_json_key_u64(&json, "clusters", clusters);
        cli_json_end_object(&json);
    }
    cli_json_end_array(&json);
    cli_json_end_object(&json);
    cli_json_end_line(&json);
}

int cli_describe_table_file(const cli_options *options, const cli_input *input) {
    emz_tables *tables = load(input);
    emz_tables_info info;
    if (tables == NULL) return CLI_EXIT_FAILURE;
    emz_status status = emz_tables_info_get(tables, &info);
    if (status != EMZ_OK) {
        cli_error_status(input->display_name, status);
    } else if (options->json) {
        print_json(input, tables, &info);
    } else {
        print_text(input, tables, &info);
    }
    emz_tables_free(tables);
    return status == EMZ_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
