/* cli_batch.c - running a command over the files of a directory (see cli_batch.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_batch.h"

#include "cli_diag.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char emz_suffix[] = ".emz";

bool cli_is_directory(const char *path) {
    struct stat info;
    return strcmp(path, "-") != 0 && stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

static bool ends_with(const char *name, const char *suffix) {
    size_t length = strlen(name), suffix_length = strlen(suffix);
    /* the suffix alone (".emz") names no file to restore */
    return length > suffix_length && strcmp(name + length - suffix_length, suffix) == 0;
}

/* Which files the command takes, and whether it is a shard map. */
static bool selected(cli_command command, const char *name, bool *is_index_json) {
    *is_index_json = false;
    if (command != CLI_COMMAND_COMPRESS) return ends_with(name, emz_suffix);
    if (ends_with(name, ".safetensors")) return true;
    *is_index_json = ends_with(name, ".safetensors.index.json");
    return *is_index_json;
}

static char *join(const char *directory, const char *name, const char *suffix, size_t cut) {
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

static bool is_regular_file(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t count) {
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* The selected regular files of the directory, sorted; NULL after printing an error. */
static char **list_files(const char *directory, cli_command command, size_t *count) {
    DIR *stream = opendir(directory);
    if (stream == NULL) {
        cli_error_errno(directory, errno);
        return NULL;
    }
    size_t capacity = 16;
    char **names = malloc(capacity * sizeof *names); /* non-NULL even when nothing is found */
    *count = 0;
    if (names == NULL) {
        closedir(stream);
        cli_error_errno(directory, ENOMEM);
        return NULL;
    }
    struct dirent *entry;
    bool failed = false;
    while (!failed && (errno = 0, entry = readdir(stream)) != NULL) {
        bool is_index_json;
        if (!selected(command, entry->d_name, &is_index_json)) continue;
        char *path = join(directory, entry->d_name, "", 0);
        bool take = path != NULL && is_regular_file(path);
        free(path);
        if (path == NULL) {
            failed = true;
            break;
        }
        if (!take) continue;
        if (*count == capacity) {
            capacity *= 2;
            char **grown = realloc(names, capacity * sizeof *names);
            if (grown == NULL) {
                failed = true;
                break;
            }
            names = grown;
        }
        names[*count] = strdup(entry->d_name);
        failed = names[*count] == NULL;
        *count += !failed;
    }
    int saved_errno = failed ? ENOMEM : errno;
    closedir(stream);
    if (failed || saved_errno != 0) {
        cli_error_errno(directory, saved_errno);
        free_names(names, *count);
        return NULL;
    }
    if (*count > 1) qsort(names, *count, sizeof *names, compare_names);
    return names;
}

/* mkdir -p: creates the directory and any missing parents. */
static bool make_directories(const char *path) {
    char *copy = strdup(path);
    if (copy == NULL) {
        cli_error_errno(path, ENOMEM);
        return false;
    }
    bool made = true;
    for (char *slash = copy + 1; made; slash++) {
        if (*slash != '/' && *slash != '\0') continue;
        char saved = *slash;
        *slash = '\0';
        struct stat info;
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            cli_error_errno(copy, errno);
            made = false;
        } else if (stat(copy, &info) != 0 || !S_ISDIR(info.st_mode)) {
            cli_error_errno(copy, ENOTDIR);
            made = false;
        }
        *slash = saved;
        if (saved == '\0') break;
    }
    free(copy);
    return made;
}

int cli_batch_run(const cli_options *options, cli_batch_fn fn, void *context, bool show_ratio) {
    const char *directory = options->input_path;
    const char *output_directory = options->output_path ? options->output_path : directory;
    if (options->output_path != NULL && options->command != CLI_COMMAND_TEST &&
        !make_directories(output_directory))
        return CLI_EXIT_FAILURE;
    size_t count = 0;
    char **names = list_files(directory, options->command, &count);
    if (names == NULL) return CLI_EXIT_FAILURE;
    if (count == 0) {
        cli_error(directory, "no %s files in this directory",
                  options->command == CLI_COMMAND_COMPRESS ? "*.safetensors" : "*.emz");
        free_names(names, count);
        return CLI_EXIT_FAILURE;
    }
    cli_totals totals = {0};
    int status = CLI_EXIT_OK;
    for (size_t i = 0; i < count; i++) {
        cli_batch_item item = {NULL, NULL, false};
        selected(options->command, names[i], &item.is_index_json);
        char *input_path = join(directory, names[i], "", 0);
        char *output_path = NULL;
        if (options->command == CLI_COMMAND_COMPRESS)
            output_path = join(output_directory, names[i], emz_suffix, 0);
        else if (options->command == CLI_COMMAND_DECOMPRESS)
            output_path = join(output_directory, names[i], "", strlen(emz_suffix));
        int result;
        if (input_path == NULL || (options->command != CLI_COMMAND_TEST && output_path == NULL)) {
            cli_error_errno(names[i], ENOMEM);
            result = CLI_EXIT_FAILURE;
        } else {
            item.input_path = input_path;
            item.output_path = output_path;
            result = fn(options, context, &item, &totals);
        }
        if (result != CLI_EXIT_OK) {
            totals.failed++;
            if (result > status) status = result;
        }
        free(input_path);
        free(output_path);
    }
    if (options->summary && totals.files > 0 && options->command != CLI_COMMAND_TEST)
        cli_print_totals(&totals, show_ratio);
    if (totals.failed > 0) cli_error(directory, "%u of %zu files failed", totals.failed, count);
    free_names(names, count);
    return status;
}
