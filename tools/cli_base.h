/* cli_base.h - --base: the base checkpoint a delta is written against (compress) or decoded
 * with (decompress, test, extract), given as a safetensors file or as its .emz, or as a
 * directory holding a sharded base (each shard's base: the file of the same name in it, with
 * or without .emz).
 */
#ifndef EMZIP_CLI_BASE_H
#define EMZIP_CLI_BASE_H

#include "cli_args.h"
#include "cli_input.h"
#include "cli_io.h"
#include "cli_reader.h"

#include <emzip.h>

#include <stdbool.h>

typedef struct cli_base {
    bool open;
    bool compressed;   /* a .emz: read through a reader */
    cli_input input;   /* a plain base */
    cli_source source; /* over input */
    cli_reader reader; /* a compressed base */
    emz_source src;    /* the base's original bytes, for the library */
    char *path;        /* the file opened (owned) */
} cli_base;

/* Opens the base of `input_path` (its file, or the file of the same name in a base
 * directory; the name without ".emz" is tried, then with it). Prints one error line and
 * returns false on failure; cli_base_close is safe either way. */
bool cli_base_open(cli_base *base, const char *base_option, const char *input_path);

/* Gives a delta container's reader its base (a plain base loaded in memory is given as
 * memory). Prints an error and returns false on failure. */
bool cli_base_attach(cli_base *base, emz_reader *reader, const char *display_name);

/* For a delta container (reader->info.is_delta) and --base: opens the base and gives it to
 * the reader. Without --base, or for a file that is no delta, does nothing (a delta then fails
 * when it decodes, naming the base it needs). Prints an error and returns false on failure. */
bool cli_reader_use_base(const cli_options *options, cli_reader *reader, cli_base *base);

void cli_base_close(cli_base *base);

#endif /* EMZIP_CLI_BASE_H */
