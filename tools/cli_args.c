/* cli_args.c - command-line parsing (see cli_args.h).
 *
 * Two grammars. "emzip COMMAND [OPTIONS] OPERAND...": the command comes first, then
 * getopt_long parses the rest with that command's options. "emzip [OPTIONS] [FILE...]", when
 * the first argument is no command: zstd's and gzip's habits, compressing unless -d or --test
 * selects another operation, and reading standard input when no FILE is given; the options
 * are those of the three operations, each then checked against the one selected. Options may
 * come before or after the operands either way (glibc permutes arguments; "--" ends the
 * options and "-" is an operand meaning stdin).
 */
#include "cli_args.h"

#include "cli_diag.h"

#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Long options without a short form get values outside the char range. */
enum {
    OPTION_NO_CHECK = 256,
    OPTION_IMPL,
    OPTION_JSON,
    OPTION_CHUNK_SIZE,
    OPTION_RM,
    OPTION_TEST,
    OPTION_MEMORY_LIMIT,
    OPTION_MAX_SIZE,
    OPTION_NO_FSYNC,
    OPTION_LAYOUT,
    OPTION_BLOCK_SIZE,
    OPTION_GROUPS,
    OPTION_BASE,
    OPTION_LIMIT
};

static const char *const command_names[] = {
    [CLI_COMMAND_COMPRESS] = "compress", [CLI_COMMAND_DECOMPRESS] = "decompress",
    [CLI_COMMAND_INFO] = "info",         [CLI_COMMAND_TEST] = "test",
    [CLI_COMMAND_LIST] = "list",         [CLI_COMMAND_EXTRACT] = "extract",
    [CLI_COMMAND_TRAIN] = "train",       [CLI_COMMAND_HELP] = "help",
};
enum { COMMAND_NAME_COUNT = sizeof command_names / sizeof command_names[0] };

const char *cli_command_name(cli_command command) {
    return (size_t)command < COMMAND_NAME_COUNT ? command_names[command] : NULL;
}

static cli_command command_from_name(const char *name) {
    for (size_t i = 0; i < COMMAND_NAME_COUNT; i++)
        if (command_names[i] != NULL && strcmp(command_names[i], name) == 0) return (cli_command)i;
    return CLI_COMMAND_NONE;
}

/* Parses "262144", "256K", "256KiB", "1M", "2G", ... into bytes. Returns false on anything else,
 * including overflow; the library checks the value's range. */
static bool parse_byte_count(const char *text, int64_t *bytes) {
    if (*text < '0' || *text > '9') return false;
    int64_t value = 0;
    const char *next = text;
    for (; *next >= '0' && *next <= '9'; next++) {
        int digit = *next - '0';
        if (value > (INT64_MAX - digit) / 10) return false;
        value = value * 10 + digit;
    }
    int64_t unit = 1;
    if (*next == 'K' || *next == 'k')
        unit = 1024;
    else if (*next == 'M' || *next == 'm')
        unit = 1024 * 1024;
    else if (*next == 'G' || *next == 'g')
        unit = INT64_C(1) << 30;
    if (unit != 1) {
        next++;
        if (strcmp(next, "iB") == 0 || strcmp(next, "B") == 0) next += strlen(next);
    }
    if (*next != '\0' || value > INT64_MAX / unit) return false;
    *bytes = value * unit;
    return true;
}

/* Every long option, spelled once. A grammar takes those whose short form is in its
 * short_options, and those of its long_only (select_long_options). */
#define WITH_VALUE(name, option)                                                                   \
    { name, required_argument, NULL, option }
#define FLAG(name, option)                                                                         \
    { name, no_argument, NULL, option }
static const struct option all_long_options[] = {
    WITH_VALUE("type", 't'),
    WITH_VALUE("chunk-size", OPTION_CHUNK_SIZE),
    WITH_VALUE("memory-limit", OPTION_MEMORY_LIMIT),
    WITH_VALUE("max-size", OPTION_MAX_SIZE),
    WITH_VALUE("threads", 'T'),
    WITH_VALUE("output", 'o'),
    WITH_VALUE("layout", OPTION_LAYOUT),
    WITH_VALUE("block-size", OPTION_BLOCK_SIZE),
    WITH_VALUE("groups", OPTION_GROUPS),
    WITH_VALUE("base", OPTION_BASE),
    FLAG("stdout", 'c'),
    FLAG("keep", 'k'),
    FLAG("rm", OPTION_RM),
    FLAG("force", 'f'),
    FLAG("quiet", 'q'),
    FLAG("verbose", 'v'),
    FLAG("compress", 'z'),
    FLAG("decompress", 'd'),
    FLAG("uncompress", 'd'),
    FLAG("test", OPTION_TEST),
    FLAG("help", 'h'),
    FLAG("version", 'V'),
    FLAG("no-check", OPTION_NO_CHECK),
    FLAG("no-fsync", OPTION_NO_FSYNC),
    FLAG("impl", OPTION_IMPL),
    FLAG("json", OPTION_JSON),
};
enum { LONG_OPTION_COUNT = sizeof all_long_options / sizeof all_long_options[0] };
#undef WITH_VALUE
#undef FLAG

/* The bit of a long-only option in command_grammar.long_only. */
#define TAKES(option) (1u << ((option)-OPTION_NO_CHECK))

/* --memory-limit and --max-size: every command that decodes data. */
#define LIMITS (TAKES(OPTION_MEMORY_LIMIT) | TAKES(OPTION_MAX_SIZE))
/* --no-fsync: every command that writes files. */
#define DURABILITY TAKES(OPTION_NO_FSYNC)

/* Which options a grammar takes. -h/--help is accepted by all of them. */
typedef struct command_grammar {
    const char *short_options; /* ":" first: getopt reports a missing argument as ':' */
    unsigned long_only;        /* TAKES() of the long options without a short form */
} command_grammar;

static const command_grammar grammars[] = {
    [CLI_COMMAND_COMPRESS] = {":t:T:o:ckfqvzh",
                              TAKES(OPTION_CHUNK_SIZE) | TAKES(OPTION_RM) | TAKES(OPTION_JSON) |
                                  TAKES(OPTION_MEMORY_LIMIT) | DURABILITY | TAKES(OPTION_BASE)},
    [CLI_COMMAND_DECOMPRESS] = {":T:o:ckfqvdh", TAKES(OPTION_NO_CHECK) | TAKES(OPTION_RM) |
                                                    TAKES(OPTION_JSON) | LIMITS | DURABILITY |
                                                    TAKES(OPTION_BASE)},
    [CLI_COMMAND_INFO] = {":T:h", TAKES(OPTION_IMPL) | TAKES(OPTION_JSON) | TAKES(OPTION_BASE)},
    [CLI_COMMAND_TEST] = {":T:qh",
                          TAKES(OPTION_TEST) | TAKES(OPTION_JSON) | LIMITS | TAKES(OPTION_BASE)},
    [CLI_COMMAND_LIST] = {":T:h", TAKES(OPTION_JSON) | TAKES(OPTION_BASE)},
    [CLI_COMMAND_EXTRACT] = {":T:o:fqvh", LIMITS | DURABILITY | TAKES(OPTION_BASE)},
    [CLI_COMMAND_TRAIN] = {":t:o:fqvh", TAKES(OPTION_LAYOUT) | TAKES(OPTION_BLOCK_SIZE) |
                                            TAKES(OPTION_GROUPS) | DURABILITY},
};

/* "emzip [OPTIONS] [FILE...]": the options of compress, decompress and test, and -V. */
static const command_grammar operation_grammar = {
    ":t:T:o:ckfqvzdhV", TAKES(OPTION_CHUNK_SIZE) | TAKES(OPTION_RM) | TAKES(OPTION_JSON) |
                            TAKES(OPTION_NO_CHECK) | TAKES(OPTION_TEST) | LIMITS | DURABILITY |
                            TAKES(OPTION_BASE)};

static bool grammar_takes(command_grammar grammar, int option) {
    return option >= OPTION_NO_CHECK ? (grammar.long_only & TAKES(option)) != 0
                                     : strchr(grammar.short_options, option) != NULL;
}

/* Fills selected (room for all of them and one more) with the long options of grammar, ended
 * by the zero entry getopt_long wants. Only these may match, so that an abbreviation such as
 * "--t" means the one option of this command that it can (--threads for decompress). */
static void select_long_options(command_grammar grammar, struct option *selected) {
    size_t count = 0;
    for (size_t i = 0; i < LONG_OPTION_COUNT; i++)
        if (grammar_takes(grammar, all_long_options[i].val))
            selected[count++] = all_long_options[i];
    selected[count] = (struct option){NULL, 0, NULL, 0};
}

/* What parsing has learnt besides the options themselves. */
typedef struct parse_state {
    const char *command;   /* for messages: the command as typed; NULL without one */
    cli_command operation; /* chosen by -z, -d or --test; CLI_COMMAND_NONE: none given */
    bool to_stdout;        /* -c */
    bool seen[OPTION_LIMIT];
} parse_state;

/* A usage error, prefixed with the command when there is one ("compress: ..."). */
static void usage_error(const parse_state *state, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void usage_error(const parse_state *state, const char *format, ...) {
    char message[512];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    if (state->command != NULL)
        cli_usage_error(state->command, "%s: %s", state->command, message);
    else
        cli_usage_error(NULL, "%s", message);
}

/* How an option is named in messages: "-t/--type", "--chunk-size". */
static void option_name(int option, char *name, size_t capacity) {
    const char *long_name = NULL;
    for (size_t i = 0; i < LONG_OPTION_COUNT && long_name == NULL; i++)
        if (all_long_options[i].val == option) long_name = all_long_options[i].name;
    if (option < OPTION_NO_CHECK)
        snprintf(name, capacity, "-%c/--%s", option, long_name);
    else
        snprintf(name, capacity, "--%s", long_name);
}

/* The hint for the spelling -c had before it meant --stdout. */
static const char old_chunk_hint[] = "-c now means --stdout, as in zstd, gzip and xz; the chunk "
                                     "size is --chunk-size";

/* Reports the option getopt_long just rejected. */
static void report_bad_option(const parse_state *state, char **argv, int failure) {
    const char *problem = failure == ':' ? "option requires an argument" : "unknown option";
    /* A long option is best quoted as typed; a short one may sit inside a bundle ("-fx"),
     * so it is named by the character getopt_long stopped at. */
    const char *typed = argv[optind - 1];
    if (strncmp(typed, "--", 2) == 0 || optopt == 0 || optopt >= OPTION_NO_CHECK)
        usage_error(state, "%s '%s'", failure == ':' ? problem : "unknown or ambiguous option",
                    typed);
    else if (state->seen['c'] && optopt >= '0' && optopt <= '9') /* "-c64K" */
        usage_error(state, "%s '-%c' (%s SIZE)", problem, optopt, old_chunk_hint);
    else
        usage_error(state, "%s '-%c'", problem, optopt);
}

/* -z, -d, --test: the operation of "emzip [OPTIONS] [FILE...]". */
static int choose_operation(parse_state *state, cli_command operation) {
    if (state->operation != CLI_COMMAND_NONE && state->operation != operation) {
        usage_error(state, "conflicting operations: choose one of -z, -d and --test");
        return CLI_EXIT_USAGE;
    }
    state->operation = operation;
    return CLI_EXIT_OK;
}

/* A positive number of at most max; false on anything else. */
static bool parse_count(const char *text, uint32_t max, uint32_t *value) {
    char *end;
    if (*text < '0' || *text > '9') return false;
    unsigned long n = strtoul(text, &end, 10);
    if (end == text || n == 0 || n > max) return false;
    *value = (uint32_t)n;
    return *end == '\0';
}

/* "kv:HEADS:HEAD_DIM", at most 2^24 values a token as a table file allows. */
static bool parse_layout(const char *text, cli_options *options) {
    enum { LAYOUT_MAX = 1 << 24 };
    const char *colon = strncmp(text, "kv:", 3) == 0 ? strchr(text + 3, ':') : NULL;
    char heads[16];
    if (colon == NULL || (size_t)(colon - text - 3) >= sizeof heads) return false;
    memcpy(heads, text + 3, (size_t)(colon - text - 3));
    heads[colon - text - 3] = '\0';
    return parse_count(heads, LAYOUT_MAX, &options->heads) &&
           parse_count(colon + 1, LAYOUT_MAX / options->heads, &options->head_dim);
}

/* The options of train: --layout, --block-size, --groups. */
static int apply_train_option(int option, cli_options *options, const parse_state *state) {
    if (option == OPTION_LAYOUT && !parse_layout(optarg, options)) {
        usage_error(state,
                    "invalid layout '%s' (expected kv:HEADS:HEAD_DIM, e.g. kv:8:128; at "
                    "most 2^24 values a token)",
                    optarg);
        return CLI_EXIT_USAGE;
    }
    if (option == OPTION_BLOCK_SIZE &&
        (!parse_byte_count(optarg, &options->block_size) || options->block_size < 16 ||
         options->block_size > (1 << 24))) {
        usage_error(state, "invalid block size '%s' (16 bytes to 16M, e.g. 32K)", optarg);
        return CLI_EXIT_USAGE;
    }
    if (option == OPTION_GROUPS) {
        if (!parse_count(optarg, 65535, &options->groups)) {
            usage_error(state, "invalid group count '%s' (1 to 65535)", optarg);
            return CLI_EXIT_USAGE;
        }
        options->groups_given = true;
    }
    return CLI_EXIT_OK;
}

static int apply_value_option(int option, cli_options *options, const parse_state *state) {
    if (option == OPTION_MEMORY_LIMIT || option == OPTION_MAX_SIZE) {
        int64_t *value =
            option == OPTION_MEMORY_LIMIT ? &options->memory_limit : &options->max_output;
        if (!parse_byte_count(optarg, value) || *value == 0) {
            usage_error(state, "invalid %s '%s' (expected bytes, e.g. 512M or 2G)",
                        option == OPTION_MEMORY_LIMIT ? "memory limit" : "size limit", optarg);
            return CLI_EXIT_USAGE;
        }
    } else if (option == 't') {
        if (emz_type_from_name(optarg, &options->type) != EMZ_OK) {
            usage_error(state,
                        "unknown type '%s' (expected bf16, fp16, fp32, e4m3, e5m2, fp4 or bytes)",
                        optarg);
            return CLI_EXIT_USAGE;
        }
        options->type_given = true;
    } else if (option == OPTION_CHUNK_SIZE) {
        if (!parse_byte_count(optarg, &options->chunk_size)) {
            usage_error(state, "invalid chunk size '%s' (expected bytes, e.g. 65536, 64K or 1M)",
                        optarg);
            return CLI_EXIT_USAGE;
        }
        options->chunk_size_given = true;
        options->chunk_size_text = optarg;
    } else if (option == 'T') {
        char *end;
        long n = strtol(optarg, &end, 10);
        if (*optarg == '\0' || *end != '\0' || n < 0 || n > 256) {
            usage_error(state, "invalid thread count '%s' (0 = all cores, or 1 to 256)", optarg);
            return CLI_EXIT_USAGE;
        }
        options->threads = n;
    } else if (option == OPTION_BASE) {
        options->base_path = optarg;
    } else { /* 'o' */
        options->output_path = optarg;
    }
    return CLI_EXIT_OK;
}

static int apply_option(int option, cli_options *options, parse_state *state) {
    state->seen[option] = true;
    switch (option) {
    case 't':
    case 'T':
    case 'o':
    case OPTION_CHUNK_SIZE:
    case OPTION_MEMORY_LIMIT:
    case OPTION_MAX_SIZE:
    case OPTION_BASE:
        return apply_value_option(option, options, state);
    case OPTION_LAYOUT:
    case OPTION_BLOCK_SIZE:
    case OPTION_GROUPS:
        return apply_train_option(option, options, state);
    case 'c':
        state->to_stdout = true;
        break;
    case 'k': /* the default: inputs are kept */
        options->remove_input = false;
        break;
    case OPTION_RM:
        options->remove_input = true;
        break;
    case 'f':
        options->force = true;
        break;
    case 'q':
    case 'v':
        options->quiet = option == 'q';
        options->verbose = option == 'v';
        break;
    case 'z':
        return choose_operation(state, CLI_COMMAND_COMPRESS);
    case 'd':
        return choose_operation(state, CLI_COMMAND_DECOMPRESS);
    case OPTION_TEST:
        return choose_operation(state, CLI_COMMAND_TEST);
    case OPTION_NO_CHECK:
        options->verify_checksum = false;
        break;
    case OPTION_NO_FSYNC:
        options->no_fsync = true;
        break;
    case OPTION_IMPL:
        options->show_impl = true;
        break;
    case OPTION_JSON:
        options->json = true;
        break;
    default:
        break; /* not reached: getopt_long only returns listed options */
    }
    return CLI_EXIT_OK;
}

/* Runs getopt_long over argv[1..] with grammar. -h and -V end the parse at once. */
static int parse_options(int argc, char **argv, command_grammar grammar, cli_options *options,
                         parse_state *state) {
    struct option long_options[LONG_OPTION_COUNT + 1];
    select_long_options(grammar, long_options);
    opterr = 0; /* report problems ourselves, in our format */
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, grammar.short_options, long_options, NULL)) != -1) {
        if (option == '?' || option == ':') {
            report_bad_option(state, argv, option);
            return CLI_EXIT_USAGE;
        }
        if (option == 'h' || option == 'V') {
            options->help_topic = options->command;
            options->command = option == 'V'                          ? CLI_COMMAND_VERSION
                               : options->command == CLI_COMMAND_NONE ? CLI_COMMAND_USAGE
                                                                      : CLI_COMMAND_HELP;
            return CLI_EXIT_OK;
        }
        int status = apply_option(option, options, state);
        if (status != CLI_EXIT_OK) return status;
    }
    return CLI_EXIT_OK;
}

/* "emzip [OPTIONS] [FILE...]": every option given must belong to the operation chosen. */
static int check_operation_options(const parse_state *state) {
    static const char *const operation_names[] = {[CLI_COMMAND_COMPRESS] = "compression",
                                                  [CLI_COMMAND_DECOMPRESS] = "decompression (-d)",
                                                  [CLI_COMMAND_TEST] = "--test"};
    command_grammar grammar = grammars[state->operation];
    for (int option = 0; option < OPTION_LIMIT; option++) {
        if (!state->seen[option] || grammar_takes(grammar, option)) continue;
        char name[40];
        option_name(option, name, sizeof name);
        usage_error(state, "option %s does not apply to %s", name,
                    operation_names[state->operation]);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

static bool path_exists(const char *path) {
    return access(path, F_OK) == 0;
}

/* The operands' usage errors that a likely slip explains: the old "-c CHUNK", and a command
 * typed after an option ("emzip -q decompress x.emz"), where it reads as a file name. */
static int check_slips(const cli_options *options, const parse_state *state, bool bare) {
    int64_t size;
    bool old_chunk = state->to_stdout && options->command == CLI_COMMAND_COMPRESS;
    for (int i = 0; i < options->input_count; i++) {
        const char *operand = options->inputs[i];
        if (old_chunk && parse_byte_count(operand, &size) && !path_exists(operand)) {
            usage_error(state, "'%s' is not a file: %s %s", operand, old_chunk_hint, operand);
            return CLI_EXIT_USAGE;
        }
        if (bare && command_from_name(operand) != CLI_COMMAND_NONE && !path_exists(operand)) {
            usage_error(state,
                        "'%s' is a command: it must come first ('emzip %s [OPTIONS] ...'; "
                        "'./%s' names a file)",
                        operand, operand, operand);
            return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}

/* The operands after the options: FILE... for compress, decompress and test (none: stdin, in
 * the bare grammar), SAMPLE... for train, one FILE for info and list (none for info --impl), FILE
 * TENSOR for extract. */
static int take_operands(int count, char **operands, cli_options *options, const parse_state *state,
                         bool bare) {
    static const char *const standard_input[] = {"-"};
    cli_command command = options->command;
    bool one_file = command == CLI_COMMAND_INFO || command == CLI_COMMAND_LIST;
    int wanted = command == CLI_COMMAND_EXTRACT ? 2 : 1;
    if (count == 0 && bare) {
        options->inputs = standard_input;
        options->input_count = 1;
    } else if (count == 0 && command == CLI_COMMAND_INFO && options->show_impl) {
        options->input_count = 0; /* "emzip info --impl": no file needed */
    } else if (count == 0) {
        usage_error(state, "%s",
                    command == CLI_COMMAND_TRAIN
                        ? "missing SAMPLE files (K/V caches in safetensors files, or "
                          "raw data of the type)"
                        : "missing input file (use '-' for stdin)");
        return CLI_EXIT_USAGE;
    } else if (count < wanted) {
        usage_error(state, "missing tensor name (see 'emzip list %s')", operands[0]);
        return CLI_EXIT_USAGE;
    } else if ((one_file || command == CLI_COMMAND_EXTRACT) && count > wanted) {
        usage_error(state, "too many operands, starting at '%s' (%s)", operands[wanted],
                    one_file ? "one file at a time" : "one tensor at a time");
        return CLI_EXIT_USAGE;
    } else {
        options->inputs = (const char *const *)operands;
        options->input_count = command == CLI_COMMAND_EXTRACT ? 1 : count;
        if (command == CLI_COMMAND_EXTRACT) options->tensor_name = operands[1];
    }
    options->input_path = options->input_count > 0 ? options->inputs[0] : NULL;
    return check_slips(options, state, bare);
}

/* What follows from the options together: -c against -o, whether summaries show; train's
 * -t and -o. */
static int settle(cli_options *options, const parse_state *state) {
    if (options->command == CLI_COMMAND_TRAIN && (!options->type_given || !options->output_path)) {
        usage_error(state, "missing %s",
                    !options->type_given ? "-t TYPE (the element type of the samples)"
                                         : "-o OUT (the table file to write, e.g. model.emzt)");
        return CLI_EXIT_USAGE;
    }
    if (state->to_stdout) {
        if (options->output_path != NULL && strcmp(options->output_path, "-") != 0) {
            usage_error(state, "-c writes to standard output and -o to '%s': choose one",
                        options->output_path);
            return CLI_EXIT_USAGE;
        }
        options->output_path = "-";
    }
    options->summary =
        !options->quiet && !options->json && (options->verbose || isatty(STDERR_FILENO));
    return CLI_EXIT_OK;
}

/* argv[0] is the command (or, bare, the program) and the rest its options and operands. */
static int parse_command(int argc, char **argv, cli_options *options, bool bare) {
    parse_state state = {
        bare ? NULL : cli_command_name(options->command), CLI_COMMAND_NONE, false, {false}};
    command_grammar grammar = bare ? operation_grammar : grammars[options->command];
    int status = parse_options(argc, argv, grammar, options, &state);
    if (status != CLI_EXIT_OK || options->command >= CLI_COMMAND_HELP) return status;
    if (bare) {
        options->command =
            state.operation != CLI_COMMAND_NONE ? state.operation : CLI_COMMAND_COMPRESS;
        state.operation = options->command;
        if ((status = check_operation_options(&state)) != CLI_EXIT_OK) return status;
    }
    status = take_operands(argc - optind, argv + optind, options, &state, bare);
    return status != CLI_EXIT_OK ? status : settle(options, &state);
}

/* A word of lower-case letters, as commands are. */
static bool looks_like_command(const char *word) {
    for (const char *c = word; *c != '\0'; c++)
        if (*c < 'a' || *c > 'z') return false;
    return *word != '\0';
}

/* "emzip help [COMMAND]". */
static int parse_help(int argc, char **argv, cli_options *options) {
    options->command = CLI_COMMAND_HELP;
    options->help_topic = CLI_COMMAND_NONE;
    if (argc > 2) {
        cli_usage_error(NULL, "help: too many operands");
        return CLI_EXIT_USAGE;
    }
    if (argc == 2) {
        cli_command topic = command_from_name(argv[1]);
        if (topic == CLI_COMMAND_NONE) {
            cli_usage_error(NULL, "help: unknown command '%s'", argv[1]);
            return CLI_EXIT_USAGE;
        }
        options->help_topic = topic;
    }
    return CLI_EXIT_OK;
}

int cli_parse_args(int argc, char **argv, cli_options *options) {
    memset(options, 0, sizeof *options);
    options->verify_checksum = true;

    if (argc < 2 && isatty(STDIN_FILENO)) {
        /* "emzip" typed alone: the caller prints the short usage, which lists the commands,
         * as the error. From a pipe or file it compresses stdin to stdout, as zstd does. */
        options->command = CLI_COMMAND_USAGE;
        return CLI_EXIT_USAGE;
    }
    if (argc < 2) return parse_command(argc, argv, options, true);
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        options->command = CLI_COMMAND_USAGE;
        return argc == 2 ? CLI_EXIT_OK : parse_help(argc - 1, argv + 1, options);
    }
    options->command = command_from_name(first);
    if (options->command == CLI_COMMAND_HELP) return parse_help(argc - 1, argv + 1, options);
    if (options->command != CLI_COMMAND_NONE)
        return parse_command(argc - 1, argv + 1, options, false);
    if (looks_like_command(first) && !path_exists(first)) {
        /* "emzip decompres x.emz" must not compress x.emz */
        cli_usage_error(NULL, "'%s' is neither a command nor a file", first);
        return CLI_EXIT_USAGE;
    }
    return parse_command(argc, argv, options, true);
}
