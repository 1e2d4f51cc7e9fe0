/* cli_reader.h - opening a compressed file (a bare frame or a container) as an emz_reader, for
 * decompress, test, info, list and extract.
 *
 * Two steps, so that a command can refuse its output between them before reading any data:
 * cli_reader_begin opens the file; cli_reader_open loads a pipe into memory (a reader needs
 * random access) and reads the headers, directory and chunk indexes.
 */
#ifndef EMZIP_CLI_READER_H
#define EMZIP_CLI_READER_H

#include "cli_input.h"
#include "cli_io.h"

#include <emzip.h>

#include <stdbool.h>

typedef struct cli_reader {
    cli_input input;
    cli_source source; /* the reader reads through it until closed */
    emz_reader *reader;
    emz_reader_info info;
    emz_status status; /* why cli_reader_begin or cli_reader_open failed (EMZ_ERROR_IO when
                          the file could not be opened or loaded) */
} cli_reader;

/* Opens path ("-": stdin; a terminal there only if terminal_ok, see cli_input_open). Prints
 * one error line and returns false on failure; cli_reader_close is safe to call either way. */
bool cli_reader_begin(cli_reader *reader, const char *path, bool terminal_ok);

/* Opens the emz_reader; dctx decodes a checkpoint's header and holds the error detail. */
bool cli_reader_open(cli_reader *reader, emz_dctx *dctx);

/* The header of a bare frame (info.is_container == 0): type, element count, chunk size. */
bool cli_reader_frame_info(cli_reader *reader, emz_frame_info *info);

void cli_reader_close(cli_reader *reader);

#endif /* EMZIP_CLI_READER_H */
