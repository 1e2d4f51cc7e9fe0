/* cli_json.c - the streaming JSON writer (see cli_json.h). */
#include "cli_json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void cli_json_init(cli_json *json, FILE *out) {
    json->out = out;
    json->need_comma = false;
    json->after_key = false;
}

void cli_json_begin_document(cli_json *json, FILE *out) {
    cli_json_init(json, out);
    cli_json_begin_object(json);
    cli_json_key_u64(json, "format", CLI_JSON_FORMAT);
}

/* Called before every value and key: a comma unless the value completes a key. */
static void separate(cli_json *json) {
    if (json->after_key)
        json->after_key = false;
    else if (json->need_comma)
        fputc(',', json->out);
    json->need_comma = true;
}

/* Length of the valid UTF-8 sequence at s (1 to 4 bytes), or 0 if s does not start one.
 * Overlong forms, surrogates and code points above U+10FFFF are invalid (RFC 3629). */
static size_t utf8_sequence_length(const unsigned char *s) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t length;
    unsigned char low = 0x80, high = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        length = 3;
        if (c == 0xE0) low = 0xA0;  /* overlong */
        if (c == 0xED) high = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4;
        if (c == 0xF0) low = 0x90;  /* overlong */
        if (c == 0xF4) high = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (s[1] < low || s[1] > high) return 0;
    for (size_t i = 2; i < length; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) /* also stops at the terminating NUL */
            return 0;
    return length;
}

/* The control characters that RFC 8259 lets escape in two characters; the others take six. */
static const char *const short_escapes[0x20] = {
    ['\b'] = "\\b", ['\t'] = "\\t", ['\n'] = "\\n", ['\f'] = "\\f", ['\r'] = "\\r",
};

static void write_string(FILE *out, const char *value) {
    const unsigned char *s = (const unsigned char *)value;
    fputc('"', out);
    while (*s != '\0') {
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            s++;
        } else if (c < 0x20) {
            if (short_escapes[c] != NULL)
                fputs(short_escapes[c], out);
            else
                fprintf(out, "\\u%04x", c);
            s++;
        } else {
            size_t length = utf8_sequence_length(s);
            if (length == 0) {
                fputs("\\ufffd", out);
                s++;
            } else {
                fwrite(s, 1, length, out);
                s += length;
            }
        }
    }
    fputc('"', out);
}

/* An object or an array opens as a value; its first member then needs no comma. */
static void begin(cli_json *json, char bracket) {
    separate(json);
    fputc(bracket, json->out);
    json->need_comma = false;
}

/* The closed object or array is a value of the level around it, so a comma is due next. */
static void end(cli_json *json, char bracket) {
    fputc(bracket, json->out);
    json->need_comma = true;
}

void cli_json_begin_object(cli_json *json) {
    begin(json, '{');
}
void cli_json_end_object(cli_json *json) {
    end(json, '}');
}
void cli_json_begin_array(cli_json *json) {
    begin(json, '[');
}
void cli_json_end_array(cli_json *json) {
    end(json, ']');
}

void cli_json_string(cli_json *json, const char *value) {
    separate(json);
    write_string(json->out, value != NULL ? value : "");
}

void cli_json_u64(cli_json *json, uint64_t value) {
    separate(json);
    fprintf(json->out, "%" PRIu64, value);
}

void cli_json_number(cli_json *json, double value, int decimals) {
    separate(json);
    if (isfinite(value))
        fprintf(json->out, "%.*f", decimals, value);
    else
        fputs("null", json->out);
}

void cli_json_bool(cli_json *json, bool value) {
    separate(json);
    fputs(value ? "true" : "false", json->out);
}

void cli_json_null(cli_json *json) {
    separate(json);
    fputs("null", json->out);
}

void cli_json_key(cli_json *json, const char *key) {
    separate(json);
    write_string(json->out, key);
    fputc(':', json->out);
    json->after_key = true;
}

void cli_json_key_string(cli_json *json, const char *key, const char *value) {
    cli_json_key(json, key);
    cli_json_string(json, value);
}

void cli_json_key_u64(cli_json *json, const char *key, uint64_t value) {
    cli_json_key(json, key);
    cli_json_u64(json, value);
}

void cli_json_key_number(cli_json *json, const char *key, double value, int decimals) {
    cli_json_key(json, key);
    cli_json_number(json, value, decimals);
}

void cli_json_key_bool(cli_json *json, const char *key, bool value) {
    cli_json_key(json, key);
    cli_json_bool(json, value);
}

void cli_json_key_ratio(cli_json *json, const char *key, uint64_t part, uint64_t whole) {
    cli_json_key(json, key);
    if (whole == 0)
        cli_json_null(json);
    else
        cli_json_number(json, (double)part / (double)whole, 6);
}

void cli_json_end_line(cli_json *json) {
    fputc('\n', json->out);
    json->need_comma = false;
    json->after_key = false;
}
