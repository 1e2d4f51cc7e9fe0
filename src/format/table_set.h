/* table_set.h - the table set object of docs/FORMAT.md ("Table set"): Huffman code tables
 * stored once and referred to by number from SHARED streams, so that many small tensors of a
 * checkpoint, or every page of a model's K/V cache, need not carry their own. A set is named by
 * its id, the XXH3-64 of its serialized bytes; a stream coded with one set must never be
 * decoded with another. */
#ifndef EMZ_TABLE_SET_H
#define EMZ_TABLE_SET_H

#include "emzip.h"

#include <stddef.h>
#include <stdint.h>

#define EMZ_TABLE_SET_VERSION 1
#define EMZ_TABLE_SET_MAX 255
/* Serialized bytes before the tables (magic, version, count, reserved) and after (checksum). */
#define EMZ_TABLE_SET_HEAD 8
#define EMZ_TABLE_SET_TAIL 4
/* The largest serialized set: 255 tables of a width byte and a code table of at most 130 bytes
 * (the nibble form of 256 symbols). A reader never needs to look at more bytes. */
#define EMZ_TABLE_SET_SIZE_MAX (EMZ_TABLE_SET_HEAD + EMZ_TABLE_SET_TAIL + EMZ_TABLE_SET_MAX * 131)

typedef struct emz_table_set {
    uint64_t id;    /* XXH3-64 of the serialized set: set by write and read */
    unsigned count; /* tables, 0..EMZ_TABLE_SET_MAX (a serialized set has at least one) */
    uint8_t width[EMZ_TABLE_SET_MAX];    /* symbol width of table i, 1..8 */
    uint8_t len[EMZ_TABLE_SET_MAX][256]; /* code lengths of table i, 0 = no code */
} emz_table_set;

/* Appends a table for symbols of width bits with these code lengths (at least two codes, at
 * most EMZ_HUFF_MAX_LEN bits, a complete code over 0..2^width-1). Returns its number, or -1
 * when the set is full or the table is not valid. */
int emz_table_set_add(emz_table_set *ts, unsigned width, const uint8_t len[256]);

/* Bytes the serialized set takes (count >= 1). */
size_t emz_table_set_size(const emz_table_set *ts);

/* Serializes the set into out (emz_table_set_size bytes) and sets ts->id. Returns the size,
 * or 0 when the set is empty. */
size_t emz_table_set_write(emz_table_set *ts, uint8_t *out);

/* Parses and checks a serialized set at the start of in (avail bytes may be more than the set):
 * EMZ_ERROR_NOT_EMZIP (magic), EMZ_ERROR_UNSUPPORTED_VERSION, EMZ_ERROR_TRUNCATED,
 * EMZ_ERROR_CORRUPT (count, reserved bytes, widths, tables), EMZ_ERROR_CHECKSUM. On success
 * *used is its size and ts->id its id. */
emz_status emz_table_set_read(const uint8_t *in, size_t avail, emz_table_set *ts, size_t *used);

/* The id of serialized bytes, as the set stored in them is named. */
uint64_t emz_table_set_id(const uint8_t *bytes, size_t size);

#endif
