/* cli_args.h - turning argv into a checked description of what to do. */
#ifndef EMZIP_CLI_ARGS_H
#define EMZIP_CLI_ARGS_H

#include <emzip.h>

#include <stdbool.h>
#include <stdint.h>

typedef enum cli_command {
    CLI_COMMAND_NONE = 0, /* general help topic: no command */
    CLI_COMMAND_COMPRESS,
    CLI_COMMAND_DECOMPRESS,
    CLI_COMMAND_INFO,
    CLI_COMMAND_TEST,
    CLI_COMMAND_LIST,
    CLI_COMMAND_EXTRACT,
    CLI_COMMAND_TRAIN,
    CLI_COMMAND_HELP, /* show help_topic */
    CLI_COMMAND_VERSION,
    CLI_COMMAND_USAGE, /* show the short usage: "emzip --help", or no command at all */
} cli_command;

typedef struct cli_options {
    cli_command command;
    cli_command help_topic;      /* for CLI_COMMAND_HELP; CLI_COMMAND_NONE for the overview */
    const char *const *inputs;   /* the input operands, in argv: files, directories, "-" (stdin);
                                    several for compress, decompress, test and train */
    int input_count;             /* 0 only for "emzip info --impl" */
    const char *input_path;      /* inputs[0], for the commands that take one file */
    const char *output_path;     /* -o; "-" (also -c) means stdout; NULL: derived from each
                                    input; with a directory input or several inputs, the output
                                    directory */
    const char *tensor_name;     /* extract: the tensor */
    const char *base_path;       /* --base: the base checkpoint of a delta (file or directory) */
    bool type_given;             /* compress: -t was given (raw data); train: required ... */
    emz_type type;               /* ... with this type */
    bool chunk_size_given;       /* compress: --chunk-size was given ... */
    int64_t chunk_size;          /* ... with this many bytes (not yet checked by the library) */
    const char *chunk_size_text; /* ... spelled like this, for messages */
    uint32_t heads, head_dim;    /* train: --layout kv:HEADS:HEAD_DIM; 0, 0 when not given */
    int64_t block_size;          /* train: --block-size, 16 to 16M; 0: the library's 32K */
    bool groups_given;           /* train: --groups was given (raw samples) ... */
    uint32_t groups;             /* ... with this many groups, 1 to 65535 */
    bool force;
    bool quiet;           /* -q: no summary, no progress line (-v and -q: the last wins) */
    bool verbose;         /* -v: summaries even when stderr is not a terminal */
    bool summary;         /* derived: print summary lines (not -q, not --json, and -v or
                             stderr a terminal) */
    bool remove_input;    /* --rm: remove each input whose output file is complete */
    bool verify_checksum; /* decompress: false with --no-check */
    bool no_fsync;        /* --no-fsync: outputs are not synced to disk before their rename */
    bool show_impl;       /* info: --impl */
    bool json;            /* --json: JSON on stdout instead of text */
    int64_t threads;      /* -T: 0 (default) = one per online processor */
    int64_t memory_limit; /* --memory-limit: bytes; 0 = the library's default */
    int64_t max_output;   /* --max-size: bytes a file may declare; 0 = no limit */
} cli_options;

/* Parses the whole command line. Returns CLI_EXIT_OK, or CLI_EXIT_USAGE after printing a
 * usage error. */
int cli_parse_args(int argc, char **argv, cli_options *options);

/* The command's name as typed ("compress", ...), or NULL for none. */
const char *cli_command_name(cli_command command);

#endif /* EMZIP_CLI_ARGS_H */
