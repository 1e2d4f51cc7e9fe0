/* cli_json.h - writing the --json output: one JSON object per file, on one line of stdout,
 * each starting with "format": 1.
 *
 * A small streaming writer: it tracks only whether a comma is due, so callers nest objects and
 * arrays freely and nothing is held in memory (a checkpoint may list many thousand tensors).
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 (file names may hold any)
 * become U+FFFD, so the output always parses.
 */
#ifndef EMZIP_CLI_JSON_H
#define EMZIP_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct cli_json {
    FILE *out;
    bool need_comma; /* a value was written at this level */
    bool after_key;  /* a key was written: its value follows without a comma */
} cli_json;

void cli_json_init(cli_json *json, FILE *out);

/* The version of the --json output's layout, the first member of every object it prints:
 * raised when a member changes meaning or goes away (new members may come without it). */
#define CLI_JSON_FORMAT 1

/* cli_json_init, then opens the top-level object with "format": CLI_JSON_FORMAT. */
void cli_json_begin_document(cli_json *json, FILE *out);

/* Values: inside an array, or after cli_json_key. */
void cli_json_begin_object(cli_json *json);
void cli_json_end_object(cli_json *json);
void cli_json_begin_array(cli_json *json);
void cli_json_end_array(cli_json *json);
void cli_json_string(cli_json *json, const char *value);
void cli_json_u64(cli_json *json, uint64_t value);
/* A number with `decimals` digits after the point; a non-finite value becomes null. */
void cli_json_number(cli_json *json, double value, int decimals);
void cli_json_bool(cli_json *json, bool value);
void cli_json_null(cli_json *json);

void cli_json_key(cli_json *json, const char *key);

/* Shorthands for "key": value. */
void cli_json_key_string(cli_json *json, const char *key, const char *value);
void cli_json_key_u64(cli_json *json, const char *key, uint64_t value);
void cli_json_key_number(cli_json *json, const char *key, double value, int decimals);
void cli_json_key_bool(cli_json *json, const char *key, bool value);
/* part / whole as a number (6 decimals), or null when whole is 0. */
void cli_json_key_ratio(cli_json *json, const char *key, uint64_t part, uint64_t whole);

/* Ends the line of a finished top-level object. */
void cli_json_end_line(cli_json *json);

#endif /* EMZIP_CLI_JSON_H */
