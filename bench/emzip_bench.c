/* emzip_bench.c - emzip-bench: ratio, speed per implementation, kernels alone, small inputs
 * and entropy bounds of emzip on safetensors files, against memcpy, libdeflate and zstd.
 * See bench/README.md. This file reads the options and runs the files; the parts:
 *   bench_file.c      one file: per-tensor and stream emzip, memcpy, baselines (Table 1)
 *   kernel_bench.c    split / merge / checksum32 alone      small_inputs.c  small frames
 *   bounds.c          entropy bounds and the format model   baselines.c     libdeflate, zstd
 *   per_tensor.c, stream_mode.c   the two emzip modes       timing.c        interleaved medians
 *   report_md.c, report_json.c    output                    targets.c       the speed bars
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
        "  --no-baselines skip libdeflate and zstd\n"
        "  --no-kernels   skip the split / merge / checksum32 kernel section\n"
        "  --no-small     skip the small-input section\n"
        "  --reps N       timed repetitions per measurement, median taken (default 11)\n"
        "  --chunk BYTES  emzip chunk size, a power of two from 4096 to 16777216 (default "
        "262144)\n");
}

int main(int argc, char **argv) {
    int json = 0;
    const char *json_path = NULL, *impl_arg = "all";
    long long reps = 11, chunk = 256 * 1024;
    bench_opts opt;
    memset(&opt, 0, sizeof opt);
    opt.baselines = opt.kernels = opt.small = 1;
    int nfiles = 0;
    const char **files = xmalloc(sizeof(char *) * (size_t)(argc > 0 ? argc : 1));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0)
            json = 1;
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
            opt.baselines = 0;
        } else if (strcmp(a, "--no-kernels") == 0) {
            opt.kernels = 0;
        } else if (strcmp(a, "--no-small") == 0) {
            opt.small = 0;
        } else if (strcmp(a, "--json-file") == 0 && i + 1 < argc) {
            json_path = argv[++i];
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(files);
            return 0;
        } else if (strcmp(a, "--") == 0) {
            while (++i < argc)
                files[nfiles++] = argv[i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "emzip-bench: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 2;
        } else
            files[nfiles++] = a;
    }
    if (!nfiles) {
        usage(stderr);
        return 2;
    }
    char err[160];
    if (impl_set_parse(&opt.impls, impl_arg, err, sizeof err)) {
        fprintf(stderr, "emzip-bench: --impl: %s\n", err);
        return 2;
    }
    opt.reps = (int)reps;
    opt.chunk = (size_t)chunk;

    file_result *fr = xcalloc((size_t)nfiles, sizeof *fr);
    int all_ok = 1, io_error = 0;
    for (int i = 0; i < nfiles; i++) {
        fprintf(stderr, "emzip-bench: %s ...\n", files[i]);
        if (bench_file(files[i], &opt, &fr[i])) {
            all_ok = 0;
            if (fr[i].error[0]) {
                fprintf(stderr, "emzip-bench: %s: %s\n", files[i], fr[i].error);
                io_error = 1;
            }
        }
    }
    if (json_path) {
        FILE *jf = fopen(json_path, "w");
        if (!jf) {
            fprintf(stderr, "emzip-bench: cannot write %s: %s\n", json_path, strerror(errno));
            all_ok = 0, io_error = 1;
        } else {
            print_json(jf, fr, nfiles, &opt, all_ok);
            if (fclose(jf)) all_ok = 0, io_error = 1;
        }
    }
    if (json)
        print_json(stdout, fr, nfiles, &opt, all_ok);
    else
        print_markdown(stdout, fr, nfiles, &opt, all_ok);
    for (int i = 0; i < nfiles; i++)
        file_result_free(&fr[i]);
    free(fr);
    free(files);
    if (!all_ok) return io_error ? 2 : 1;
    return 0;
}
