/* cli_output.h - writing an output file so that it appears whole or not at all.
 *
 * A named output is written to a temporary file beside it ("OUT.tmpXXXXXX", mode 600; OUT's
 * last component cut short where the suffix would make the name too long) and
 * renamed over OUT only when everything succeeded, after it got its final mode (the input's,
 * see cli_metadata.h, or 0666 less the umask); on any error, or on SIGINT/SIGTERM/SIGHUP (see
 * cli_signals.h), the temporary file is removed. An existing OUT is replaced only with
 * --force, and never when it is the input itself. Standard output ("-") and existing
 * non-regular files such as /dev/null are written directly: they cannot be renamed over.
 */
#ifndef EMZIP_CLI_OUTPUT_H
#define EMZIP_CLI_OUTPUT_H

#include "cli_input.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

typedef struct cli_output {
    int fd;                   /* -1 once closed */
    const char *display_name; /* for messages: the path, or "(stdout)" */
    char *final_path;         /* where the output ends up, when written via a temporary file */
    char *temp_path;          /* the temporary file, until it is renamed or removed */
    bool overwrite;           /* --force: an existing regular OUT may be replaced */
    bool durable;             /* sync the file and its directory before the commit returns */
    bool keep_metadata;       /* give the file the mode, owner (and times) of source */
    bool keep_times;
    struct stat source;
    bool is_file; /* after a commit: the output is a regular file made by this run */
} cli_output;

/* Opens path ("-" for stdout) for writing the output of input. Does all the refusals
 * (existing file without force, same file as the input, a directory, binary data to a
 * terminal without force) before the caller does any work. Prints one error line and
 * returns false on failure; nothing is left open or created then. */
bool cli_output_open(cli_output *output, const char *path, bool force, const cli_input *input);

/* The output is to take input's permission bits and owner, and with times its access and
 * modification times, when input is a named regular file (cli_metadata_copy at the commit). */
void cli_output_keep_metadata(cli_output *output, const cli_input *input, bool times);

/* Writes all size bytes. Prints one error line and returns false on failure. */
bool cli_output_write(cli_output *output, const void *data, size_t size);

/* Closes the output and moves it into place (with durable set, after syncing it to disk, and
 * then its directory). On failure prints one error line, removes the temporary file, and
 * returns false. */
bool cli_output_commit(cli_output *output);

/* Closes the output and removes the temporary file, if any. Does nothing after a commit, so
 * it can be called on every exit path. */
void cli_output_abort(cli_output *output);

#endif /* EMZIP_CLI_OUTPUT_H */
