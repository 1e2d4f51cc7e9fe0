/* kv_cluster_train.c - clusters of a K/V group's channels, each to get table sets of its own
 * (docs/FORMAT.md, "Channel clusters"). A channel shift makes channels alike in scale and sign,
 * but not in spread: in bench/kv's E5M2 caches a code per channel (trained on other prompts)
 * would take up to 2 bits a value fewer than one code for all channels (layer 1's V), and the
 * shift recovers less than half of that. k-means over the channels' byte histograms, with the
 * bits a channel takes under a cluster's code as its distance, finds groups of channels worth a
 * code each. */
#include "engine/kv_cluster_train.h"

#include "format/huffman_build.h"

#include <stdlib.h>
#include <string.h>

#define ROUNDS 16

unsigned emz_kv_scaled_counts(const uint64_t *hist, unsigned alphabet, bool cover, uint32_t *out) {
    uint64_t total = 0, f;
    unsigned seen = 0;
    for (unsigned s = 0; s < alphabet; s++)
        total += hist[s];
    f = total / (UINT64_C(1) << 30) + 1;
    for (unsigned s = 0; s < alphabet; s++) {
        out[s] = hist[s] ? (uint32_t)(hist[s] / f > 0 ? hist[s] / f : 1) : cover;
        seen += hist[s] != 0;
    }
    return seen;
}

/* The code lengths of hist with every byte covered. */
static void covering_code(const uint64_t *hist, uint8_t len[256]) {
    uint32_t h[256];
    emz_kv_scaled_counts(hist, 256, true, h);
    memset(len, 0, 256);
    emz_huff_lengths(h, 256, len);
}

static uint64_t bits_of(const uint64_t *counts, const uint8_t *len) {
    uint64_t bits = 0;
    for (unsigned s = 0; s < 256; s++)
        bits += counts[s] * len[s];
    return bits;
}

typedef struct ranked {
    uint64_t bits, n; /* a channel's bits under its own code, its values */
    size_t c;
} ranked;

/* By bits per value (cross-multiplied in double: exact products of integers below 2^53 would
 * need them; the order only seeds the clusters, and doubles round alike everywhere), then
 * channel. */
static int by_spread(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    double l = (double)x->bits * (double)y->n, r = (double)y->bits * (double)x->n;
    if (l != r) return l < r ? -1 : 1;
    return x->c < y->c ? -1 : x->c > y->c;
}

/* Seeds: the channels in order of their own code's bits per value, cut into max runs. */
static bool seed(const uint64_t *counts, size_t channels, unsigned max, uint8_t *map) {
    ranked *r = malloc(channels * sizeof *r);
    if (!r) return false;
    size_t used = 0;
    for (size_t c = 0; c < channels; c++) {
        const uint64_t *h = counts + c * 256;
        uint64_t n = 0;
        for (unsigned s = 0; s < 256; s++)
            n += h[s];
        map[c] = 0; /* a channel without values goes anywhere */
        if (!n) continue;
        uint8_t len[256];
        covering_code(h, len);
        r[used++] = (ranked){bits_of(h, len), n, c};
    }
    qsort(r, used, sizeof *r, by_spread);
    for (size_t i = 0; i < used; i++)
        map[r[i].c] = (uint8_t)(i * max / used);
    free(r);
    return true;
}

typedef struct choice {
    uint64_t regret; /* what the channel loses if it cannot have its best cluster */
    size_t c;
} choice;

static int by_regret(const void *a, const void *b) {
    const choice *x = a, *y = b;
    if (x->regret != y->regret) return x->regret > y->regret ? -1 : 1;
    return x->c < y->c ? -1 : x->c > y->c;
}

/* The codes of the clusters of map (every byte covered), into len. */
static void cluster_codes(const uint64_t *counts, size_t channels, unsigned count,
                          const uint8_t *map, uint64_t (*pooled)[256], uint8_t (*len)[256]) {
    memset(pooled, 0, count * sizeof *pooled);
    for (size_t c = 0; c < channels; c++)
        for (unsigned s = 0; s < 256; s++)
            pooled[map[c]][s] += counts[c * 256 + s];
    for (unsigned k = 0; k < count; k++)
        covering_code(pooled[k], len[k]);
}

/* One round of assignment under the clusters' codes, each cluster keeping its size (cap[k]):
 * the channels that lose most by a second choice choose first. Returns the bits. */
static uint64_t assign(const uint64_t *counts, size_t channels, unsigned count, uint8_t (*len)[256],
                       const size_t *cap, uint64_t *cost, choice *order, uint8_t *map) {
    for (size_t c = 0; c < channels; c++) {
        uint64_t best = UINT64_MAX, second = UINT64_MAX;
        for (unsigned k = 0; k < count; k++) {
            uint64_t b = cost[c * count + k] = bits_of(counts + c * 256, len[k]);
            if (b < best)
                second = best, best = b;
            else if (b < second)
                second = b;
        }
        order[c] = (choice){second - best, c};
    }
    qsort(order, channels, sizeof *order, by_regret);
    size_t left[EMZ_KV_CLUSTERS];
    memcpy(left, cap, count * sizeof *left);
    uint64_t total = 0;
    for (size_t i = 0; i < channels; i++) {
        size_t c = order[i].c;
        unsigned pick = count;
        for (unsigned k = 0; k < count; k++)
            if (left[k] && (pick == count || cost[c * count + k] < cost[c * count + pick]))
                pick = k;
        left[pick]--, map[c] = (uint8_t)pick, total += cost[c * count + pick];
    }
    return total;
}

unsigned emz_kv_cluster_channels(const uint64_t *counts, size_t channels, unsigned count,
                                 uint8_t *map) {
    if (count > EMZ_KV_CLUSTERS) count = EMZ_KV_CLUSTERS;
    if (count > channels) count = (unsigned)channels;
    uint64_t(*pooled)[256] = malloc(count * sizeof *pooled);
    uint8_t(*len)[256] = malloc(count * sizeof *len);
    uint64_t *cost = malloc(channels * count * sizeof *cost);
    choice *order = malloc(channels * sizeof *order);
    uint8_t *trial = malloc(channels);
    bool ok = pooled && len && cost && order && trial && count >= 2;
    if (!ok || !seed(counts, channels, count, map)) {
        free(pooled), free(len), free(cost), free(order), free(trial);
        return 0;
    }
    size_t cap[EMZ_KV_CLUSTERS] = {0};
    for (size_t c = 0; c < channels; c++)
        cap[map[c]]++;
    /* the seed's bits, then rounds of assignment while they go down */
    cluster_codes(counts, channels, count, map, pooled, len);
    uint64_t bits = 0;
    for (size_t c = 0; c < channels; c++)
        bits += bits_of(counts + c * 256, len[map[c]]);
    for (int round = 0; round < ROUNDS; round++) {
        assign(counts, channels, count, len, cap, cost, order, trial);
        cluster_codes(counts, channels, count, trial, pooled, len);
        uint64_t next = 0;
        for (size_t c = 0; c < channels; c++)
            next += bits_of(counts + c * 256, len[trial[c]]);
        if (next >= bits) break;
        bits = next;
        memcpy(map, trial, channels);
        cluster_codes(counts, channels, count, map, pooled, len);
    }
    /* numbered in order of their first channel: the same map for the same clusters */
    uint8_t number[EMZ_KV_CLUSTERS];
    unsigned seen = 0;
    memset(number, 0xFF, sizeof number);
    uint64_t all[256] = {0};
    for (size_t c = 0; c < channels; c++) {
        if (number[map[c]] == 0xFF) number[map[c]] = (uint8_t)seen++;
        for (unsigned s = 0; s < 256; s++)
            all[s] += counts[c * 256 + s];
    }
    for (size_t c = 0; c < channels; c++)
        map[c] = number[map[c]];
    uint8_t one[256];
    covering_code(all, one);
    uint64_t one_bits = 0;
    for (size_t c = 0; c < channels; c++)
        one_bits += bits_of(counts + c * 256, one);
    free(pooled), free(len), free(cost), free(order), free(trial);
    if (seen < 2 || bits > one_bits - one_bits / EMZ_KV_CLUSTER_GAIN) return 0;
    return seen;
}
