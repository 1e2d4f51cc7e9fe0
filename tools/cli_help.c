/* cli_help.c - the text of emzip's manual pages (see cli_help.h).
 *
 * Each page follows man(1) conventions (NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS,
 * EXAMPLES) so that it reads like the man page it would be turned into. */
#include "cli_help.h"

#include <emzip.h>

static const char overview_page[] =
    "NAME\n"
    "    emzip - lossless compression of neural-network tensors\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip compress -t TYPE [-c CHUNK] [-T N] [-f] [-q] [-o OUT] IN\n"
    "    emzip decompress [-T N] [-f] [-q] [--no-check] [-o OUT] IN\n"
    "    emzip info FILE\n"
    "    emzip test [-T N] [-q] FILE\n"
    "    emzip help [COMMAND]\n"
    "    emzip --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    emzip compresses raw tensor data (e.g. the weights in a .safetensors file) without\n"
    "    loss. Each value is split into its exponent and its sign+mantissa, and each part is\n"
    "    entropy-coded on its own; the exponents of trained weights are highly predictable,\n"
    "    which is where the gain comes from. The data is cut into independently coded chunks,\n"
    "    each with its own checksum.\n"
    "\n"
    "    A file is given as a path, or as '-' for standard input (IN) or standard output (-o).\n"
    "    Output is written to a temporary file next to OUT and renamed into place only when\n"
    "    complete, so an interrupted or failed run never leaves a partial file. An existing\n"
    "    OUT is never replaced without -f.\n"
    "\n"
    "COMMANDS\n"
    "    compress     compress IN into OUT (default IN.emz)\n"
    "    decompress   restore the original data (default OUT: IN without .emz)\n"
    "    info         show the header of a compressed file\n"
    "    test         check that a compressed file decodes correctly, writing nothing\n"
    "    help         show this page, or with COMMAND, that command's page\n"
    "\n"
    "    'emzip help COMMAND' and 'emzip COMMAND --help' describe each command.\n"
    "\n"
    "OPTIONS\n"
    "    -h, --help      show help and exit\n"
    "    -V, --version   print 'emzip VERSION' and exit\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success, 1 on an error (I/O, corrupt data, refused overwrite), 2 on a usage\n"
    "    error. When killed by SIGINT, SIGTERM or SIGHUP, emzip removes its temporary file\n"
    "    and dies by that signal (a shell reports 128 + the signal number).\n"
    "\n"
    "EXAMPLES\n"
    "    emzip compress -t bf16 model.safetensors         # writes model.safetensors.emz\n"
    "    emzip decompress model.safetensors.emz -o copy.safetensors\n"
    "    cat w.fp16 | emzip compress -t fp16 - > w.fp16.emz\n";

/* -T, the same on every page that takes it. */
#define THREADS_OPTION                                                                        \
    "    -T, --threads N\n"                                                                   \
    "        Threads to use, 1 to 256; 0 (the default) uses one per online processor. The\n"  \
    "        output is the same for every N.\n"

static const char compress_page[] =
    "NAME\n"
    "    emzip compress - compress tensor data\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip compress -t TYPE [-c CHUNK] [-T N] [-f] [-q] [-o OUT] IN\n"
    "\n"
    "DESCRIPTION\n"
    "    Compresses IN, read as an array of elements of TYPE, into one emzip frame written to\n"
    "    OUT. IN need not be a whole number of elements: trailing bytes are stored verbatim.\n"
    "    Any data round-trips bit for bit whatever TYPE says, but the ratio is good only when\n"
    "    TYPE matches the data. A one-line summary goes to standard error:\n"
    "        IN: ORIGINAL -> COMPRESSED bytes (COMPRESSED/ORIGINAL %), TIME ms\n"
    "\n"
    "OPTIONS\n"
    "    -t, --type TYPE\n"
    "        The element type (required):\n"
    "            bf16    bfloat16\n"
    "            fp16    IEEE half precision\n"
    "            fp32    IEEE single precision\n"
    "            e4m3    OCP FP8 E4M3FN\n"
    "            e5m2    OCP FP8 E5M2\n"
    "            fp4     OCP FP4 E2M1, two per byte, low nibble first\n"
    "            bytes   no structure; the bytes are entropy-coded as they are\n"
    "        The safetensors names BF16, F16, F32, F8_E4M3, F8_E5M2 and U8 are accepted too.\n"
    "    -c, --chunk-size CHUNK\n"
    "        Bytes of original data per chunk: a power of two from 4K to 16M; the suffixes\n"
    "        K and M multiply by 1024 and 1024*1024. Default 256K. Smaller chunks adapt to\n"
    "        changing statistics and allow finer random access; larger ones cost less in\n"
    "        per-chunk tables.\n"
    THREADS_OPTION
    "    -o, --output OUT\n"
    "        Write to OUT ('-': standard output). Default: IN with .emz appended, or\n"
    "        standard output when IN is '-'.\n"
    "    -f, --force\n"
    "        Replace an existing OUT; allow writing to a terminal.\n"
    "    -q, --quiet\n"
    "        Do not print the summary line.\n"
    "    -h, --help\n"
    "        Show this page.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success, 1 on an error, 2 on a usage error (including an invalid CHUNK).\n"
    "\n"
    "EXAMPLES\n"
    "    emzip compress -t bf16 model.safetensors\n"
    "    emzip compress -t e4m3 -c 1M -o w.emz w.bin\n";

static const char decompress_page[] =
    "NAME\n"
    "    emzip decompress - restore compressed tensor data\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip decompress [-T N] [-f] [-q] [--no-check] [-o OUT] IN\n"
    "\n"
    "DESCRIPTION\n"
    "    Decompresses the emzip frame in IN and writes the original bytes to OUT. Every\n"
    "    chunk's checksum is verified unless --no-check is given; the header and index\n"
    "    checksums are always verified. A one-line summary goes to standard error.\n"
    "\n"
    "OPTIONS\n"
    "    -o, --output OUT\n"
    "        Write to OUT ('-': standard output). Default: IN without its .emz suffix (an\n"
    "        error if IN has none), or standard output when IN is '-'.\n"
    "    -f, --force\n"
    "        Replace an existing OUT; allow writing to a terminal.\n"
    "    -q, --quiet\n"
    "        Do not print the summary line.\n"
    "    --no-check\n"
    "        Skip verifying the chunk checksums (faster; corruption may go unnoticed).\n"
    THREADS_OPTION

    "    -h, --help\n"
    "        Show this page.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success, 1 on an error (including corrupt input), 2 on a usage error.\n"
    "\n"
    "EXAMPLES\n"
    "    emzip decompress model.safetensors.emz\n"
    "    emzip decompress -o - w.emz | sha256sum\n";

static const char info_page[] =
    "NAME\n"
    "    emzip info - describe a compressed file\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip info FILE\n"
    "    emzip info --impl [FILE]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints the frame header of FILE ('-': standard input) on standard output: element\n"
    "    type, element count, original and compressed sizes, ratio, chunk size, chunk count\n"
    "    and format version. Only the header is checked; use 'emzip test' to check the data.\n"
    "\n"
    "OPTIONS\n"
    "    --impl\n"
    "        First print which kernel implementation runs (scalar, avx2, avx512 or neon;\n"
    "        EMZIP_IMPL forces one) and which ones this CPU can run. FILE is optional.\n"
    "    -h, --help\n"
    "        Show this page.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success, 1 if FILE cannot be read or has no valid emzip header, 2 on a usage\n"
    "    error.\n";

static const char test_page[] =
    "NAME\n"
    "    emzip test - check the integrity of a compressed file\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip test [-T N] [-q] FILE\n"
    "\n"
    "DESCRIPTION\n"
    "    Decompresses FILE ('-': standard input) in memory, verifying every checksum, and\n"
    "    writes nothing. Prints 'FILE: OK' on standard output, or the error on standard\n"
    "    error.\n"
    "\n"
    "OPTIONS\n"
    "    -q, --quiet\n"
    "        Do not print 'OK'; only the exit status tells.\n"
    THREADS_OPTION

    "    -h, --help\n"
    "        Show this page.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 if FILE is intact, 1 if it is not or cannot be read, 2 on a usage error.\n";

void cli_print_help(cli_command topic, FILE *stream)
{
    switch (topic) {
    case CLI_COMMAND_COMPRESS: fputs(compress_page, stream); break;
    case CLI_COMMAND_DECOMPRESS: fputs(decompress_page, stream); break;
    case CLI_COMMAND_INFO: fputs(info_page, stream); break;
    case CLI_COMMAND_TEST: fputs(test_page, stream); break;
    default: fputs(overview_page, stream); break;
    }
}

void cli_print_version(FILE *stream)
{
    fprintf(stream, "emzip %s\n", emz_version_string());
    cli_print_impl(stream);
}

/* Which kernels run (EMZIP_IMPL can force them) and which this CPU has. */
void cli_print_impl(FILE *stream)
{
    emz_impl running = emz_impl_default();
    const char *name = emz_impl_name(running);
    fprintf(stream, "implementation: %s%s; available:", name ? name : "?",
            emz_impl_available(running) ? "" : " (unavailable: check EMZIP_IMPL)");
    for (int i = EMZ_IMPL_SCALAR; i < EMZ_IMPL_COUNT; i++)
        if (emz_impl_available((emz_impl)i)) fprintf(stream, " %s", emz_impl_name((emz_impl)i));
    fputc('\n', stream);
}
