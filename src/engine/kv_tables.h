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
 * ratio; 1/400: 0.79x and 0.65x. Channel shifts (table file version 2) narrow what a trained
 * table codes, and a page's own code then beats it by the slack more often, each time at the
 * cost of a decoding table built for the page: BF16 exponent streams 21% -> 28% at 1/100,
 * E4M3 whole bytes 3% -> 32% (FP8's per-prompt scale moves a page's codes against the
 * training prompts'). So 2- and 4-byte types take 1/25 (BF16 pages 3.29 -> 3.57 GB/s, ratio
 * 0.6561 -> 0.6567) and FP8 1/50 (E4M3 pages 0.55-0.64x -> 0.68x of a large frame, ratio 0.7939 ->
 * 0.7965; E5M2 0.6682 -> 0.6716, still below zstd -1's 0.6731; 1/35 would reach 0.6730).
 * Channel clusters (table file version 3) cut an FP8 page into four streams, each of which
 * built its own code to weigh it (emz_huff_lengths: 43% of an E4M3 page's compression at 1/50);
 * at 1/20 fewer are built and fewer used (E4M3 pages compress at 0.63 GB/s instead of 0.32, and
 * decode at 1.04 instead of 0.99; ratio 0.7293 -> 0.7308; E5M2 0.40 -> 0.69 GB/s, 0.6056 ->
 * 0.6077, against zstd -1's 0.6282); 1/10 adds 0.07 GB/s for 0.05 points more. */
#define EMZ_KV_SHARED_SLACK_WIDE 25
#define EMZ_KV_SHARED_SLACK_FP8 20

/* A group's channel shift as the kernels take it (kernels.h, emz_channel_shift_kernel). */
typedef struct emz_tables_shift {
    const uint8_t *shift, *flip; /* channels words of `bytes` bytes each; NULL: no shift, and
                                    (flip) no channel flips its sign */
    size_t channels;
    unsigned bytes;
    uint32_t field; /* the exponent's bits in an element */
} emz_tables_shift;

/* A group's channel clusters as blocks are cut by them (FORMAT.md, "Channel clusters"). A
 * token's channels in cluster order (cluster 0's in increasing order, then 1's...) are its
 * "cluster row". */
typedef struct emz_tables_clusters {
    unsigned count; /* 0: none; else 2..EMZ_TABLE_FILE_CLUSTERS_MAX */
    size_t channels;
    const uint32_t *order;   /* [channels]: the channel at each place of a cluster row */
    const uint32_t *start;   /* [count + 1]: cluster k's are order[start[k] .. start[k + 1]) */
    emz_byte_perm to_rows;   /* a token into its cluster row (from = order) */
    emz_byte_perm from_rows; /* and back (from = each channel's place in the cluster row) */
} emz_tables_clusters;

typedef struct emz_tables_group {
    uint64_t id; /* its id: of its set (version 1), of its shift to its last set (2, 3) */
    emz_chunk_tables tables; /* its set, pointing into struct emz_tables's arrays (with clusters:
                                cluster 0's) */
    emz_tables_shift shift;
    emz_tables_clusters clusters;
    const emz_chunk_tables *sets; /* [clusters.count]: each cluster's set; NULL without clusters */
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
    uint8_t *shift_words;    /* the groups' shift and flip words, back to back */
    emz_chunk_tables *sets;  /* [parse.sets]: the sets of clustered groups' clusters */
    uint64_t *cluster_mem;   /* the groups' clusters as built, back to back */
};

/* A group's shift s as the kernels' element words (offset << the exponent's lowest bit; the sign
 * bit), into words (2 x s->channels x the element's bytes) and *out. */
void emz_kv_shift_words(const emz_channel_shift *s, emz_type type, uint8_t *words,
                        emz_tables_shift *out);

/* A block of size bytes through the shift (inverse: undone) into dst (may be src): its whole
 * elements through the kernel, a trailing part of an element copied. */
void emz_kv_shift_apply(const emz_kernels *k, const emz_tables_shift *sh, const uint8_t *src,
                        uint8_t *dst, size_t size, bool inverse);

/* Bytes emz_kv_clusters_build needs for clusters of `channels` channels (a multiple of 8). */
size_t emz_kv_clusters_size(size_t channels, unsigned count);
/* A group's clusters cl as blocks are cut by them, into mem (emz_kv_clusters_size bytes,
 * 8-byte aligned) and *out. */
void emz_kv_clusters_build(const emz_channel_clusters *cl, void *mem, emz_tables_clusters *out);

/* The bytes of each cluster in a block of size bytes (one-byte elements; element i of channel
 * i mod channels), into lens[cl->count]. */
void emz_kv_clusters_lengths(const emz_tables_clusters *cl, size_t size, size_t *lens);
/* A block cut by clusters: cluster 0's bytes (in element order), then cluster 1's... from src
 * into dst; join puts them back. src, dst and temp (size bytes each) do not overlap. */
void emz_kv_clusters_split(const emz_kernels *k, const emz_tables_clusters *cl, const uint8_t *src,
                           size_t size, uint8_t *dst, uint8_t *temp);
void emz_kv_clusters_join(const emz_kernels *k, const emz_tables_clusters *cl, const uint8_t *src,
                          size_t size, uint8_t *dst, uint8_t *temp);

/* Builds tables from a file's bytes (copied), checking all of it. */
emz_status emz_kv_tables_load(const uint8_t *data, size_t size, emz_tables **out, char *detail,
                              size_t detail_size);
void emz_kv_tables_free(emz_tables *t);

/* The group whose set has this tag (the lowest-numbered one, if two sets are the same), or -1. */
int64_t emz_kv_tables_find(const emz_tables *t, uint32_t tag);

#endif
