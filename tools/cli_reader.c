/* cli_reader.c - compressed inputs as emz_readers (see cli_reader.h). */
#include "cli_reader.h"

#include "cli_diag.h"
#include "cli_table_info.h"

#include <string.h>

bool cli_reader_begin(cli_reader *reader, const char *path, bool terminal_ok) {
    memset(reader, 0, sizeof *reader);
    reader->status = EMZ_ERROR_IO;
    return cli_input_open(path, &reader->input, terminal_ok);
}

bool cli_reader_open(cli_reader *reader, emz_dctx *dctx) {
    if (!cli_input_load(&reader->input)) return false;
    cli_source_init(&reader->source, &reader->input);
    /* A loaded pipe is decoded in place; a file through pread, a chunk at a time. */
    emz_status status = reader->input.seekable
                            ? emz_reader_open(dctx, &reader->source.source, &reader->reader)
                            : emz_reader_open_memory(dctx,
                                                     reader->input.data != NULL ? reader->input.data
                                                                                : (const void *)"",
                                                     reader->input.data_size, &reader->reader);
    if (status == EMZ_OK) status = emz_reader_info_get(reader->reader, &reader->info);
    reader->status = status;
    if (status == EMZ_ERROR_NOT_EMZIP && cli_is_table_file(&reader->input)) {
        cli_error(reader->input.display_name,
                  "a table file (emzip train), not a compressed file: see 'emzip info'");
        return false;
    }
    if (status != EMZ_OK) {
        cli_io_report_failure(reader->input.display_name, status, emz_dctx_error_detail(dctx),
                              &reader->source, NULL);
        return false;
    }
    return true;
}

bool cli_reader_frame_info(cli_reader *reader, emz_frame_info *info) {
    emz_status status = emz_reader_frame_info_get(reader->reader, info);
    if (status != EMZ_OK) { /* a bare frame's reader always has it */
        cli_io_report_failure(reader->input.display_name, status, NULL, &reader->source, NULL);
        return false;
    }
    return true;
}

void cli_reader_close(cli_reader *reader) {
    emz_reader_close(reader->reader);
    reader->reader = NULL;
    cli_input_release(&reader->input);
}
