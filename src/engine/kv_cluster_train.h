/* kv_cluster_train.h - which channels of a K/V group share a code table (kv_train.c). */
#ifndef EMZ_KV_CLUSTER_TRAIN_H
#define EMZ_KV_CLUSTER_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many clusters a group (the format allows 16). */
#define EMZ_KV_CLUSTERS 8
/* A cluster's share of a block the tables are trained for: block_size / 4096 clusters (at most
 * EMZ_KV_CLUSTERS) of equal size, so that in a block of that size each cluster's stream has
 * 4,096 symbols and so four lanes (FORMAT.md, "Lanes"), decoded four at a time; shorter streams
 * have one lane and decode several times slower. Measured with emzip-kv-bench on bench/kv's
 * E5M2 caches (16 KiB pages, one call each, FP8 slack 1/50 then): free k-means with 8 clusters
 * 0.5934 at 43 us a page; 4 equal clusters 0.6056 at 15 us (without clusters 0.6305 at 12 us). */
#define EMZ_KV_CLUSTER_BYTES 4096
/* Counters: channels x 256 of them at most this many (64 MiB). */
#define EMZ_KV_CLUSTER_COUNTS_MAX (UINT64_C(1) << 23)
/* Clusters are kept when they save at least 1/EMZ_KV_CLUSTER_GAIN of the bits one code takes. */
#define EMZ_KV_CLUSTER_GAIN 50

/* hist (alphabet counts) scaled to fit uint32 for emz_huff_lengths, a seen symbol kept at 1 at
 * least; with cover every symbol of the alphabet counted at least once. Returns the symbols
 * seen. */
unsigned emz_kv_scaled_counts(const uint64_t *hist, unsigned alphabet, bool cover, uint32_t *out);

/* `count` clusters of equal size (at most EMZ_KV_CLUSTERS and the channels) of channels
 * (counts: channels x 256 byte counts, after the group's shift): seeded by the bits a value of
 * each channel takes under its own code, then assigned again by the bits it takes under each
 * cluster's Huffman code (every byte covered) while they go down; integer arithmetic but for the
 * seeds' order, so that training gives the same file everywhere. map receives each channel's
 * cluster. Returns the clusters, or 0 when they save less than 1/EMZ_KV_CLUSTER_GAIN. */
unsigned emz_kv_cluster_channels(const uint64_t *counts, size_t channels, unsigned count,
                                 uint8_t *map);

#endif
