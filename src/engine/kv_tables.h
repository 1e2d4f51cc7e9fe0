/* kv_tables.h - struct emz_tables: a table file (format/table_file.h) loaded for coding
 * blocks: every table's code lengths, encoder and decoder built once, each group's set as the
 * chunk codec's view of it, and the groups sorted by tag for decoding. Immutable once built. */
#ifndef EMZ_KV_TABLES_H
#define EMZ_KV_TABLES_H

#include "emzip.h"
#include "format/chunk_codec.h"
#include "format/table_file.h"

/* Blocks take a trained table unless their own saves more than 1/EMZ_KV_SHARED_SLACK of the
 * stream (emz_chunk_tables.shared_slack). Measured with emzip-kv-bench on bench/kv's caches
 * (avx512, one thread, one call per page against one frame of the same pages): without it, and
 * before set decoders chose their loop by emz_huff_dec_multi_pays, 0.68x (BF16 32 KiB pages)
 * and 0.61x (E4M3 16 KiB); with both, 1/100: 0.90x and 0.82x, costing 0.03 and 0.28 points of
 * ratio; 1/400: 0.79x and 0.65x. */
#define EMZ_KV_SHARED_SLACK 100

typedef struct emz_tables_group {
    uint64_t id;             /* its table set's id */
    emz_chunk_tables tables; /* its set, pointing into struct emz_tables's arrays */
} emz_tables_group;

typedef struct emz_tables_tag {
    uint32_t tag, group;
} emz_tables_tag;

struct emz_tables {
    emz_table_file_header header;
    uint64_t id;   /* of the file's bytes */
    uint8_t *file; /* the file's bytes, as loaded or trained */
    size_t file_size;
    uint32_t table_count;
    uint8_t *width;          /* [table_count], over all groups in order */
    uint8_t (*len)[256];     /* [table_count] */
    emz_huff_enc *enc;       /* [table_count] */
    emz_huff_dec *dec;       /* [table_count] */
    emz_tables_group *group; /* [header.groups] */
    emz_tables_tag *by_tag;  /* [header.groups], sorted by tag then group */
};

/* Builds tables from a file's bytes (copied), checking all of it. */
emz_status emz_kv_tables_load(const uint8_t *data, size_t size, emz_tables **out, char *detail,
                              size_t detail_size);
void emz_kv_tables_free(emz_tables *t);

/* The group whose set has this tag (the lowest-numbered one, if two sets are the same), or -1. */
int64_t emz_kv_tables_find(const emz_tables *t, uint32_t tag);

#endif
