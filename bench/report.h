/* report.h - emzip-bench output: Markdown tables (the default) or one JSON object with
 * everything (bench only). bench/README.md explains every column and field. */
#ifndef EMZIP_BENCH_REPORT_H
#define EMZIP_BENCH_REPORT_H

#include "results.h"

#include <stdio.h>

void print_markdown(FILE *o, const file_result *fr, int n, const bench_opts *opt, int all_ok);
void print_json(FILE *o, const file_result *fr, int n, const bench_opts *opt, int all_ok);

#endif
