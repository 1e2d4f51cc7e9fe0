/* cli_progress.h - the progress line on a terminal's standard error.
 *
 * Long runs (inputs of CLI_PROGRESS_MIN_BYTES or more) show one line, rewritten in place with
 * '\r' at most ten times a second and erased at the end:
 *     emzip: model.safetensors  37%  1.2 GiB / 3.3 GiB  2.1 GB/s
 * Only when standard error is a terminal and -q was not given: a log file or a pipe gets no
 * control characters. The library calls cli_progress_update from the calling thread, between
 * batches of chunks (emz_cctx_set_progress, emz_dctx_set_progress).
 */
#ifndef EMZIP_CLI_PROGRESS_H
#define EMZIP_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define CLI_PROGRESS_MIN_BYTES ((uint64_t)64 << 20)

typedef struct cli_progress {
    bool enabled;
    const char *name;
    uint64_t total;
    double start_ms, last_ms;
} cli_progress;

/* Starts a run over total bytes of original data; quiet (-q) disables the line. */
void cli_progress_start(cli_progress *progress, const char *name, uint64_t total, bool quiet);

/* An emz_progress_fn (opaque: the cli_progress): redraws the line if 100 ms have passed.
 * Returns 0 (never cancels: SIGINT ends the program, see cli_signals.h). */
int cli_progress_update(void *opaque, uint64_t done, uint64_t total);

/* Erases the line; the run is over. */
void cli_progress_end(cli_progress *progress);

/* Erases whatever progress line is on screen, so that a message printed next starts on a clean
 * line (cli_diag.c calls this before every message). */
void cli_progress_clear(void);

#endif /* EMZIP_CLI_PROGRESS_H */
