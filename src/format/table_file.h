/* table_file.h - the table file of docs/FORMAT.md ("Table file", *.emzt): the table sets a
 * model's K/V cache blocks are coded with, one per group (e.g. per layer and K/V), with the
 * element type and cache layout they were trained for. */
#ifndef EMZ_TABLE_FILE_H
#define EMZ_TABLE_FILE_H

#include "emzip.h"

#include <stddef.h>
#include <stdint.h>

#define EMZ_TABLE_FILE_VERSION 1
#define EMZ_TABLE_FILE_GROUPS_MAX 65535u
/* Tables over all groups: bounds what loading a file allocates (a decoder is ~21 KB). */
#define EMZ_TABLE_FILE_TABLES_MAX 2048u
/* heads x head_dim and block_size: at most 2^24. */
#define EMZ_TABLE_FILE_LAYOUT_MAX (UINT32_C(1) << 24)
/* Magic, version, type, reserved; the checksum at the end. */
#define EMZ_TABLE_FILE_HEAD 8
#define EMZ_TABLE_FILE_TAIL 4

typedef struct emz_table_file_header {
    emz_type type;
    uint32_t heads, head_dim; /* both 0, or both > 0 with heads * head_dim <= 2^24 */
    uint32_t block_size;      /* 0 .. 2^24 */
    uint32_t groups;          /* 1 .. EMZ_TABLE_FILE_GROUPS_MAX */
} emz_table_file_header;

/* Writes the header fields (at most EMZ_TABLE_FILE_HEAD + 4 x 5 bytes); returns the size. The
 * table sets follow, then emz_table_file_seal adds the checksum. */
size_t emz_table_file_write_head(const emz_table_file_header *h, uint8_t *out);
/* Appends the checksum of out[0, size); returns the new size. */
size_t emz_table_file_seal(uint8_t *out, size_t size);

/* What a parse found: the header, where group 0's set starts (each next one follows the one
 * before) and the total of their tables. */
typedef struct emz_table_file_parse {
    emz_table_file_header header;
    size_t sets_at;
    uint32_t tables;
} emz_table_file_parse;

/* Checks a whole file of exactly size bytes: magic, version, checksum, header fields, every
 * table set (docs/FORMAT.md), and the table count limit. detail receives what failed. */
emz_status emz_table_file_read(const uint8_t *in, size_t size, emz_table_file_parse *parse,
                               char *detail, size_t detail_size);

#endif
