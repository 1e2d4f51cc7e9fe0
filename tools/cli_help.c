/* cli_help.c - printing the help texts (see cli_help.h), which are the man pages of docs/man
 * rendered at build time (cli_help_pages.h). */
#include "cli_help.h"

#include "cli_help_pages.h"

#include <emzip.h>

#include <stdio.h>
#include <string.h>

static void print_lines(const char *const *lines, FILE *stream) {
    for (; *lines != NULL; lines++) {
        fputs(*lines, stream);
        fputc('\n', stream);
    }
}

static const char *const *find_page(const char *name) {
    for (const cli_help_page *page = cli_help_pages; page->name != NULL; page++)
        if (strcmp(page->name, name) == 0) return page->lines;
    return NULL;
}

/* The page of a command, git-style "emzip-COMMAND", or the emzip page for no command. */
static const char *const *page_lines(cli_command topic) {
    const char *command = topic == CLI_COMMAND_HELP ? NULL : cli_command_name(topic);
    if (command == NULL) return find_page("emzip");
    char name[64];
    snprintf(name, sizeof name, "emzip-%s", command);
    return find_page(name);
}

void cli_print_help(cli_command topic, FILE *stream) {
    const char *const *lines = page_lines(topic);
    /* Every command has a page (tools/meson.build renders them all); this only guards a
     * build that lost one. */
    print_lines(lines != NULL ? lines : page_lines(CLI_COMMAND_NONE), stream);
}

void cli_print_usage(FILE *stream) {
    print_lines(cli_help_usage, stream);
    fputs("\n'emzip help COMMAND' or 'emzip COMMAND --help' describes a command;\n"
          "'emzip help' or 'man emzip' shows the whole manual.\n",
          stream);
}

void cli_print_version(FILE *stream) {
    fprintf(stream, "emzip %s\n", emz_version_string());
    cli_print_impl(stream);
}

/* Which kernels run (EMZIP_IMPL can force them) and which this CPU has. */
void cli_print_impl(FILE *stream) {
    emz_impl running = emz_impl_default();
    const char *name = emz_impl_name(running);
    fprintf(stream, "implementation: %s%s; available:", name ? name : "?",
            emz_impl_available(running) ? "" : " (unavailable: check EMZIP_IMPL)");
    for (int i = EMZ_IMPL_SCALAR; i < EMZ_IMPL_COUNT; i++)
        if (emz_impl_available((emz_impl)i)) fprintf(stream, " %s", emz_impl_name((emz_impl)i));
    fputc('\n', stream);
}
