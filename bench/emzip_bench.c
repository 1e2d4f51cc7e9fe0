/* emzip_bench.c - emzip-bench: ratio, speed per implementation, kernels alone, small inputs
 * and entropy bounds of emzip on safetensors files, against memcpy, libdeflate, zstd and
 * byte-group Huffman (ZipNN's method). See bench/README.md. This file reads the options and
 * runs the files; the parts:
 *   bench_file.c      one file: the checks, then the sections   table1.c  Ratio and speed
 *   kernel_bench.c    split / merge / checksum32 alone      small_inputs.c  small frames
 *   bounds.c          entropy bounds and the format model   baselines.c     libdeflate, zstd
 *   bytegroup.c       byte-group Huffman    bytegroup_file.c  its sets, emzip's container
 *   per_tensor.c, stream_mode.c   the two emzip modes       timing.c        interleaved medians
 *   report_md.c, report_compare.c, report_json.c   output   targets.c       the speed bars
 */
#include "bench_util.h"
#include "report.h"
#include "results.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *o) {
    fprintf(
        o,
        "usage: emzip-bench [--impl NAME[,NAME...]|all] [--json] [--json-file F] [--no-baselines]\n"
        "                   [--no-kernels] [--no-small] [--reps N] [--chunk BYTES] "
        "FILE.safetensors...\n"
        "  --impl LIST    emzip implementations to measure: scalar, avx2, avx512, neon, "
        "comma-separated,\n"
        "                 or all (default: all that this build and CPU run)\n"
        "  --json         machine-readable output instead of Markdown tables\n"
        "  --json-file F  also write the JSON output to file F\n"
        "  --no-baselines skip timing libdeflate, zstd and byte-group Huffman\n"
        "  --no-kernels   skip the split / merge / checksum32 kernel section\n"
        "  --no-small     skip the small-input section\n"
        "  --reps N       timed repetitions per measurement, median taken (default 11)\n"
        "  --chunk BYTES  emzip chunk size, a power of two from 4096 to 16777216, for every "
        "type\n"
        "                 (default: emzip's own per type)\n");
}

/* The command line: the output wanted, the files, and the options of every measurement. */
typedef struct cli {
    int json;
    const char *json_path;
    const char **files;
    int nfiles;
    bench_opts opt;
} cli;

/* Reads argv into c (c->files is allocated and stays the caller's to free). -1 to go on and
 * measure; otherwise the exit status: 0 after --help, 2 after a bad or missing argument. */
static int parse_args(int argc, char **argv, cli *c) {
    const char *impl_arg = "all";
    long long reps = 11, chunk = 0; /* 0: emzip's default per type */
    memset(c, 0, sizeof *c);
    c->opt.baselines = c->opt.kernels = c->opt.small = 1;
    c->files = xmalloc(sizeof(char *) * (size_t)(argc > 0 ? argc : 1));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0)
            c->json = 1;
        else if (strcmp(a, "--reps") == 0 && i + 1 < argc) {
            if (parse_ll(argv[++i], 1, 1000, &reps)) {
                fprintf(stderr, "emzip-bench: bad --reps\n");
                return 2;
            }
        } else if (strcmp(a, "--chunk") == 0 && i + 1 < argc) {
            if (parse_ll(argv[++i], 4096, 16 << 20, &chunk) || (chunk & (chunk - 1))) {
                fprintf(stderr,
                        "emzip-bench: --chunk must be a power of two from 4096 to 16777216\n");
                return 2;
            }
        } else if (strcmp(a, "--impl") == 0 && i + 1 < argc) {
            impl_arg = argv[++i];
        } else if (strcmp(a, "--no-baselines") == 0) {
            c->opt.baselines = 0;
        } else if (strcmp(a, "--no-kernels") == 0) {
            c->opt.kernels = 0;
        } else if (strcmp(a, "--no-small") == 0) {
            c->opt.small = 0;
        } else if (strcmp(a, "--json-file") == 0 && i + 1 < argc) {
            c->json_path = argv[++i];
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--") == 0) {
            while (++i < argc)
                c->files[c->nfiles++] = argv[i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "emzip-bench: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 2;
        } else
            c->files[c->nfiles++] = a;
    }
    if (!c->nfiles) {
        usage(stderr);
        return 2;
    }
    char err[160];
    if (impl_set_parse(&c->opt.impls, impl_arg, err, sizeof err)) {
        fprintf(stderr, "emzip-bench: --impl: %s\n", err);
        return 2;
    }
    c->opt.reps = (int)reps;
    c->opt.chunk = (size_t)chunk;
    return -1;
}

/* Measures every file into fr[i]. 1 if all of them ran and passed every check, else 0;
 * *io_error is set when a file could not be measured at all. */
static int bench_files(const cli *c, file_result *fr, int *io_error) {
    int all_ok = 1;
    for (int i = 0; i < c->nfiles; i++) {
        fprintf(stderr, "emzip-bench: %s ...\n", c->files[i]);
        if (bench_file(c->files[i], &c->opt, &fr[i])) {
            all_ok = 0;
            if (fr[i].error[0]) {
                fprintf(stderr, "emzip-bench: %s: %s\n", c->files[i], fr[i].error);
                *io_error = 1;
            }
        }
    }
    return all_ok;
}

/* The --json-file copy of the JSON output; -1 (after a message) when it can't be written. */
static int write_json_file(const cli *c, const file_result *fr, int all_ok) {
    FILE *jf = fopen(c->json_path, "w");
    if (!jf) {
        fprintf(stderr, "emzip-bench: cannot write %s: %s\n", c->json_path, strerror(errno));
        return -1;
    }
    print_json(jf, fr, c->nfiles, &c->opt, all_ok);
    return fclose(jf) ? -1 : 0;
}

int main(int argc, char **argv) {
    cli c;
    int rc = parse_args(argc, argv, &c);
    if (rc >= 0) {
        free(c.files);
        return rc;
    }
    file_result *fr = xcalloc((size_t)c.nfiles, sizeof *fr);
    int io_error = 0;
    int all_ok = bench_files(&c, fr, &io_error);
    if (c.json_path && write_json_file(&c, fr, all_ok)) all_ok = 0, io_error = 1;
    if (c.json)
        print_json(stdout, fr, c.nfiles, &c.opt, all_ok);
    else
        print_markdown(stdout, fr, c.nfiles, &c.opt, all_ok);
    for (int i = 0; i < c.nfiles; i++)
        file_result_free(&fr[i]);
    free(fr);
    free(c.files);
    if (!all_ok) return io_error ? 2 : 1;
    return 0;
}
