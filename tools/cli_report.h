/* cli_report.h - what the CLI tells people after a run: the summary lines on standard error.
 *
 * A summary reads
 *     IN: FROM -> TO bytes (TO/FROM %), T ms, S MB/s
 * where the speed is in bytes of original data per second (1 MB = 10^6 bytes), so that
 * compression and decompression speeds compare directly.
 */
#ifndef EMZIP_CLI_REPORT_H
#define EMZIP_CLI_REPORT_H

#include <stdbool.h>
#include <stdint.h>

/* The summary line above. show_ratio: compress shows TO/FROM; decompress does not (the ratio
 * belongs to the compressed file, which 'emzip info' shows). */
void cli_print_summary(const char *name, uint64_t from, uint64_t to, uint64_t original_bytes,
                       double elapsed_ms, bool show_ratio);

/* The sums over the files of one command run on a directory. */
typedef struct cli_totals {
    unsigned files, failed;
    uint64_t from, to, original;
    double elapsed_ms;
} cli_totals;

void cli_totals_add(cli_totals *totals, uint64_t from, uint64_t to, uint64_t original,
                    double elapsed_ms);

/* "total: N files, FROM -> TO bytes (R%), T ms, S MB/s". */
void cli_print_totals(const cli_totals *totals, bool show_ratio);

#endif /* EMZIP_CLI_REPORT_H */
