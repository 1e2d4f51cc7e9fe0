/* cli_io.c - emz_source and emz_sink callbacks for the CLI (see cli_io.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_io.h"

#include "cli_diag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Large enough that the small pieces cost nothing, small against the library's own memory. */
enum { SINK_BUFFER_SIZE = 1 << 20 };

static int source_read(void *opaque, void *buffer, size_t size, uint64_t offset) {
    cli_source *source = opaque;
    if (cli_input_read_at(source->input, buffer, size, offset)) return 0;
    int error = errno != 0 ? errno : -1;
    int none = 0;
    atomic_compare_exchange_strong(&source->read_error, &none, error);
    return -1;
}

int64_t cli_source_pull(void *opaque, void *buffer, size_t size) {
    cli_source *source = opaque;
    for (;;) {
        ssize_t got = read(source->input->fd, buffer, size);
        if (got >= 0) {
            source->pulled += (uint64_t)got;
            return got;
        }
        if (errno == EINTR) continue;
        atomic_store(&source->read_error, errno);
        return -1;
    }
}

void cli_source_init(cli_source *source, const cli_input *input) {
    source->input = input;
    source->pulled = 0;
    atomic_init(&source->read_error, 0);
    source->source = (emz_source){source_read, source, cli_input_size(input)};
}

bool cli_sink_flush(cli_sink *sink) {
    if (sink->failed) return false;
    if (sink->used > 0 && !cli_output_write(sink->output, sink->buffer, sink->used)) {
        sink->failed = true;
        return false;
    }
    sink->used = 0;
    return true;
}

static int sink_write(void *opaque, const void *data, size_t size) {
    cli_sink *sink = opaque;
    if (sink->failed) return -1;
    if (size <= sink->capacity - sink->used) {
        memcpy(sink->buffer + sink->used, data, size);
        sink->used += size;
        return 0;
    }
    if (!cli_sink_flush(sink)) return -1;
    if (size < sink->capacity) {
        memcpy(sink->buffer, data, size);
        sink->used = size;
        return 0;
    }
    if (!cli_output_write(sink->output, data, size)) {
        sink->failed = true;
        return -1;
    }
    return 0;
}

bool cli_sink_init(cli_sink *sink, cli_output *output) {
    memset(sink, 0, sizeof *sink);
    sink->output = output;
    sink->buffer = malloc(SINK_BUFFER_SIZE);
    if (sink->buffer == NULL) {
        cli_error_errno(output->display_name, ENOMEM);
        return false;
    }
    sink->capacity = SINK_BUFFER_SIZE;
    sink->sink = (emz_sink){sink_write, sink};
    return true;
}

void cli_sink_release(cli_sink *sink) {
    free(sink->buffer);
    sink->buffer = NULL;
}

void cli_io_report_failure(const char *subject, emz_status status, const char *detail,
                           cli_source *source, const cli_sink *sink) {
    int read_error = source != NULL ? atomic_load(&source->read_error) : 0;
    if (status == EMZ_ERROR_IO && read_error != 0) {
        if (read_error < 0)
            cli_error(subject, "read error: the file ended early (did it change while being "
                               "read?)");
        else
            cli_error(subject, "read error: %s", strerror(read_error));
        return;
    }
    if (status == EMZ_ERROR_IO && sink != NULL && sink->failed)
        return; /* the sink printed the write error naming the output */
    cli_error_library(subject, status, detail);
}
