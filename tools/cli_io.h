/* cli_io.h - the library's emz_source and emz_sink over the CLI's inputs and outputs.
 *
 * The callbacks cannot print (a source is called from several threads at once) and the
 * library turns any callback failure into EMZ_ERROR_IO, so each side remembers what went
 * wrong; cli_io_report_failure then prints the one line that says it.
 */
#ifndef EMZIP_CLI_IO_H
#define EMZIP_CLI_IO_H

#include "cli_input.h"
#include "cli_output.h"

#include <emzip.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cli_source {
    emz_source source; /* what the library is given; opaque points here */
    const cli_input *input;
    atomic_int read_error; /* 0: none; -1: the file ended early; else the first errno */
    uint64_t pulled;       /* bytes read by cli_source_pull */
} cli_source;

/* Sets up a source over the whole input (which must be seekable or loaded). */
void cli_source_init(cli_source *source, const cli_input *input);

/* An emz_pull_fn over an input that is neither seekable nor loaded (a pipe): read() from its
 * descriptor, counting the bytes in source->pulled. */
int64_t cli_source_pull(void *opaque, void *buffer, size_t size);

/* Output through a buffer: the library hands over many small pieces (frame headers, chunk
 * indexes) between its large payloads, and one write() each would cost more than they do. */
typedef struct cli_sink {
    emz_sink sink; /* what the library is given; opaque points here */
    cli_output *output;
    unsigned char *buffer;
    size_t used, capacity;
    bool failed; /* a write failed and its error line was printed */
} cli_sink;

/* Prints an error and returns false if the buffer cannot be allocated. */
bool cli_sink_init(cli_sink *sink, cli_output *output);
/* Writes what is buffered; false (error printed) on failure. */
bool cli_sink_flush(cli_sink *sink);
void cli_sink_release(cli_sink *sink);

/* Prints the one error line for a failed library call on the file `subject`: a read error of
 * source (either may be NULL), nothing if sink already printed its own, else
 * "<status message>[: <detail>]". */
void cli_io_report_failure(const char *subject, emz_status status, const char *detail,
                           cli_source *source, const cli_sink *sink);

#endif /* EMZIP_CLI_IO_H */
