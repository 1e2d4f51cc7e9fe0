/* cli_input.c - whole-file input: mmap for regular files, read() otherwise (see cli_input.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_input.h"

#include "cli_diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Returned as data for empty inputs, so callers never see a NULL buffer. */
static const unsigned char empty_input[1];

enum { INITIAL_READ_CAPACITY = 1 << 16 };

/* Reads fd to its end into a heap buffer. size_hint (0 if unknown) sizes the first
 * allocation so that a regular file is read without reallocation. */
static bool read_all(int fd, size_t size_hint, cli_input *input)
{
    size_t capacity = size_hint > 0 ? size_hint + 1 : INITIAL_READ_CAPACITY;
    size_t size = 0;
    unsigned char *buffer = malloc(capacity);
    if (buffer == NULL) {
        cli_error_errno(input->display_name, ENOMEM);
        return false;
    }
    for (;;) {
        if (size == capacity) {
            if (capacity > SIZE_MAX / 2) {
                free(buffer);
                cli_error(input->display_name, "input too large");
                return false;
            }
            unsigned char *grown = realloc(buffer, capacity * 2);
            if (grown == NULL) {
                free(buffer);
                cli_error_errno(input->display_name, ENOMEM);
                return false;
            }
            buffer = grown;
            capacity *= 2;
        }
        ssize_t got = read(fd, buffer + size, capacity - size);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            int saved_errno = errno;
            free(buffer);
            cli_error_errno(input->display_name, saved_errno);
            return false;
        }
        if (got == 0)
            break;
        size += (size_t)got;
    }
    input->heap_buffer = buffer;
    input->data = buffer;
    input->size = size;
    return true;
}

/* Maps a regular file of file_size > 0 bytes. Returns false, printing nothing, when mapping
 * is impossible (some file systems refuse it); the caller then falls back to read_all. */
static bool map_file(int fd, size_t file_size, cli_input *input)
{
    void *mapping = mmap(NULL, file_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED)
        return false;
    input->mapping = mapping;
    input->mapping_size = file_size;
    input->data = mapping;
    input->size = file_size;
    return true;
}

static void close_input(cli_input *input)
{
    /* A mapping stays valid after close; closing a read-only descriptor cannot lose data. */
    if (input->owns_fd && input->fd >= 0)
        close(input->fd);
    input->fd = -1;
    input->owns_fd = false;
}

bool cli_input_open(const char *path, cli_input *input)
{
    memset(input, 0, sizeof *input);
    input->data = empty_input;
    input->display_name = cli_input_display_name(path);
    input->fd = -1;

    if (strcmp(path, "-") == 0) {
        input->fd = STDIN_FILENO;
    } else {
        input->fd = open(path, O_RDONLY);
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
    if (S_ISREG(info.st_mode)) {
        input->has_identity = true;
        input->device = info.st_dev;
        input->inode = info.st_ino;
        input->is_regular_file = true;
        if ((uintmax_t)info.st_size > SIZE_MAX) {
            cli_error(input->display_name, "too large for this machine's address space");
            return false;
        }
        input->regular_file_size = (size_t)info.st_size;
    }
    return true;
}

bool cli_input_read(cli_input *input)
{
    bool loaded;
    if (!input->is_regular_file)
        loaded = read_all(input->fd, 0, input);
    else if (input->regular_file_size == 0)
        loaded = read_all(input->fd, 0, input); /* /proc files report 0 yet have data */
    else if (map_file(input->fd, input->regular_file_size, input))
        loaded = true;
    else
        loaded = read_all(input->fd, input->regular_file_size, input);
    close_input(input);
    return loaded;
}

void cli_input_release(cli_input *input)
{
    close_input(input);
    if (input->mapping != NULL)
        munmap(input->mapping, input->mapping_size);
    free(input->heap_buffer);
    input->mapping = NULL;
    input->heap_buffer = NULL;
    input->data = empty_input;
    input->size = 0;
}
