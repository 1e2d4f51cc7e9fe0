/* kv_clusters.c - cutting a block by its group's channel clusters and joining it again
 * (docs/FORMAT.md, "Channel clusters"). Each cluster's bytes are coded as one chunk payload with
 * its own table set, so the Huffman loops never switch tables within a stream; the price is
 * these two passes over the block: a fixed permutation of each token (kernel permute_rows) and
 * a copy of each cluster's part of it. */
#include "engine/kv_tables.h"

#include <string.h>

/* The vector form of a permutation (kernels.h, emz_byte_perm) when its width has one. */
static bool has_vector_form(size_t width) {
    return width % 64 == 0 && width <= EMZ_PERM_VECTOR_MAX;
}

static size_t pairs_of(size_t width) {
    return (width + 127) / 128;
}

size_t emz_kv_clusters_size(size_t channels, unsigned count) {
    size_t words = 2 * channels + count + 1, bytes = (words * 4 + 7) & ~(size_t)7;
    if (has_vector_form(channels))
        bytes += 2 * (channels / 64) * pairs_of(channels) * 8 + ((2 * channels + 7) & ~(size_t)7);
    return bytes;
}

/* p from `from` (width entries), its vector form in masks and low7 when it has one. */
static void plan(const uint32_t *from, size_t width, uint64_t *masks, uint8_t *low7,
                 emz_byte_perm *p) {
    *p = (emz_byte_perm){width, from, NULL, NULL, (unsigned)pairs_of(width)};
    if (!has_vector_form(width)) return;
    memset(masks, 0, (width / 64) * p->pairs * sizeof *masks);
    for (size_t i = 0; i < width; i++) {
        low7[i] = (uint8_t)(from[i] & 127);
        masks[(i / 64) * p->pairs + from[i] / 128] |= UINT64_C(1) << (i % 64);
    }
    p->low7 = low7, p->masks = masks;
}

void emz_kv_clusters_build(const emz_channel_clusters *cl, void *mem, emz_tables_clusters *out) {
    size_t C = cl->channels, at = 0;
    uint64_t *masks = mem;
    size_t mask_words = has_vector_form(C) ? (C / 64) * pairs_of(C) : 0;
    uint32_t *order = (uint32_t *)(masks + 2 * mask_words), *where = order + C, *start = where + C;
    uint8_t *low7 = (uint8_t *)(start + cl->count + 1);
    low7 += (8 - (uintptr_t)low7 % 8) % 8;
    for (unsigned k = 0; k < cl->count; k++) {
        start[k] = (uint32_t)at;
        for (size_t c = 0; c < C; c++)
            if (cl->map[c] == k) where[c] = (uint32_t)at, order[at++] = (uint32_t)c;
    }
    start[cl->count] = (uint32_t)at;
    *out = (emz_tables_clusters){.count = cl->count, .channels = C, .order = order, .start = start};
    plan(order, C, masks, low7, &out->to_rows);
    plan(where, C, masks + mask_words, low7 + C, &out->from_rows);
}

/* Cluster k's channels below rem: a prefix of its list, which is in increasing order. */
static size_t channels_below(const emz_tables_clusters *cl, unsigned k, size_t rem) {
    size_t n = 0;
    for (uint32_t j = cl->start[k]; j < cl->start[k + 1] && cl->order[j] < rem; j++)
        n++;
    return n;
}

void emz_kv_clusters_lengths(const emz_tables_clusters *cl, size_t size, size_t *lens) {
    size_t tokens = size / cl->channels, rem = size % cl->channels;
    for (unsigned k = 0; k < cl->count; k++)
        lens[k] =
            tokens * (cl->start[k + 1] - cl->start[k]) + (rem ? channels_below(cl, k, rem) : 0);
}

/* The whole tokens go through the kernel as cluster rows, each cluster's part of a row moved
 * to or from its place in one copy; the bytes of a last partial token one at a time. */
void emz_kv_clusters_split(const emz_kernels *k, const emz_tables_clusters *cl, const uint8_t *src,
                           size_t size, uint8_t *dst, uint8_t *temp) {
    size_t C = cl->channels, tokens = size / C, rem = size % C;
    k->permute_rows(src, temp, tokens, &cl->to_rows);
    for (unsigned g = 0; g < cl->count; g++) {
        const uint32_t *ch = cl->order + cl->start[g];
        size_t n = cl->start[g + 1] - cl->start[g];
        for (size_t t = 0; t < tokens; t++, dst += n)
            memcpy(dst, temp + t * C + cl->start[g], n);
        for (size_t j = 0; j < n && ch[j] < rem; j++)
            *dst++ = src[tokens * C + ch[j]];
    }
}

void emz_kv_clusters_join(const emz_kernels *k, const emz_tables_clusters *cl, const uint8_t *src,
                          size_t size, uint8_t *dst, uint8_t *temp) {
    size_t C = cl->channels, tokens = size / C, rem = size % C;
    for (unsigned g = 0; g < cl->count; g++) {
        const uint32_t *ch = cl->order + cl->start[g];
        size_t n = cl->start[g + 1] - cl->start[g];
        for (size_t t = 0; t < tokens; t++, src += n)
            memcpy(temp + t * C + cl->start[g], src, n);
        for (size_t j = 0; j < n && ch[j] < rem; j++)
            dst[tokens * C + ch[j]] = *src++;
    }
    k->permute_rows(temp, dst, tokens, &cl->from_rows);
}
