/* code_table.h - the code table's serialization (FORMAT.md, "Code table"): the nibble form
 * (every version), the compact form (version 2 on) and the sparse form (version 3 on). */
#ifndef EMZ_CODE_TABLE_H
#define EMZ_CODE_TABLE_H

#include <stddef.h>
#include <stdint.h>

/* Size and serialization of the code table for the symbols 0..alphabet-1 (alphabet 2^w) with
 * the lengths len (at least two non-zero). Each version writes the smallest form it has, so
 * that every table has exactly one encoding: version 1 the nibble form; version 2 the compact
 * form when strictly smaller than the nibble form; version 3 also the sparse form when strictly
 * smaller than both. */
size_t emz_huff_table_size(const uint8_t len[256], unsigned alphabet, unsigned version);
size_t emz_huff_table_write(const uint8_t len[256], unsigned alphabet, unsigned version,
                            uint8_t *out);

/* The least emz_huff_table_size can be for any code whose symbols with a code are `coded`
 * (at least two) from first to last: the nibble form's size, the compact form's with every
 * length equal to the one before, the sparse form's (which depends on nothing else). */
size_t emz_huff_table_size_floor(unsigned first, unsigned last, unsigned coded, unsigned version);

/* What emz_huff_table_read returns when the bytes ran out before the table was complete
 * (and before any error was found). */
#define EMZ_HUFF_TABLE_SHORT SIZE_MAX

/* Parses and validates a table of the given format version: bounds, lengths <= 11, >= 2
 * symbols, complete code, zero padding, the form the version's writers choose. Returns bytes
 * read, 0 if the table is invalid, or EMZ_HUFF_TABLE_SHORT. */
size_t emz_huff_table_read(const uint8_t *in, size_t avail, unsigned alphabet, unsigned version,
                           uint8_t len[256]);

#endif
