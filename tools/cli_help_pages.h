/* cli_help_pages.h - the help texts, rendered from docs/man at build time (embed_help.py). */
#ifndef EMZIP_CLI_HELP_PAGES_H
#define EMZIP_CLI_HELP_PAGES_H

/* One man page as groff renders it for a terminal, without its header and footer lines. */
typedef struct cli_help_page {
    const char *name;         /* the page: "emzip", "emzip-compress", ... */
    const char *const *lines; /* without line ends; NULL ends them */
} cli_help_page;

/* Every page of docs/man; a NULL name ends them. */
extern const cli_help_page cli_help_pages[];

/* The short usage: the emzip page's NAME line and SYNOPSIS; NULL ends the lines. */
extern const char *const cli_help_usage[];

#endif /* EMZIP_CLI_HELP_PAGES_H */
