/* cli_units.h - the clock and the number formats that the summaries, the progress line and the
 * tables share.
 *
 * Nothing here prints, so both the progress line (cli_progress) and the summaries that erase
 * it first (cli_report) can build on this file without depending on each other in a loop.
 */
#ifndef EMZIP_CLI_UNITS_H
#define EMZIP_CLI_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds on a clock that only goes forward. */
double cli_monotonic_ms(void);

/* "512 B", "1.2 KiB", ..., "3.3 GiB", "1.0 TiB". */
void cli_format_binary_size(char *text, size_t capacity, uint64_t bytes);

/* A tensor shape: "[4096, 4096]"; "[]" for a scalar. */
void cli_format_shape(char *text, size_t capacity, unsigned dims, const uint64_t *shape);

/* bytes over elapsed_ms: "850 MB/s", "2.1 GB/s" (decimal units, like disks and networks). */
void cli_format_speed(char *text, size_t capacity, uint64_t bytes, double elapsed_ms);

/* part / whole as "67.62%", or "-" when whole is 0. */
void cli_format_ratio(char *text, size_t capacity, uint64_t part, uint64_t whole);

/* Original-data bytes per second in MB/s (0 when no time passed). */
double cli_mb_per_s(uint64_t original_bytes, double elapsed_ms);

#endif /* EMZIP_CLI_UNITS_H */
