/* cli_escape.c - control characters shown as \xNN (see cli_escape.h). */
#include "cli_escape.h"

static int is_control(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

size_t cli_put_escaped(FILE *out, const char *text) {
    size_t columns = 0;
    for (const unsigned char *s = (const unsigned char *)text; *s != '\0'; s++) {
        if (is_control(*s)) {
            fprintf(out, "\\x%02x", *s);
            columns += 4;
        } else {
            putc(*s, out);
            columns += (*s & 0xC0) != 0x80;
        }
    }
    return columns;
}

size_t cli_escaped_width(const char *text) {
    size_t columns = 0;
    for (const unsigned char *s = (const unsigned char *)text; *s != '\0'; s++)
        columns += is_control(*s) ? 4 : (*s & 0xC0) != 0x80;
    return columns;
}
