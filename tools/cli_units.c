/* cli_units.c - the clock and the number formats (see cli_units.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_units.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

double cli_monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

void cli_format_binary_size(char *text, size_t capacity, uint64_t bytes) {
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        snprintf(text, capacity, "%" PRIu64 " B", bytes);
        return;
    }
    double value = (double)bytes / 1024.0;
    size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < sizeof units / sizeof units[0]) {
        value /= 1024.0;
        unit++;
    }
    snprintf(text, capacity, "%.1f %s", value, units[unit]);
}

void cli_format_ratio(char *text, size_t capacity, uint64_t part, uint64_t whole) {
    if (whole > 0)
        snprintf(text, capacity, "%.2f%%", 100.0 * (double)part / (double)whole);
    else
        snprintf(text, capacity, "-");
}

double cli_mb_per_s(uint64_t original_bytes, double elapsed_ms) {
    return elapsed_ms > 0 ? (double)original_bytes / (elapsed_ms * 1e3) : 0.0;
}

void cli_format_speed(char *text, size_t capacity, uint64_t bytes, double elapsed_ms) {
    double mb_per_s = cli_mb_per_s(bytes, elapsed_ms);
    if (mb_per_s >= 1000.0)
        snprintf(text, capacity, "%.1f GB/s", mb_per_s / 1000.0);
    else
        snprintf(text, capacity, "%.0f MB/s", mb_per_s);
}

void cli_format_shape(char *text, size_t capacity, unsigned dims, const uint64_t *shape) {
    size_t used = (size_t)snprintf(text, capacity, "[");
    for (unsigned d = 0; d < dims && used < capacity; d++)
        used +=
            (size_t)snprintf(text + used, capacity - used, "%s%" PRIu64, d ? ", " : "", shape[d]);
    if (used < capacity) snprintf(text + used, capacity - used, "]");
}
