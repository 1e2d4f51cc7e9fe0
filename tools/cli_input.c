/* cli_input.c - input files: pread for regular files, read() into memory otherwise (see
 * cli_input.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_input.h"

#include "cli_diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { INITIAL_READ_CAPACITY = 1 << 16 };

/* Reads fd to its end into a heap buffer. */
static bool read_all(int fd, cli_input *input) {
    size_t capacity = INITIAL_READ_CAPACITY;
    size_t size = 0;
    unsigned char *buffer = malloc(capacity);
    if (buffer == NULL) {
        cli_error_errno(input->display_name, ENOMEM);
        return false;
    }
    for (;;) {
        if (size == capacity) {
            unsigned char *grown = capacity <= SIZE_MAX / 2 ? realloc(buffer, capacity * 2) : NULL;
            if (grown == NULL) {
                free(buffer);
                cli_error(input->display_name,
                          "cannot hold the input in memory (%zu bytes read "
                          "so far; a pipe must be held whole, a regular file need not)",
                          size);
                return false;
            }
            buffer = grown;
            capacity *= 2;
        }
        ssize_t got = read(fd, buffer + size, capacity - size);
        if (got < 0) {
            if (errno == EINTR) continue;
            int saved_errno = errno;
            free(buffer);
            cli_error_errno(input->display_name, saved_errno);
            return false;
        }
        if (got == 0) break;
        size += (size_t)got;
    }
    input->data = buffer;
    input->data_size = size;
    return true;
}

static void close_input(cli_input *input) {
    if (input->owns_fd && input->fd >= 0) close(input->fd);
    input->fd = -1;
    input->owns_fd = false;
}

bool cli_input_open(const char *path, cli_input *input, bool terminal_ok) {
    memset(input, 0, sizeof *input);
    input->display_name = cli_input_display_name(path);
    input->fd = -1;

    if (strcmp(path, "-") == 0) {
        if (!terminal_ok && isatty(STDIN_FILENO)) {
            cli_error(input->display_name, "is a terminal; refusing to read data from it "
                                           "(give a file, or redirect or pipe it in)");
            return false;
        }
        input->fd = STDIN_FILENO;
    } else {
        input->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (input->fd < 0) {
            cli_error_errno(input->display_name, errno);
            return false;
        }
        input->owns_fd = true;
    }

    struct stat info;
    if (fstat(input->fd, &info) != 0) {
        cli_error_errno(input->display_name, errno);
        return false;
    }
    if (S_ISDIR(info.st_mode)) {
        cli_error_errno(input->display_name, EISDIR);
        return false;
    }
    input->info = info;
    if (S_ISREG(info.st_mode)) {
        input->is_named_file = input->owns_fd;
        input->has_identity = true;
        input->device = info.st_dev;
        input->inode = info.st_ino;
        off_t base = input->owns_fd ? 0 : lseek(input->fd, 0, SEEK_CUR);
        /* A size of 0 may be a /proc file that has data after all: read those as a stream. */
        if (base >= 0 && info.st_size > 0 && base <= info.st_size) {
            input->seekable = true;
            input->base = (uint64_t)base;
            input->size = (uint64_t)(info.st_size - base);
        }
    }
    return true;
}

bool cli_input_load(cli_input *input) {
    if (input->seekable || input->loaded) return true;
    bool loaded = read_all(input->fd, input);
    close_input(input);
    input->loaded = loaded;
    return loaded;
}

uint64_t cli_input_size(const cli_input *input) {
    return input->seekable ? input->size : input->data_size;
}

bool cli_input_read_at(const cli_input *input, void *buffer, size_t size, uint64_t offset) {
    if (!input->seekable) {
        if (offset > input->data_size || size > input->data_size - offset) {
            errno = 0;
            return false;
        }
        if (size > 0) memcpy(buffer, input->data + offset, size);
        return true;
    }
    unsigned char *next = buffer;
    uint64_t at = input->base + offset;
    while (size > 0) {
        ssize_t got = pread(input->fd, next, size, (off_t)at);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            if (got == 0) errno = 0; /* the file ended early: it shrank while being read */
            return false;
        }
        next += got;
        size -= (size_t)got;
        at += (uint64_t)got;
    }
    return true;
}

bool cli_input_remove(const cli_input *input, const char *path) {
    struct stat now;
    if (!input->is_named_file || stat(path, &now) != 0 || now.st_dev != input->device ||
        now.st_ino != input->inode)
        return true; /* stdin, or no longer the file that was read: leave it alone */
    if (unlink(path) != 0) {
        cli_error(input->display_name, "cannot remove the input (--rm): %s", strerror(errno));
        return false;
    }
    return true;
}

void cli_input_release(cli_input *input) {
    close_input(input);
    free(input->data);
    input->data = NULL;
    input->data_size = 0;
    input->loaded = false;
}
