/* cli_batch.c - running a command over its operands and the files of directories (see
 * cli_batch.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_batch.h"

#include "cli_diag.h"
#include "cli_names.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool cli_is_directory(const char *path) {
    struct stat info;
    return strcmp(path, "-") != 0 && stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* Which files of a directory the command takes, and whether it is a shard map. */
static bool selected(cli_command command, const char *name, bool *is_index_json) {
    *is_index_json = false;
    if (command != CLI_COMMAND_COMPRESS) return cli_ends_with(name, CLI_EMZ_SUFFIX);
    if (cli_ends_with(name, ".safetensors")) return true;
    *is_index_json = cli_ends_with(name, ".safetensors.index.json");
    return *is_index_json;
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
        char *path = cli_path_join(directory, entry->d_name, "", 0);
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

/* One file: its output named (unless test) and fn run on it. */
static int run_file(const cli_options *options, const cli_batch_item *file,
                    const char *output_directory, cli_batch_fn fn, void *context,
                    cli_totals *totals) {
    cli_batch_item item = *file;
    char *named = NULL;
    int status = CLI_EXIT_OK;
    if (options->command != CLI_COMMAND_TEST && item.output_path == NULL &&
        (item.output_path = named = cli_output_name(options->command, item.input_path,
                                                    output_directory, &status)) == NULL) {
        totals->failed++;
        return status;
    }
    status = fn(options, context, &item, totals);
    if (status != CLI_EXIT_OK) totals->failed++;
    free(named);
    return status;
}

/* The selected files of directory, each into output_directory. */
static int run_directory(const cli_options *options, const char *directory,
                         const char *output_directory, cli_batch_fn fn, void *context,
                         cli_totals *totals) {
    size_t count = 0;
    char **names = list_files(directory, options->command, &count);
    if (names == NULL) {
        totals->failed++;
        return CLI_EXIT_FAILURE;
    }
    if (count == 0) {
        cli_error(directory, "no %s files in this directory",
                  options->command == CLI_COMMAND_COMPRESS ? "*.safetensors" : "*.emz");
        free_names(names, count);
        totals->failed++;
        return CLI_EXIT_FAILURE;
    }
    unsigned failed_before = totals->failed;
    int status = CLI_EXIT_OK;
    for (size_t i = 0; i < count; i++) {
        cli_batch_item item = {NULL, NULL, false, true};
        selected(options->command, names[i], &item.is_index_json);
        char *input_path = cli_path_join(directory, names[i], "", 0);
        int result;
        if (input_path == NULL) {
            cli_error_errno(names[i], ENOMEM);
            totals->failed++;
            result = CLI_EXIT_FAILURE;
        } else {
            item.input_path = input_path;
            result = run_file(options, &item, output_directory, fn, context, totals);
        }
        if (result > status) status = result;
        free(input_path);
    }
    unsigned failed = totals->failed - failed_before;
    if (failed > 0) cli_error(directory, "%u of %zu files failed", failed, count);
    free_names(names, count);
    return status;
}

static bool to_stdout(const cli_options *options) {
    return options->output_path != NULL && strcmp(options->output_path, "-") == 0;
}

/* Where -o puts the outputs when it names a directory: with several operands, a directory
 * operand, or an existing directory. NULL when -o names the one output (or is absent). */
static const char *output_directory_of(const cli_options *options) {
    if (options->command == CLI_COMMAND_TEST || options->output_path == NULL || to_stdout(options))
        return NULL;
    bool directory = options->input_count > 1 || cli_is_directory(options->input_path) ||
                     cli_is_directory(options->output_path);
    return directory ? options->output_path : NULL;
}

bool cli_batch_check(const cli_options *options) {
    const char *command = cli_command_name(options->command);
    bool directory = false, from_stdin = false;
    for (int i = 0; i < options->input_count; i++) {
        const char *input = options->inputs[i];
        directory = directory || cli_is_directory(input);
        if (strcmp(input, "-") == 0 && from_stdin) {
            cli_usage_error(command, "%s: standard input ('-') given more than once", command);
            return false;
        }
        from_stdin = from_stdin || strcmp(input, "-") == 0;
    }
    if (options->command == CLI_COMMAND_TEST) return true;
    if (directory && to_stdout(options)) {
        cli_usage_error(command,
                        "%s: a directory's files cannot go to standard output; -o "
                        "names an output directory",
                        command);
        return false;
    }
    if (options->command == CLI_COMMAND_COMPRESS && options->input_count > 1 &&
        to_stdout(options)) {
        cli_usage_error(command,
                        "%s: several inputs cannot go to standard output: emzip cannot "
                        "decode compressed files put end to end",
                        command);
        return false;
    }
    bool data_to_stdout = to_stdout(options) || (from_stdin && options->output_path == NULL);
    if (options->json && data_to_stdout) {
        cli_usage_error(command,
                        "%s: --json prints to standard output, which the %s data goes "
                        "to here; give -o FILE",
                        command,
                        options->command == CLI_COMMAND_COMPRESS ? "compressed" : "decompressed");
        return false;
    }
    return true;
}

int cli_batch_run(const cli_options *options, cli_batch_fn fn, void *context, bool show_ratio) {
    const char *output_directory = output_directory_of(options);
    if (output_directory != NULL && !make_directories(output_directory)) return CLI_EXIT_FAILURE;
    cli_totals totals = {0};
    int status = CLI_EXIT_OK;
    bool several = options->input_count > 1;
    for (int i = 0; i < options->input_count; i++) {
        const char *input = options->inputs[i];
        int result;
        if (cli_is_directory(input)) {
            several = true;
            result = run_directory(options, input, output_directory ? output_directory : input, fn,
                                   context, &totals);
        } else {
            cli_batch_item item = {input, output_directory ? NULL : options->output_path, false,
                                   false};
            result = run_file(options, &item, output_directory, fn, context, &totals);
        }
        if (result > status) status = result;
    }
    if (options->summary && several && totals.files > 0 && options->command != CLI_COMMAND_TEST)
        cli_print_totals(&totals, show_ratio);
    return status;
}
