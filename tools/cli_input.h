/* cli_input.h - opening an input file (or stdin) and learning how it can be read.
 *
 * A regular file is read in place with pread (cli_io.h), a chunk at a time, so files larger
 * than memory or address space stream through: nothing is mapped and nothing is read whole.
 * Pipes and terminals cannot be read at an offset; their data is loaded into memory
 * (cli_input_load) and the input is then a buffer.
 */
#ifndef EMZIP_CLI_INPUT_H
#define EMZIP_CLI_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef struct cli_input {
    const char *display_name; /* for messages: the path, or "(stdin)" */

    /* Which file this is, so that an output naming the same file can be refused. */
    bool has_identity;
    dev_t device;
    ino_t inode;

    /* A regular file named by a path (not stdin): its outputs take its permission bits,
     * owner and times (cli_metadata.h), and --rm may remove it. info: as it was when opened. */
    bool is_named_file;
    struct stat info;

    int fd;       /* -1 once closed */
    bool owns_fd; /* false for stdin */

    /* A regular file read with pread: bytes [base, base + size) of fd. base is where stdin's
     * offset stood (so "emzip ... - < file" reads what a plain read would), 0 for a path. */
    bool seekable;
    uint64_t base;
    uint64_t size;

    /* A loaded input (not seekable): data_size bytes, owned. */
    unsigned char *data;
    size_t data_size;
    bool loaded;
} cli_input;

/* Opens path ("-" for stdin) and learns what it is, reading no data yet, so that the output
 * can be checked against it before any work is done. A directory is refused (callers that
 * accept directories check for one first), and so is a terminal on stdin unless terminal_ok
 * (-f): data is not typed in, and a forgotten file name should not look like a hang. On
 * failure prints one error line and returns false; cli_input_release is still safe to call. */
bool cli_input_open(const char *path, cli_input *input, bool terminal_ok);

/* For an input that is not seekable: reads it to its end into memory. Does nothing for a
 * seekable one. Prints one error line and returns false on failure. */
bool cli_input_load(cli_input *input);

/* Bytes the input holds (seekable: from base to the end of the file; loaded: all of them). */
uint64_t cli_input_size(const cli_input *input);

/* Reads size bytes at offset; false on a read error or a short file (errno says which: 0 for
 * a file that ended early). Thread-safe for a seekable input (pread). Prints nothing. */
bool cli_input_read_at(const cli_input *input, void *buffer, size_t size, uint64_t offset);

/* --rm: removes the input file at path once its output is complete, if it is a named regular
 * file that is still the one opened (not replaced meanwhile). Returns true if removed or not
 * to be removed; prints one error line and returns false if unlink fails. */
bool cli_input_remove(const cli_input *input, const char *path);

/* Closes the input if still open and frees any loaded data. */
void cli_input_release(cli_input *input);

#endif /* EMZIP_CLI_INPUT_H */
