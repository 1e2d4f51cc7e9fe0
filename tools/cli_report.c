/* cli_report.c - the summary lines (see cli_report.h). */
#include "cli_report.h"

#include "cli_escape.h"
#include "cli_progress.h"
#include "cli_units.h"

#include <inttypes.h>
#include <stdio.h>

static void print_counts(uint64_t from, uint64_t to, uint64_t original, double elapsed_ms,
                         bool show_ratio) {
    fprintf(stderr, "%" PRIu64 " -> %" PRIu64 " bytes", from, to);
    if (show_ratio && from > 0) fprintf(stderr, " (%.2f%%)", 100.0 * (double)to / (double)from);
    fprintf(stderr, ", %.1f ms, %.1f MB/s\n", elapsed_ms, cli_mb_per_s(original, elapsed_ms));
}

void cli_print_summary(const char *name, uint64_t from, uint64_t to, uint64_t original_bytes,
                       double elapsed_ms, bool show_ratio) {
    cli_progress_clear();
    cli_put_escaped(stderr, name);
    fputs(": ", stderr);
    print_counts(from, to, original_bytes, elapsed_ms, show_ratio);
}

void cli_totals_add(cli_totals *totals, uint64_t from, uint64_t to, uint64_t original,
                    double elapsed_ms) {
    totals->files++;
    totals->from += from;
    totals->to += to;
    totals->original += original;
    totals->elapsed_ms += elapsed_ms;
}

void cli_print_totals(const cli_totals *totals, bool show_ratio) {
    cli_progress_clear();
    fprintf(stderr, "total: %u file%s, ", totals->files, totals->files == 1 ? "" : "s");
    print_counts(totals->from, totals->to, totals->original, totals->elapsed_ms, show_ratio);
}
