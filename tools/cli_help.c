/* cli_help.c - the text of emzip's manual pages (see cli_help.h).
 *
 * Each page follows man(1) conventions (NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS,
 * EXAMPLES) so that it reads like the man page it would be turned into. */
#include "cli_help.h"

#include <emzip.h>

/* What the streaming commands hold in memory, stated once for every page that mentions it. */
#define MEMORY_NOTE                                                                           \
    "    Memory does not grow with the file: about 15 x CHUNK per thread, 3.75 MiB per\n"      \
    "    thread at the default 256K chunks. Files larger than memory are fine, except\n"       \
    "    from a pipe: standard input that is not a regular file is held in memory whole.\n"

/* -T, the same on every page that takes it. */
#define THREADS_OPTION                                                                        \
    "    -T, --threads N\n"                                                                   \
    "        Threads to use, 1 to 256; 0 (the default) uses one per online processor. The\n"  \
    "        output is the same for every N.\n"

#define QUIET_OPTION                                                                          \
    "    -q, --quiet\n"                                                                       \
    "        Print no summary line and no progress line.\n"

#define JSON_OPTION                                                                           \
    "    --json\n"                                                                            \
    "        Print the result as JSON on standard output instead of text: one object per\n"   \
    "        file, each on one line (a directory gives one line per file). Sizes are bytes,\n" \
    "        ratios are fractions (compressed / original), times are milliseconds.\n"

#define HELP_OPTION                                                                           \
    "    -h, --help\n"                                                                        \
    "        Show this page.\n"

#define PROGRESS_NOTE                                                                         \
    "    On a terminal, inputs of 64 MiB or more show a progress line on standard error.\n"

static const char overview_page[] =
    "NAME\n"
    "    emzip - lossless compression of neural-network tensors\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip compress [-t TYPE] [-c CHUNK] [-T N] [-f] [-q] [--json] [-o OUT] IN\n"
    "    emzip decompress [-T N] [-f] [-q] [--no-check] [--json] [-o OUT] IN\n"
    "    emzip test [-T N] [-q] [--json] FILE\n"
    "    emzip info [--impl] [--json] [-T N] FILE\n"
    "    emzip list [--json] [-T N] FILE\n"
    "    emzip extract [-T N] [-f] [-q] [-o OUT] FILE TENSOR\n"
    "    emzip help [COMMAND]\n"
    "    emzip --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    emzip compresses model checkpoints and raw tensor data without loss. Each value is\n"
    "    split into its exponent and its sign+mantissa, and each part is entropy-coded on its\n"
    "    own; the exponents of trained weights are highly predictable, which is where the gain\n"
    "    comes from. The data is cut into independently coded chunks, each with its own\n"
    "    checksum.\n"
    "\n"
    "    A safetensors file compresses into a container that stores each tensor with the\n"
    "    codec its dtype calls for; any tensor can be listed and extracted alone, and\n"
    "    decompression restores the file byte for byte. With -t TYPE any file compresses as\n"
    "    raw data of that type. A directory stands for a sharded checkpoint: its\n"
    "    *.safetensors shards and *.safetensors.index.json are compressed (or its *.emz files\n"
    "    restored or tested) one by one.\n"
    "\n"
    "    A file is given as a path, or as '-' for standard input (IN) or standard output (-o).\n"
    "    Output is written to a temporary file next to OUT and renamed into place only when\n"
    "    complete, so an interrupted or failed run never leaves a partial file. An existing\n"
    "    OUT is never replaced without -f.\n"
    "\n"
    MEMORY_NOTE
    "\n"
    "COMMANDS\n"
    "    compress     compress IN into OUT (default IN.emz)\n"
    "    decompress   restore the original file (default OUT: IN without .emz)\n"
    "    test         check that a compressed file decodes correctly, writing nothing\n"
    "    info         describe a compressed file: sizes, ratio, and per dtype for a checkpoint\n"
    "    list         list the tensors of a compressed checkpoint\n"
    "    extract      write one tensor's raw data\n"
    "    help         show this page, or with COMMAND, that command's page\n"
    "\n"
    "    'emzip help COMMAND' and 'emzip COMMAND --help' describe each command.\n"
    "\n"
    "OPTIONS\n"
    "    -h, --help      show help and exit\n"
    "    -V, --version   print 'emzip VERSION' and the kernel implementation, and exit\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success; 1 on an error (I/O, corrupt or malformed data, a file that is not\n"
    "    safetensors without -t, refused overwrite, unknown tensor); 2 on a usage error (the\n"
    "    command line itself is wrong). Every error is one line on standard error,\n"
    "    'emzip: FILE: message'. When killed by SIGINT, SIGTERM or SIGHUP, emzip removes its\n"
    "    temporary file and dies by that signal (a shell reports 128 + the signal number).\n"
    "\n"
    "EXAMPLES\n"
    "    emzip compress model.safetensors              # writes model.safetensors.emz\n"
    "    emzip decompress model.safetensors.emz -o copy.safetensors\n"
    "    emzip compress checkpoint/ -o packed/         # every shard and the index\n"
    "    emzip list model.safetensors.emz\n"
    "    emzip extract model.safetensors.emz lm_head.weight -o lm_head.bin\n"
    "    cat w.fp16 | emzip compress -t fp16 - > w.fp16.emz\n";

static const char compress_page[] =
    "NAME\n"
    "    emzip compress - compress a checkpoint or tensor data\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip compress [-t TYPE] [-c CHUNK] [-T N] [-f] [-q] [--json] [-o OUT] IN\n"
    "\n"
    "DESCRIPTION\n"
    "    Without -t, IN must be a safetensors file. It is compressed into a container: the\n"
    "    header and every tensor are stored separately, each tensor typed from its dtype\n"
    "    (BF16, F16, F32, F8_E4M3, F8_E5M2, F4, and U8 '*.blocks' as MXFP4; other dtypes and\n"
    "    tensors under 512 bytes as bytes), so that 'emzip list' and 'emzip extract' can\n"
    "    reach each tensor. A malformed header is an error naming the tensor and the problem,\n"
    "    and nothing is written. A file that is not safetensors is refused unless -t is given.\n"
    "\n"
    "    With -t TYPE, IN is read as an array of elements of TYPE and compressed into one\n"
    "    emzip frame. IN need not be a whole number of elements: trailing bytes are stored\n"
    "    verbatim. Any data round-trips bit for bit whatever TYPE says, but the ratio is good\n"
    "    only when TYPE matches the data.\n"
    "\n"
    "    If IN is a directory (a sharded checkpoint), every *.safetensors file in it and\n"
    "    every *.safetensors.index.json (stored as bytes) is compressed to NAME.emz, next to\n"
    "    it or in -o OUTDIR. Subdirectories are not entered; -t is not allowed. A failed file\n"
    "    does not stop the others.\n"
    "\n"
    "    IN is read as it is needed, never whole. A summary line goes to standard error:\n"
    "        IN: ORIGINAL -> COMPRESSED bytes (COMPRESSED/ORIGINAL %), TIME ms, SPEED MB/s\n"
    "    (MB/s of original data, 1 MB = 10^6 bytes), and for a directory a 'total:' line.\n"
    PROGRESS_NOTE
    "\n"
    MEMORY_NOTE
    "\n"
    "OPTIONS\n"
    "    -t, --type TYPE\n"
    "        Compress IN as raw data of this element type:\n"
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
    "        standard output when IN is '-'. For a directory IN, OUT is the output directory,\n"
    "        created if missing.\n"
    "    -f, --force\n"
    "        Replace an existing OUT; allow writing to a terminal.\n"
    QUIET_OPTION
    JSON_OPTION
    "        Fields: command, input, output, kind (safetensors or frame), type (with -t),\n"
    "        original_size, compressed_size, ratio, ms, mb_per_s. Not with output to\n"
    "        standard output.\n"
    HELP_OPTION
    "\n"
    "EXIT STATUS\n"
    "    0 on success; 1 on an error, including IN not being a safetensors file without -t\n"
    "    and a malformed safetensors header; 2 on a usage error (including an invalid CHUNK).\n"
    "\n"
    "EXAMPLES\n"
    "    emzip compress model.safetensors\n"
    "    emzip compress -T 8 checkpoint/ -o packed/\n"
    "    emzip compress -t e4m3 -c 1M -o w.emz w.bin\n";

static const char decompress_page[] =
    "NAME\n"
    "    emzip decompress - restore a compressed file\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip decompress [-T N] [-f] [-q] [--no-check] [--json] [-o OUT] IN\n"
    "\n"
    "DESCRIPTION\n"
    "    Decompresses IN, a compressed checkpoint or frame, and writes the original file to\n"
    "    OUT, in order, as it is decoded. Every chunk's checksum is verified unless\n"
    "    --no-check is given; the headers, directory and index checksums are always verified.\n"
    "    An error in a checkpoint names the tensor it lies in. A summary line goes to\n"
    "    standard error:\n"
    "        IN: COMPRESSED -> ORIGINAL bytes, TIME ms, SPEED MB/s\n"
    "\n"
    "    If IN is a directory, every *.emz file in it is restored to its name without .emz,\n"
    "    next to it or in -o OUTDIR.\n"
    PROGRESS_NOTE
    "\n"
    MEMORY_NOTE
    "\n"
    "OPTIONS\n"
    "    -o, --output OUT\n"
    "        Write to OUT ('-': standard output). Default: IN without its .emz suffix (an\n"
    "        error if IN has none), or standard output when IN is '-'. For a directory IN,\n"
    "        the output directory, created if missing.\n"
    "    -f, --force\n"
    "        Replace an existing OUT; allow writing to a terminal.\n"
    "    --no-check\n"
    "        Skip verifying the chunk checksums (faster; corruption may go unnoticed).\n"
    THREADS_OPTION
    QUIET_OPTION
    JSON_OPTION
    "        Fields: command, input, output, kind, original_size, compressed_size, ms,\n"
    "        mb_per_s. Not with output to standard output.\n"
    HELP_OPTION
    "\n"
    "EXIT STATUS\n"
    "    0 on success, 1 on an error (including corrupt input), 2 on a usage error.\n"
    "\n"
    "EXAMPLES\n"
    "    emzip decompress model.safetensors.emz\n"
    "    emzip decompress packed/ -o checkpoint/\n"
    "    emzip decompress -o - w.emz | sha256sum\n";

static const char test_page[] =
    "NAME\n"
    "    emzip test - check the integrity of a compressed file\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip test [-T N] [-q] [--json] FILE\n"
    "\n"
    "DESCRIPTION\n"
    "    Decodes all of FILE ('-': standard input), verifying every checksum, and writes\n"
    "    nothing. Prints 'FILE: OK' on standard output, or the error on standard error; in a\n"
    "    checkpoint the error names the tensor, e.g.\n"
    "        emzip: m.emz: checksum mismatch: ...: in tensor \"w\" (original bytes ...)\n"
    "    If FILE is a directory, every *.emz file in it is tested.\n"
    PROGRESS_NOTE
    "\n"
    MEMORY_NOTE
    "\n"
    "OPTIONS\n"
    "    -q, --quiet\n"
    "        Print neither 'OK' nor a progress line; only the exit status tells.\n"
    THREADS_OPTION
    JSON_OPTION
    "        Fields: command, input, ok, and kind, original_size, compressed_size, ms,\n"
    "        mb_per_s when intact, or error (a short status name), message and detail.\n"
    HELP_OPTION
    "\n"
    "EXIT STATUS\n"
    "    0 if FILE is intact, 1 if it is not or cannot be read, 2 on a usage error.\n";

static const char info_page[] =
    "NAME\n"
    "    emzip info - describe a compressed file\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip info [--json] [-T N] FILE\n"
    "    emzip info --impl [--json] [FILE]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints on standard output what FILE ('-': standard input) holds, from its headers,\n"
    "    directory and chunk indexes; no data is decoded (use 'emzip test' to check it).\n"
    "\n"
    "    A frame (compressed with -t): kind, element type, element count, original and\n"
    "    compressed sizes, ratio, chunk size, chunk count and format version.\n"
    "\n"
    "    A checkpoint: kind, original and compressed sizes, ratio, segments (frames), chunks,\n"
    "    tensors, and a table by dtype: tensors, original bytes, stored bytes and ratio. Its\n"
    "    '(other)' row holds the rest of the file, so that the rows add up: the safetensors\n"
    "    header, tensors under 512 bytes that share a frame with it or with other bytes\n"
    "    (counted under their dtype in TENSORS only), bytes outside tensors, and the\n"
    "    container's own header and directory.\n"
    "\n"
    "OPTIONS\n"
    "    --impl\n"
    "        First print which kernel implementation runs (scalar, avx2, avx512 or neon;\n"
    "        EMZIP_IMPL forces one) and which ones this CPU can run. FILE is optional.\n"
    JSON_OPTION
    "        Fields: command, input, kind (frame or safetensors), original_size,\n"
    "        compressed_size, ratio, segments, chunks; for a frame type, elements,\n"
    "        chunk_size, format_version; for a checkpoint tensors, dtypes (an array of\n"
    "        dtype, tensors, original_size, stored_size, ratio) and other; with --impl\n"
    "        implementation and available.\n"
    THREADS_OPTION
    HELP_OPTION
    "\n"
    "EXIT STATUS\n"
    "    0 on success, 1 if FILE cannot be read or is not a valid emzip file, 2 on a usage\n"
    "    error.\n";

static const char list_page[] =
    "NAME\n"
    "    emzip list - list the tensors of a compressed checkpoint\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip list [--json] [-T N] FILE\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints one line per tensor of FILE, a checkpoint compressed by 'emzip compress', in\n"
    "    the order of their data: name, dtype, shape, size and stored size in bytes, and the\n"
    "    ratio; then a total line. Tensors under 512 bytes are stored as bytes, in one frame\n"
    "    with whatever else lies between the larger tensors around them (e.g. the header);\n"
    "    those that share such a frame show '-' as stored size and ratio, and the total's\n"
    "    ratio counts only the others. Control characters in names are shown as \\xNN. Only\n"
    "    the headers are read.\n"
    "\n"
    "OPTIONS\n"
    JSON_OPTION
    "        Fields: command, input, tensors (an array of name, dtype, shape, offset in the\n"
    "        original file, size, stored_size, ratio; stored_size 0 and ratio null for a\n"
    "        tensor in a shared frame) and total (tensors, size, stored_size, ratio).\n"
    THREADS_OPTION
    HELP_OPTION
    "\n"
    "EXIT STATUS\n"
    "    0 on success, 1 if FILE cannot be read or is not a compressed checkpoint (a frame\n"
    "    compressed with -t has no tensors), 2 on a usage error.\n"
    "\n"
    "EXAMPLES\n"
    "    emzip list model.safetensors.emz | sort -k4 -n\n"
    "    emzip list --json model.safetensors.emz | python3 -m json.tool\n";

static const char extract_page[] =
    "NAME\n"
    "    emzip extract - write one tensor of a compressed checkpoint\n"
    "\n"
    "SYNOPSIS\n"
    "    emzip extract [-T N] [-f] [-q] [-o OUT] FILE TENSOR\n"
    "\n"
    "DESCRIPTION\n"
    "    Writes the raw data of the tensor named TENSOR (exactly its size in bytes, as stored\n"
    "    in the safetensors file: little-endian elements, no header) to OUT. Only that\n"
    "    tensor's chunks are read and decoded, and their checksums verified, 64 MiB at a\n"
    "    time. 'emzip list FILE' shows the names. A summary line goes to standard error.\n"
    PROGRESS_NOTE
    "\n"
    "OPTIONS\n"
    "    -o, --output OUT\n"
    "        Write to OUT. Default '-': standard output (refused on a terminal without -f).\n"
    "    -f, --force\n"
    "        Replace an existing OUT; allow writing to a terminal.\n"
    QUIET_OPTION
    THREADS_OPTION
    HELP_OPTION
    "\n"
    "EXIT STATUS\n"
    "    0 on success, 1 on an error (including an unknown TENSOR or corrupt data), 2 on a\n"
    "    usage error.\n"
    "\n"
    "EXAMPLES\n"
    "    emzip extract model.safetensors.emz model.embed_tokens.weight -o embed.bin\n"
    "    emzip extract -q model.safetensors.emz lm_head.weight | sha256sum\n";

void cli_print_help(cli_command topic, FILE *stream)
{
    switch (topic) {
    case CLI_COMMAND_COMPRESS: fputs(compress_page, stream); break;
    case CLI_COMMAND_DECOMPRESS: fputs(decompress_page, stream); break;
    case CLI_COMMAND_INFO: fputs(info_page, stream); break;
    case CLI_COMMAND_TEST: fputs(test_page, stream); break;
    case CLI_COMMAND_LIST: fputs(list_page, stream); break;
    case CLI_COMMAND_EXTRACT: fputs(extract_page, stream); break;
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
