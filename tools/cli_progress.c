/* cli_progress.c - drawing the progress line (see cli_progress.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_progress.h"

#include "cli_units.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

enum { REDRAW_INTERVAL_MS = 100, LINE_CAPACITY = 512, DEFAULT_WIDTH = 80 };

/* How many columns of the terminal the line on screen covers (0: none is shown). A global
 * because any message, from anywhere, must first erase the line (cli_progress_clear). */
static size_t shown_length;

static size_t terminal_width(void) {
    struct winsize size;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col < LINE_CAPACITY ? size.ws_col : LINE_CAPACITY - 1;
    return DEFAULT_WIDTH;
}

/* Writes "\r" + line + blanks over the rest of the previous line, in one write. */
static void show(const char *line, size_t length) {
    char buffer[2 * LINE_CAPACITY + 2];
    size_t used = 0;
    buffer[used++] = '\r';
    memcpy(buffer + used, line, length);
    used += length;
    size_t blanks = shown_length > length ? shown_length - length : 0;
    memset(buffer + used, ' ', blanks);
    used += blanks;
    if (blanks > 0) { /* back over the blanks, so the cursor ends after the text */
        buffer[used++] = '\r';
        memcpy(buffer + used, line, length);
        used += length;
    }
    fwrite(buffer, 1, used, stderr);
    fflush(stderr);
    shown_length = length;
}

void cli_progress_clear(void) {
    if (shown_length == 0) return;
    char blanks[LINE_CAPACITY + 2];
    size_t length = shown_length < LINE_CAPACITY ? shown_length : LINE_CAPACITY;
    blanks[0] = '\r';
    memset(blanks + 1, ' ', length);
    blanks[length + 1] = '\r';
    fwrite(blanks, 1, length + 2, stderr);
    fflush(stderr);
    shown_length = 0;
}

void cli_progress_start(cli_progress *progress, const char *name, uint64_t total, bool quiet) {
    progress->enabled = !quiet && total >= CLI_PROGRESS_MIN_BYTES && isatty(STDERR_FILENO);
    progress->name = name;
    progress->total = total;
    progress->start_ms = cli_monotonic_ms();
    progress->last_ms = progress->start_ms;
}

int cli_progress_update(void *opaque, uint64_t done, uint64_t total) {
    cli_progress *progress = opaque;
    if (!progress->enabled) return 0;
    double now = cli_monotonic_ms();
    if (now - progress->last_ms < REDRAW_INTERVAL_MS) return 0;
    progress->last_ms = now;
    if (total == 0) total = progress->total;

    char done_text[32], total_text[32], speed_text[32], tail[128];
    cli_format_binary_size(done_text, sizeof done_text, done);
    cli_format_binary_size(total_text, sizeof total_text, total);
    cli_format_speed(speed_text, sizeof speed_text, done, now - progress->start_ms);
    int percent = total > 0 ? (int)((double)done * 100.0 / (double)total) : 100;
    int tail_length = snprintf(tail, sizeof tail, "  %3d%%  %s / %s  %s", percent, done_text,
                               total_text, speed_text);
    if (tail_length < 0) return 0;

    /* The line must fit the terminal, or '\r' would return only to the start of its last row:
     * a long name keeps its end, the part that tells files apart. */
    size_t width = terminal_width() - 1;
    const char *prefix = "emzip: ";
    size_t fixed = strlen(prefix) + (size_t)tail_length;
    size_t name_length = strlen(progress->name);
    size_t room = width > fixed + 4 ? width - fixed : 4;
    char line[LINE_CAPACITY];
    if (name_length <= room)
        snprintf(line, sizeof line, "%s%s%s", prefix, progress->name, tail);
    else
        snprintf(line, sizeof line, "%s...%s%s", prefix, progress->name + name_length - (room - 3),
                 tail);
    size_t length = strlen(line);
    show(line, length < width ? length : width);
    return 0;
}

void cli_progress_end(cli_progress *progress) {
    if (progress->enabled) cli_progress_clear();
    progress->enabled = false;
}
