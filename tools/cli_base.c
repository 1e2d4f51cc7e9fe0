/* cli_base.c - the base checkpoint of --base (see cli_base.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_base.h"

#include "cli_batch.h"
#include "cli_diag.h"
#include "cli_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* In a base directory: DIR/NAME (NAME: the input's file name without .emz), else
 * DIR/NAME.emz; NULL if neither exists (or without memory). */
static char *shard_path(const char *dir, const char *input_path) {
    const char *slash = strrchr(input_path, '/');
    const char *name = slash ? slash + 1 : input_path;
    size_t length = strlen(name) - (cli_ends_with(name, CLI_EMZ_SUFFIX) ? 4 : 0);
    size_t size = strlen(dir) + 1 + length + 5;
    char *path = malloc(size);
    if (path == NULL) return NULL;
    snprintf(path, size, "%s/%.*s", dir, (int)length, name);
    if (access(path, F_OK) == 0) return path;
    snprintf(path, size, "%s/%.*s.emz", dir, (int)length, name);
    if (access(path, F_OK) == 0) return path;
    free(path);
    return NULL;
}

static bool is_compressed(const cli_input *input) {
    unsigned char magic[4] = {0};
    return cli_input_size(input) >= 4 && cli_input_read_at(input, magic, 4, 0) &&
           memcmp(magic,
                  "\x89"
                  "EMC",
                  4) == 0;
}

bool cli_base_open(cli_base *base, const char *base_option, const char *input_path) {
    memset(base, 0, sizeof *base);
    base->input.fd = -1;
    if (cli_is_directory(base_option)) {
        base->path = shard_path(base_option, input_path);
        if (base->path == NULL) {
            cli_error(base_option,
                      "no base for %s in this directory (looked for the same file "
                      "name, with and without .emz)",
                      input_path);
            return false;
        }
    } else {
        base->path = strdup(base_option);
        if (base->path == NULL) return false;
    }
    if (!cli_input_open(base->path, &base->input, false) || !cli_input_load(&base->input))
        return false;
    base->open = true;
    if (!is_compressed(&base->input)) {
        cli_source_init(&base->source, &base->input);
        base->src = base->source.source;
        return true;
    }
    /* the reader takes over the input: a pipe's loaded bytes, or the file */
    base->compressed = true;
    base->reader.input = base->input;
    memset(&base->input, 0, sizeof base->input);
    base->input.fd = -1;
    if (!cli_reader_open(&base->reader, NULL)) return false;
    if (base->reader.info.is_delta) {
        cli_error(base->path, "a delta itself: decompress it with its own base first, and give "
                              "the result as the base");
        return false;
    }
    return emz_reader_source(base->reader.reader, &base->src) == EMZ_OK;
}

bool cli_base_attach(cli_base *base, emz_reader *reader, const char *display_name) {
    emz_status status = !base->compressed && base->input.loaded
                            ? emz_reader_set_base_memory(
                                  reader, base->input.data ? base->input.data : (const void *)"",
                                  base->input.data_size)
                            : emz_reader_set_base(reader, &base->src);
    if (status != EMZ_OK) {
        cli_error(display_name, "cannot use %s as its base: %s", base->path,
                  emz_error_message(status));
        return false;
    }
    return true;
}

bool cli_reader_use_base(const cli_options *options, cli_reader *reader, cli_base *base) {
    if (options->base_path == NULL || !reader->info.is_delta) return true;
    if (!cli_base_open(base, options->base_path, reader->input.display_name) ||
        !cli_base_attach(base, reader->reader, reader->input.display_name))
        return false;
    emz_reader_info_get(reader->reader, &reader->info); /* the tensors, when they need the base */
    return true;
}

void cli_base_close(cli_base *base) {
    if (base->compressed)
        cli_reader_close(&base->reader);
    else
        cli_input_release(&base->input);
    free(base->path);
    memset(base, 0, sizeof *base);
    base->input.fd = -1;
}
