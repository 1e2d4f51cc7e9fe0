/* table_file.h - the table file of docs/FORMAT.md ("Table file", *.emzt): the table sets a
 * model's K/V cache blocks are coded with, one per group (e.g. per layer and K/V), with the
 * element type and cache layout they were trained for. */
#ifndef EMZ_TABLE_FILE_H
#define EMZ_TABLE_FILE_H

#include "emzip.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Written: 3 when a group has channel clusters, else 2 when one has a channel shift, else 1; all
 * three are read. */
#define EMZ_TABLE_FILE_VERSION 3
#define EMZ_TABLE_FILE_GROUPS_MAX 65535u
/* Tables over all groups: bounds what loading a file allocates (a decoder is ~21 KB). */
#define EMZ_TABLE_FILE_TABLES_MAX 2048u
/* Channels of all the groups' shifts together: bounds what loading a file allocates for them
 * (8 bytes a channel at most, as FP32 words: 32 MiB), as TABLES_MAX does for tables. */
#define EMZ_TABLE_FILE_SHIFT_CHANNELS_MAX (UINT32_C(1) << 22)
/* Clusters of a group's channels (version 3): 2 to this many, each with its own table set. */
#define EMZ_TABLE_FILE_CLUSTERS_MAX 16u
/* Channels of all the groups' cluster maps together: bounds what loading a file allocates for
 * them (at most 18 bytes a channel, engine/kv_clusters.c: 18 MiB). */
#define EMZ_TABLE_FILE_CLUSTER_CHANNELS_MAX (UINT32_C(1) << 20)
/* heads x head_dim and block_size: at most 2^24. */
#define EMZ_TABLE_FILE_LAYOUT_MAX (UINT32_C(1) << 24)
/* Magic, version, type, reserved; the checksum at the end. */
#define EMZ_TABLE_FILE_HEAD 8
#define EMZ_TABLE_FILE_TAIL 4

typedef struct emz_table_file_header {
    unsigned version; /* 1: no channel shifts; 2: each group may have one; 3: and clusters */
    emz_type type;
    uint32_t heads, head_dim; /* both 0, or both > 0 with heads * head_dim <= 2^24 */
    uint32_t block_size;      /* 0 .. 2^24 */
    uint32_t groups;          /* 1 .. EMZ_TABLE_FILE_GROUPS_MAX */
} emz_table_file_header;

/* A group's channel shift (docs/FORMAT.md, "Channel shift"), as a version 2 file holds it
 * before the group's table set: channels exponent offsets (each below 2^E of the type) and
 * ceil(channels / 8) bytes of sign flips (bit c % 8 of byte c / 8). */
typedef struct emz_channel_shift {
    bool present;
    size_t channels; /* heads x head_dim of the file */
    const uint8_t *offsets, *signs;
} emz_channel_shift;

/* Whether a type can have a channel shift: one with an exponent in whole bytes (BF16, FP16,
 * FP32, FP8 E4M3 and E5M2). */
bool emz_channel_shift_allowed(emz_type type);
/* Reads the shift of a group (version 2) at in[0, avail) into *s (pointing into in); returns
 * the bytes it takes, or 0 when it is cut short or invalid for the header's type and layout. */
size_t emz_table_file_read_shift(const uint8_t *in, size_t avail, const emz_table_file_header *h,
                                 emz_channel_shift *s);
/* Writes s (or, when !s->present, the byte saying there is none); returns the size. */
size_t emz_table_file_write_shift(const emz_channel_shift *s, uint8_t *out);
/* Bytes emz_table_file_write_shift writes. */
size_t emz_table_file_shift_size(const emz_channel_shift *s);

/* A group's channel clusters (docs/FORMAT.md, "Channel clusters"), as a version 3 file holds
 * them after the group's shift: count 0 (none: one table set follows) or 2 to
 * EMZ_TABLE_FILE_CLUSTERS_MAX, each channel's cluster in map, and then one set per cluster. */
typedef struct emz_channel_clusters {
    unsigned count;
    size_t channels;    /* heads x head_dim of the file, when count > 0 */
    const uint8_t *map; /* [channels], each below count, every cluster given a channel */
} emz_channel_clusters;

/* Whether a type can have channel clusters: the one-byte types with an exponent (FP8 E4M3, E5M2),
 * whose whole bytes a cluster's streams code. */
bool emz_channel_clusters_allowed(emz_type type);
/* Reads the clusters of a group (version 3) at in[0, avail) into *cl (pointing into in); returns
 * the bytes they take, or 0 when cut short or invalid for the header's type and layout. */
size_t emz_table_file_read_clusters(const uint8_t *in, size_t avail, const emz_table_file_header *h,
                                    emz_channel_clusters *cl);
/* Writes cl (count 0: the byte saying there are none); returns the size. */
size_t emz_table_file_write_clusters(const emz_channel_clusters *cl, uint8_t *out);
/* Bytes emz_table_file_write_clusters writes. */
size_t emz_table_file_clusters_size(const emz_channel_clusters *cl);

/* Writes the header fields (at most EMZ_TABLE_FILE_HEAD + 4 x 5 bytes); returns the size. The
 * table sets follow, then emz_table_file_seal adds the checksum. */
size_t emz_table_file_write_head(const emz_table_file_header *h, uint8_t *out);
/* Appends the checksum of out[0, size); returns the new size. */
size_t emz_table_file_seal(uint8_t *out, size_t size);

/* What a parse found: the header, where group 0 starts (its shift in version 2 and 3, its
 * clusters in version 3, then its set or sets; each next group follows the one before) and the
 * total of their tables. */
typedef struct emz_table_file_parse {
    emz_table_file_header header;
    size_t sets_at;
    uint32_t tables;
    size_t shift_bytes;        /* what the groups' shifts take as element words (kv_tables.c) */
    uint64_t shift_channels;   /* of all the groups' shifts, at most SHIFT_CHANNELS_MAX */
    uint32_t sets;             /* table sets of all groups: one a group, or one a cluster */
    uint64_t cluster_channels; /* of all the groups' cluster maps, at most CLUSTER_CHANNELS_MAX */
} emz_table_file_parse;

/* Checks a whole file of exactly size bytes: magic, version, checksum, header fields, every
 * table set (docs/FORMAT.md), and the table count limit. detail receives what failed. */
emz_status emz_table_file_read(const uint8_t *in, size_t size, emz_table_file_parse *parse,
                               char *detail, size_t detail_size);

#endif
