/* cli_args.c - command-line parsing (see cli_args.h).
 *
 * The grammar is "emzip [--help | --version] COMMAND [OPTIONS] FILE [TENSOR]": the command
 * comes first, then getopt_long parses the rest, so options may come before or after FILE
 * (glibc permutes arguments; "--" ends the options and "-" is an operand meaning stdin).
 */
#include "cli_args.h"

#include "cli_diag.h"

#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Long options without a short form get values outside the char range. */
enum { OPTION_NO_CHECK = 256, OPTION_IMPL, OPTION_JSON, OPTION_RM };

static const char *const command_names[] = {
    [CLI_COMMAND_COMPRESS] = "compress", [CLI_COMMAND_DECOMPRESS] = "decompress",
    [CLI_COMMAND_INFO] = "info",         [CLI_COMMAND_TEST] = "test",
    [CLI_COMMAND_LIST] = "list",         [CLI_COMMAND_EXTRACT] = "extract",
    [CLI_COMMAND_HELP] = "help",
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

/* Parses "262144", "256K", "256KiB", "1M", ... into bytes. Returns false on anything else,
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
    if (unit != 1) {
        next++;
        if (strcmp(next, "iB") == 0 || strcmp(next, "B") == 0) next += strlen(next);
    }
    if (*next != '\0' || value > INT64_MAX / unit) return false;
    *bytes = value * unit;
    return true;
}

/* Every long option, spelled once. A command takes those whose short form is in its
 * grammar's short_options, and those of its long_only (select_long_options). */
static const struct option all_long_options[] = {
    {"type", required_argument, NULL, 't'},
    {"chunk-size", required_argument, NULL, 'c'},
    {"threads", required_argument, NULL, 'T'},
    {"output", required_argument, NULL, 'o'},
    {"keep", no_argument, NULL, 'k'},
    {"rm", no_argument, NULL, OPTION_RM},
    {"force", no_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"no-check", no_argument, NULL, OPTION_NO_CHECK},
    {"impl", no_argument, NULL, OPTION_IMPL},
    {"json", no_argument, NULL, OPTION_JSON},
};
enum { LONG_OPTION_COUNT = sizeof all_long_options / sizeof all_long_options[0] };

/* The bit of a long-only option in command_grammar.long_only. */
#define TAKES(option) (1u << ((option)-OPTION_NO_CHECK))

/* Which options each command takes. -h/--help is accepted by all of them. */
typedef struct command_grammar {
    const char *short_options; /* ":" first: getopt reports a missing argument as ':' */
    unsigned long_only;        /* TAKES() of the long options without a short form */
} command_grammar;

static const command_grammar grammars[] = {
    [CLI_COMMAND_COMPRESS] = {":t:c:T:o:kfqvh", TAKES(OPTION_RM) | TAKES(OPTION_JSON)},
    [CLI_COMMAND_DECOMPRESS] = {":o:T:kfqvh",
                                TAKES(OPTION_NO_CHECK) | TAKES(OPTION_RM) | TAKES(OPTION_JSON)},
    [CLI_COMMAND_INFO] = {":T:h", TAKES(OPTION_IMPL) | TAKES(OPTION_JSON)},
    [CLI_COMMAND_TEST] = {":T:qh", TAKES(OPTION_JSON)},
    [CLI_COMMAND_LIST] = {":T:h", TAKES(OPTION_JSON)},
    [CLI_COMMAND_EXTRACT] = {":o:T:fqvh", 0},
};

/* Fills selected (room for all of them and one more) with the long options of grammar, ended
 * by the zero entry getopt_long wants. Only these may match, so that an abbreviation such as
 * "--t" means the one option of this command that it can (--threads for decompress). */
static void select_long_options(command_grammar grammar, struct option *selected) {
    size_t count = 0;
    for (size_t i = 0; i < LONG_OPTION_COUNT; i++) {
        int value = all_long_options[i].val;
        bool takes = value >= OPTION_NO_CHECK ? (grammar.long_only & TAKES(value)) != 0
                                              : strchr(grammar.short_options, value) != NULL;
        if (takes) selected[count++] = all_long_options[i];
    }
    selected[count] = (struct option){NULL, 0, NULL, 0};
}

/* Reports the option getopt_long just rejected. */
static void report_bad_option(const char *command, char **argv, int failure) {
    const char *problem = failure == ':' ? "option requires an argument" : "unknown option";
    /* A long option is best quoted as typed; a short one may sit inside a bundle ("-fx"),
     * so it is named by the character getopt_long stopped at. */
    const char *typed = argv[optind - 1];
    if (strncmp(typed, "--", 2) == 0 || optopt == 0 || optopt >= OPTION_NO_CHECK)
        cli_usage_error(command, "%s: %s '%s'", command, problem, typed);
    else
        cli_usage_error(command, "%s: %s '-%c'", command, problem, optopt);
}

static int apply_option(int option, cli_options *options, const char *command) {
    switch (option) {
    case 't':
        if (emz_type_from_name(optarg, &options->type) != EMZ_OK) {
            cli_usage_error(command,
                            "%s: unknown type '%s' (expected bf16, fp16, fp32, e4m3, "
                            "e5m2, fp4 or bytes)",
                            command, optarg);
            return CLI_EXIT_USAGE;
        }
        options->type_given = true;
        return CLI_EXIT_OK;
    case 'c':
        if (!parse_byte_count(optarg, &options->chunk_size)) {
            cli_usage_error(command,
                            "%s: invalid chunk size '%s' (expected bytes, e.g. 65536, "
                            "64K or 1M)",
                            command, optarg);
            return CLI_EXIT_USAGE;
        }
        options->chunk_size_given = true;
        options->chunk_size_text = optarg;
        return CLI_EXIT_OK;
    case 'T': {
        char *end;
        long n = strtol(optarg, &end, 10);
        if (*optarg == '\0' || *end != '\0' || n < 0 || n > 256) {
            cli_usage_error(command, "%s: invalid thread count '%s' (0 = all cores, or 1 to 256)",
                            command, optarg);
            return CLI_EXIT_USAGE;
        }
        options->threads = n;
        return CLI_EXIT_OK;
    }
    case 'o':
        options->output_path = optarg;
        return CLI_EXIT_OK;
    case 'k': /* the default: inputs are kept */
        options->remove_input = false;
        return CLI_EXIT_OK;
    case OPTION_RM:
        options->remove_input = true;
        return CLI_EXIT_OK;
    case 'f':
        options->force = true;
        return CLI_EXIT_OK;
    case 'q':
    case 'v':
        options->quiet = option == 'q';
        options->verbose = option == 'v';
        return CLI_EXIT_OK;
    case OPTION_NO_CHECK:
        options->verify_checksum = false;
        return CLI_EXIT_OK;
    case OPTION_IMPL:
        options->show_impl = true;
        return CLI_EXIT_OK;
    case OPTION_JSON:
        options->json = true;
        return CLI_EXIT_OK;
    default:
        return CLI_EXIT_USAGE; /* not reached: getopt_long only returns listed options */
    }
}

/* Parses argv[0] = COMMAND and its options and operands. */
static int parse_command(int argc, char **argv, cli_options *options) {
    const char *command = cli_command_name(options->command);
    command_grammar grammar = grammars[options->command];
    struct option long_options[LONG_OPTION_COUNT + 1];
    select_long_options(grammar, long_options);

    opterr = 0; /* report problems ourselves, in our format */
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, grammar.short_options, long_options, NULL)) != -1) {
        if (option == '?' || option == ':') {
            report_bad_option(command, argv, option);
            return CLI_EXIT_USAGE;
        }
        if (option == 'h') {
            options->help_topic = options->command;
            options->command = CLI_COMMAND_HELP;
            return CLI_EXIT_OK;
        }
        int status = apply_option(option, options, command);
        if (status != CLI_EXIT_OK) return status;
    }

    int operand_count = argc - optind;
    int wanted = options->command == CLI_COMMAND_EXTRACT ? 2 : 1;
    if (operand_count == 0 && options->show_impl)
        return CLI_EXIT_OK; /* "emzip info --impl": no file needed */
    if (operand_count == 0) {
        cli_usage_error(command, "%s: missing input file (use '-' for stdin)", command);
        return CLI_EXIT_USAGE;
    }
    if (operand_count < wanted) {
        cli_usage_error(command, "%s: missing tensor name (see 'emzip list %s')", command,
                        argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (operand_count > wanted) {
        cli_usage_error(command, "%s: too many operands, starting at '%s' (%s)", command,
                        argv[optind + wanted],
                        wanted == 1 ? "one file or directory at a time" : "one tensor at a time");
        return CLI_EXIT_USAGE;
    }
    options->input_path = argv[optind];
    if (wanted == 2) options->tensor_name = argv[optind + 1];
    options->summary =
        !options->quiet && !options->json && (options->verbose || isatty(STDERR_FILENO));
    return CLI_EXIT_OK;
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

    if (argc < 2) {
        /* The caller prints the short usage, which lists the commands, as the error. */
        options->command = CLI_COMMAND_USAGE;
        return CLI_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        options->command = CLI_COMMAND_USAGE;
        return argc == 2 ? CLI_EXIT_OK : parse_help(argc - 1, argv + 1, options);
    }
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        options->command = CLI_COMMAND_VERSION;
        return CLI_EXIT_OK;
    }
    if (first[0] == '-') {
        cli_usage_error(NULL, "unknown option '%s' (options follow the command)", first);
        return CLI_EXIT_USAGE;
    }
    options->command = command_from_name(first);
    if (options->command == CLI_COMMAND_NONE) {
        cli_usage_error(NULL, "unknown command '%s'", first);
        return CLI_EXIT_USAGE;
    }
    if (options->command == CLI_COMMAND_HELP) return parse_help(argc - 1, argv + 1, options);
    return parse_command(argc - 1, argv + 1, options);
}
