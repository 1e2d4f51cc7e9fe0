/* cli_output.c - atomic output through a temporary file and rename (see cli_output.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_output.h"

#include "cli_diag.h"
#include "cli_metadata.h"
#include "cli_signals.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A temporary file is OUT (its last component cut short if need be) + ".emzip-PID-XXXXXX": the
 * PID of the run that made it, so that a later run on the same OUT can tell one left by a killed
 * run (its process is gone) from one that is being written, and remove it. */
static const char temp_tag[] = ".emzip-";
enum { TEMP_SUFFIX_MAX = sizeof temp_tag - 1 + 10 + 1 + 6 }; /* tag, PID, '-', XXXXXX */

static bool is_same_file(const struct stat *info, const cli_input *input) {
    return input->has_identity && info->st_dev == input->device && info->st_ino == input->inode;
}

static bool open_stdout(cli_output *output, bool force, const cli_input *input) {
    struct stat info;
    if (fstat(STDOUT_FILENO, &info) == 0 && is_same_file(&info, input)) {
        cli_error(output->display_name, "is the same file as the input %s", input->display_name);
        return false;
    }
    if (!force && isatty(STDOUT_FILENO)) {
        cli_error(output->display_name,
                  "refusing to write binary data to a terminal (use -f to force)");
        return false;
    }
    output->fd = STDOUT_FILENO;
    return true;
}

/* Removes the temporaries of OUT (names prefix + PID + '-' + 6 characters in directory dir)
 * whose process no longer runs, and are regular files of this user: what a run killed before
 * it could clean up left behind. A PID in use again keeps its file: safe, if not thorough. */
static void remove_stale_temps(const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    if (d == NULL) return;
    size_t prefix_length = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, prefix_length) != 0) continue;
        const char *at = e->d_name + prefix_length;
        char *end;
        long pid = strtol(at, &end, 10);
        if (end == at || *end != '-' || strlen(end + 1) != 6 || pid <= 0 || pid == getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* running, or not ours to ask */
        struct stat info;
        if (fstatat(dirfd(d), e->d_name, &info, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(info.st_mode) && info.st_uid == geteuid())
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

static bool create_temp_file(cli_output *output, const char *path) {
    size_t path_length = strlen(path);
    output->final_path = malloc(path_length + 1);
    output->temp_path = malloc(path_length + TEMP_SUFFIX_MAX + 1);
    char *dir = NULL;
    if (output->final_path == NULL || output->temp_path == NULL) {
        cli_error_errno(output->display_name, ENOMEM);
        cli_output_abort(output);
        return false;
    }
    memcpy(output->final_path, path, path_length + 1);
    /* The temporary name is OUT's with the suffix, its last component cut short where the
     * suffix would make it longer than a file name may be (a valid OUT of 255 bytes must work). */
    const char *slash = strrchr(path, '/');
    size_t base_at = slash ? (size_t)(slash - path) + 1 : 0, keep = path_length;
    if (path_length - base_at + TEMP_SUFFIX_MAX > NAME_MAX)
        keep = base_at + NAME_MAX - TEMP_SUFFIX_MAX;
    memcpy(output->temp_path, path, keep);
    int n = snprintf(output->temp_path + keep, TEMP_SUFFIX_MAX + 1, "%s", temp_tag);
    dir = base_at ? strndup(path, base_at) : strdup(".");
    if (dir != NULL) remove_stale_temps(dir, output->temp_path + base_at);
    free(dir);
    snprintf(output->temp_path + keep + n, TEMP_SUFFIX_MAX + 1 - (size_t)n, "%u-XXXXXX",
             (unsigned)getpid() % 1000000000u); /* Linux PIDs have at most 7 digits */

    /* Hold signals so that none arrives between creating the file and registering it. */
    cli_signal_hold hold;
    cli_signals_hold(&hold);
    output->fd = mkstemp(output->temp_path);
    int saved_errno = errno;
    if (output->fd >= 0) cli_signals_set_cleanup_path(output->temp_path);
    cli_signals_release(&hold);

    if (output->fd < 0) {
        cli_error(output->display_name, "cannot create a temporary file: %s",
                  strerror(saved_errno));
        free(output->temp_path); /* mkstemp failed: there is nothing to unlink */
        output->temp_path = NULL;
        cli_output_abort(output);
        return false;
    }
    return true; /* mode 600 until the commit gives the final one */
}

/* A device or FIFO as OUT is written in place (renaming over it would replace the node). A
 * character device such as /dev/null needs nothing more; a block device (a disk) is destroyed
 * by it, so it needs -f. A FIFO is opened without blocking: with a reader on the other end it
 * streams, without one it is refused at once instead of hanging. */
static bool open_special(cli_output *output, const char *path, const struct stat *info,
                         bool force) {
    if (S_ISBLK(info->st_mode) && !force) {
        cli_error(output->display_name, "is a block device: writing would overwrite it (use -f)");
        return false;
    }
    output->fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (output->fd < 0) {
        if (errno == ENXIO && S_ISFIFO(info->st_mode))
            cli_error(output->display_name, "is a FIFO that no process is reading");
        else
            cli_error_errno(output->display_name, errno);
        return false;
    }
    /* writes block as usual from here on (the output is written in full, in order) */
    int flags = fcntl(output->fd, F_GETFL);
    if (flags < 0 || fcntl(output->fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        cli_error_errno(output->display_name, errno);
        close(output->fd);
        output->fd = -1;
        return false;
    }
    return true;
}

bool cli_output_open(cli_output *output, const char *path, bool force, const cli_input *input) {
    memset(output, 0, sizeof *output);
    output->fd = -1;
    output->display_name = cli_output_display_name(path);
    output->overwrite = force;

    if (strcmp(path, "-") == 0) return open_stdout(output, force, input);

    struct stat info;
    if (stat(path, &info) != 0) {
        if (errno != ENOENT) {
            cli_error_errno(output->display_name, errno);
            return false;
        }
        return create_temp_file(output, path);
    }
    if (is_same_file(&info, input)) {
        cli_error(output->display_name, "is the same file as the input %s", input->display_name);
        return false;
    }
    if (S_ISDIR(info.st_mode)) {
        cli_error_errno(output->display_name, EISDIR);
        return false;
    }
    if (!S_ISREG(info.st_mode)) return open_special(output, path, &info, force);
    if (!force) {
        cli_error(output->display_name, "already exists (use -f to overwrite)");
        return false;
    }
    return create_temp_file(output, path);
}

void cli_output_keep_metadata(cli_output *output, const cli_input *input, bool times) {
    output->keep_metadata = input->is_named_file;
    output->keep_times = times;
    output->source = input->info;
}

bool cli_output_write(cli_output *output, const void *data, size_t size) {
    const unsigned char *next = data;
    while (size > 0) {
        ssize_t written = write(output->fd, next, size);
        if (written < 0) {
            if (errno == EINTR) continue;
            cli_error_errno(output->display_name, errno);
            return false;
        }
        next += written;
        size -= (size_t)written;
    }
    return true;
}

/* Moves the finished temporary file to final_path. Without --force, link() is used instead of
 * rename() because it fails rather than replaces if OUT appeared since cli_output_open. */
static bool move_into_place(cli_output *output) {
    if (!output->overwrite) {
        if (link(output->temp_path, output->final_path) == 0) {
            unlink(output->temp_path);
            return true;
        }
        if (errno == EEXIST) {
            cli_error(output->display_name, "already exists (use -f to overwrite)");
            return false;
        }
        /* Some file systems have no hard links; accept the tiny race of a plain rename. */
    }
    if (rename(output->temp_path, output->final_path) != 0) {
        cli_error_errno(output->display_name, errno);
        return false;
    }
    return true;
}

/* Syncs the directory that holds path, so that a rename into it is on disk. */
static bool sync_directory(const char *path, const char *display_name) {
    const char *slash = strrchr(path, '/');
    char *directory = slash == NULL   ? strdup(".")
                      : slash == path ? strdup("/")
                                      : strndup(path, (size_t)(slash - path));
    int fd = directory != NULL ? open(directory, O_RDONLY | O_CLOEXEC) : -1;
    int error = directory == NULL ? ENOMEM : fd < 0 ? errno : fsync(fd) != 0 ? errno : 0;
    if (fd >= 0) close(fd);
    free(directory);
    /* Some file systems cannot sync a directory; the file itself was synced. */
    if (error != 0 && error != EINVAL && error != EBADF) {
        cli_error(display_name, "cannot sync its directory: %s", strerror(error));
        return false;
    }
    return true;
}

/* The temporary file's final mode (and owner and times), and with durable its data on disk:
 * all before it gets its name. */
static bool finish_temp_file(cli_output *output) {
    if (output->keep_metadata)
        cli_metadata_copy(output->fd, &output->source, output->keep_times);
    else
        cli_metadata_default_mode(output->fd);
    if (output->durable && fsync(output->fd) != 0) {
        cli_error(output->display_name, "cannot sync to disk: %s", strerror(errno));
        return false;
    }
    return true;
}

bool cli_output_commit(cli_output *output) {
    if (output->fd == STDOUT_FILENO) {
        output->fd = -1; /* stdout stays open; every write was already checked */
        return true;
    }
    if (output->temp_path != NULL && !finish_temp_file(output)) {
        cli_output_abort(output);
        return false;
    }
    int fd = output->fd;
    output->fd = -1;
    /* close() can report delayed write errors (e.g. on NFS), so it must be checked before
     * the file is exposed under its final name. */
    if (close(fd) != 0) {
        cli_error_errno(output->display_name, errno);
        cli_output_abort(output);
        return false;
    }
    if (output->temp_path == NULL) return true; /* written in place */
    if (!move_into_place(output)) {
        cli_output_abort(output);
        return false;
    }
    cli_signals_set_cleanup_path(NULL);
    bool synced = !output->durable || sync_directory(output->final_path, output->display_name);
    output->is_file = true;
    free(output->temp_path);
    free(output->final_path);
    output->temp_path = NULL;
    output->final_path = NULL;
    return synced;
}

void cli_output_abort(cli_output *output) {
    if (output->fd >= 0 && output->fd != STDOUT_FILENO) close(output->fd);
    output->fd = -1;
    if (output->temp_path != NULL) {
        unlink(output->temp_path);
        cli_signals_set_cleanup_path(NULL);
    }
    free(output->temp_path);
    free(output->final_path);
    output->temp_path = NULL;
    output->final_path = NULL;
}
