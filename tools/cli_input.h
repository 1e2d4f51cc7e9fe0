/* cli_input.h - loading a whole input file (or stdin) into memory.
 *
 * emzip's API works on whole buffers, so the CLI holds the entire input at once. A regular
 * file is mapped rather than copied, which costs no extra memory and no copy; pipes, terminals
 * and files that cannot be mapped are read into a growing heap buffer.
 */
#ifndef EMZIP_CLI_INPUT_H
#define EMZIP_CLI_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct cli_input {
    const unsigned char *data; /* size bytes; non-NULL even when size is 0 */
    size_t size;
    const char *display_name;  /* for messages: the path, or "(stdin)" */

    /* Which file this is, so that an output naming the same file can be refused. */
    bool has_identity;
    dev_t device;
    ino_t inode;

    int fd;                    /* open between cli_input_open and cli_input_read */
    bool owns_fd;              /* false for stdin */
    bool is_regular_file;
    size_t regular_file_size;

    /* Ownership of data: at most one of these is set (neither for an empty input). */
    void *mapping;
    size_t mapping_size;
    unsigned char *heap_buffer;
} cli_input;

/* Opens path ("-" for stdin) and learns what it is, reading no data yet, so that the output
 * can be checked against it before any work is done. On failure prints one error line and
 * returns false; cli_input_release is still safe to call. */
bool cli_input_open(const char *path, cli_input *input);

/* Reads (or maps) the whole input and closes it. On failure prints one error line and
 * returns false. */
bool cli_input_read(cli_input *input);

/* Closes the input if still open and unmaps or frees the data. */
void cli_input_release(cli_input *input);

#endif /* EMZIP_CLI_INPUT_H */
