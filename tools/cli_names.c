/* cli_names.c - output names (see cli_names.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_names.h"

#include "cli_diag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { EMZ_SUFFIX_LENGTH = sizeof CLI_EMZ_SUFFIX - 1 };

bool cli_ends_with(const char *name, const char *suffix) {
    size_t length = strlen(name), suffix_length = strlen(suffix);
    return length > suffix_length && strcmp(name + length - suffix_length, suffix) == 0;
}

char *cli_path_join(const char *directory, const char *name, const char *suffix, size_t cut) {
    size_t directory_length = strlen(directory), name_length = strlen(name) - cut;
    size_t suffix_length = strlen(suffix);
    char *path = malloc(directory_length + 1 + name_length + suffix_length + 1);
    if (path == NULL) return NULL;
    memcpy(path, directory, directory_length);
    size_t at = directory_length;
    if (at == 0 || path[at - 1] != '/') path[at++] = '/';
    memcpy(path + at, name, name_length);
    memcpy(path + at + name_length, suffix, suffix_length + 1);
    return path;
}

static const char *last_component(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

char *cli_output_name(cli_command command, const char *input_path, const char *directory,
                      int *status) {
    const char *command_name = cli_command_name(command);
    *status = CLI_EXIT_USAGE;
    if (strcmp(input_path, "-") == 0) {
        if (directory == NULL) return strdup("-");
        cli_usage_error(command_name,
                        "%s: standard input has no name to write into the output "
                        "directory %s; give it alone, with -o FILE",
                        command_name, directory);
        return NULL;
    }
    bool compress = command == CLI_COMMAND_COMPRESS;
    const char *base = last_component(input_path);
    if (!compress && !cli_ends_with(base, CLI_EMZ_SUFFIX)) {
        cli_usage_error(command_name, "%s: name does not end in %s; use -o to name the output",
                        input_path, CLI_EMZ_SUFFIX);
        return NULL;
    }
    const char *suffix = compress ? CLI_EMZ_SUFFIX : "";
    size_t cut = compress ? 0 : EMZ_SUFFIX_LENGTH;
    char *path = NULL;
    if (directory != NULL) {
        path = cli_path_join(directory, base, suffix, cut);
    } else if ((path = malloc(strlen(input_path) + strlen(suffix) + 1)) != NULL) {
        size_t length = strlen(input_path) - cut;
        memcpy(path, input_path, length);
        memcpy(path + length, suffix, strlen(suffix) + 1);
    }
    if (path == NULL) {
        cli_error_errno(input_path, ENOMEM);
        *status = CLI_EXIT_FAILURE;
    }
    return path;
}
