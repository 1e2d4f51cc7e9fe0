/* table_set.c - serialization and checking of table sets (docs/FORMAT.md, "Table set"). */
#include "format/table_set.h"

#include "common/checksum.h"
#include "common/common.h"
#include "format/code_table.h"
#include "format/huffman_build.h"

#include <string.h>

/* Table sets are version 2 objects: their code tables take either form of version 2. */
enum { EMZ_TABLE_VERSION = 2 };

static const uint8_t table_set_magic[4] = {0x89, 0x45, 0x4D, 0x54}; /* \x89EMT */

uint64_t emz_table_set_id(const uint8_t *bytes, size_t size) {
    return emz_hash64(bytes, size);
}

int emz_table_set_add(emz_table_set *ts, unsigned width, const uint8_t len[256]) {
    if (ts->count >= EMZ_TABLE_SET_MAX || width < 1 || width > 8) return -1;
    /* The same check a reader makes: write the table and read it back. */
    uint8_t buf[2 + 128], back[256];
    size_t n = emz_huff_table_write(len, 1u << width, EMZ_TABLE_VERSION, buf);
    for (unsigned s = 1u << width; s < 256; s++)
        if (len[s]) return -1;
    if (emz_huff_table_read(buf, n, 1u << width, EMZ_TABLE_VERSION, back) != n ||
        memcmp(back, len, 1u << width))
        return -1;
    ts->width[ts->count] = (uint8_t)width;
    memset(ts->len[ts->count], 0, 256);
    memcpy(ts->len[ts->count], len, 1u << width);
    return (int)ts->count++;
}

size_t emz_table_set_size(const emz_table_set *ts) {
    size_t n = EMZ_TABLE_SET_HEAD + EMZ_TABLE_SET_TAIL;
    for (unsigned i = 0; i < ts->count; i++)
        n += 1 + emz_huff_table_size(ts->len[i], 1u << ts->width[i], EMZ_TABLE_VERSION);
    return n;
}

size_t emz_table_set_write(emz_table_set *ts, uint8_t *out) {
    if (ts->count == 0) return 0;
    memcpy(out, table_set_magic, 4);
    out[4] = EMZ_TABLE_SET_VERSION;
    out[5] = (uint8_t)ts->count;
    out[6] = out[7] = 0;
    size_t at = EMZ_TABLE_SET_HEAD;
    for (unsigned i = 0; i < ts->count; i++) {
        out[at++] = ts->width[i];
        at += emz_huff_table_write(ts->len[i], 1u << ts->width[i], EMZ_TABLE_VERSION, out + at);
    }
    emz_store32(out + at, emz_checksum32(out, at));
    at += EMZ_TABLE_SET_TAIL;
    ts->id = emz_table_set_id(out, at);
    return at;
}

emz_status emz_table_set_read(const uint8_t *in, size_t avail, emz_table_set *ts, size_t *used) {
    if (avail < 4) return EMZ_ERROR_TRUNCATED;
    if (memcmp(in, table_set_magic, 4) != 0) return EMZ_ERROR_NOT_EMZIP;
    if (avail < EMZ_TABLE_SET_HEAD) return EMZ_ERROR_TRUNCATED;
    if (in[4] != EMZ_TABLE_SET_VERSION) return EMZ_ERROR_UNSUPPORTED_VERSION;
    if (in[5] == 0 || in[6] != 0 || in[7] != 0) return EMZ_ERROR_CORRUPT;
    ts->count = 0;
    size_t at = EMZ_TABLE_SET_HEAD;
    for (unsigned i = 0; i < in[5]; i++) {
        if (at >= avail) return EMZ_ERROR_TRUNCATED;
        unsigned width = in[at++];
        if (width < 1 || width > 8) return EMZ_ERROR_CORRUPT;
        /* A table whose bytes run out before it is complete (and before any error in it) is
         * truncated; otherwise an invalid table is corrupt. */
        size_t n =
            emz_huff_table_read(in + at, avail - at, 1u << width, EMZ_TABLE_VERSION, ts->len[i]);
        if (n == EMZ_HUFF_TABLE_SHORT) return EMZ_ERROR_TRUNCATED;
        if (n == 0) return EMZ_ERROR_CORRUPT;
        ts->width[i] = (uint8_t)width;
        at += n;
    }
    if (avail - at < EMZ_TABLE_SET_TAIL) return EMZ_ERROR_TRUNCATED;
    if (emz_load32(in + at) != emz_checksum32(in, at)) return EMZ_ERROR_CHECKSUM;
    at += EMZ_TABLE_SET_TAIL;
    ts->count = in[5];
    ts->id = emz_table_set_id(in, at);
    *used = at;
    return EMZ_OK;
}
