/* block_codec.c - one block in, one block out (docs/FORMAT.md, "Block"), and batches of them on
 * a context's pool. A block is one chunk payload behind a few header bytes, so every
 * implementation codes it with the same kernels and writes the same bytes as for frames. */
#include "engine/block_codec.h"

#include "common/checksum.h"
#include "common/common.h"
#include "format/block.h"
#include "format/status_words.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A block cut by clusters, then the payloads of its clusters: each is written with a LEB128 size
 * in front (at most 4 bytes for 2^24 + 5) and needs EMZ_CHUNK_OUT_ROOM of its bytes. */
#define CLUSTERS_EXTRA (EMZ_TABLE_FILE_CLUSTERS_MAX * (4 + 5))
#define CLUSTERS_OUT_ROOM(size) (EMZ_CHUNK_OUT_ROOM(size) + CLUSTERS_EXTRA)
#define CLUSTERED_ROOM(size) ((size) + CLUSTERS_OUT_ROOM(size))

/* Worker w's scratch, large enough for size bytes: allocates only the first time a size
 * is met (or never, after EMZ_PARAM_BLOCK_SIZE). */
static emz_status scratch_for(emz_block_ctx *c, unsigned w, size_t size, emz_chunk_scratch **s,
                              char *detail) {
    *s = &c->scratch[w];
    if (emz_chunk_scratch_reserve(*s, size) == EMZ_OK) return EMZ_OK;
    emz_detail_set(detail, "no memory for the scratch of a %zu-byte block", size);
    return EMZ_ERROR_NO_MEMORY;
}

/* No kernels: the process default (EMZIP_IMPL) cannot run here (api/blocks.c). */
static emz_status check_kernels(const emz_block_ctx *c, char *detail) {
    if (c->k) return EMZ_OK;
    const char *forced = getenv("EMZIP_IMPL");
    emz_detail_set(detail, "EMZIP_IMPL=%s names no implementation that runs here",
                   forced ? forced : "");
    return EMZ_ERROR_IMPL_UNAVAILABLE;
}

static emz_status check_encode(const emz_block_ctx *c, emz_type type, uint32_t group, size_t size,
                               char *detail) {
    const emz_tables *t = c->tables;
    if (!c->k) return check_kernels(c, detail);
    if ((unsigned)type >= EMZ_TYPE_COUNT) {
        emz_detail_set(detail, "unknown type %d", (int)type);
        return EMZ_ERROR_INVALID_ARGUMENT;
    }
    if (size == 0 || size > EMZ_BLOCK_SIZE_MAX) {
        emz_detail_set(detail, "a block holds 1 to %" PRIu32 " bytes, not %zu", EMZ_BLOCK_SIZE_MAX,
                       size);
        return EMZ_ERROR_INVALID_ARGUMENT;
    }
    if (t && type != t->header.type) {
        emz_detail_set(detail, "the tables (%016" PRIx64 ") are for %s, not %s", t->id,
                       emz_type_name(t->header.type), emz_type_name(type));
        return EMZ_ERROR_WRONG_TABLES;
    }
    if (t && group >= t->header.groups) {
        emz_detail_set(detail, "group %" PRIu32 ": the tables have %" PRIu32 " groups", group,
                       t->header.groups);
        return EMZ_ERROR_INVALID_ARGUMENT;
    }
    return EMZ_OK;
}

emz_status emz_block_scratch_reserve(emz_block_ctx *c, unsigned workers, size_t size) {
    emz_status st = emz_chunk_scratch_reserve_set(&c->scratch, &c->scratch_count, workers, size);
    bool shifts = false, clusters = false;
    for (uint32_t g = 0; c->tables && g < c->tables->header.groups; g++) {
        shifts |= c->tables->group[g].shift.shift != NULL;
        clusters |= c->tables->group[g].clusters.count != 0;
    }
    for (unsigned w = 0; st == EMZ_OK && size && w < workers; w++) {
        if (shifts && !emz_chunk_scratch_reserve_shifted(&c->scratch[w], size))
            st = EMZ_ERROR_NO_MEMORY;
        if (clusters && !emz_chunk_scratch_reserve_clustered(&c->scratch[w], CLUSTERED_ROOM(size)))
            st = EMZ_ERROR_NO_MEMORY;
    }
    return st;
}

/* data (size bytes) cut by group g's clusters, each cluster coded as a chunk payload with its
 * own set behind its LEB128 size, into out (CLUSTERS_OUT_ROOM(size) bytes); returns the bytes
 * written. s->clustered holds CLUSTERED_ROOM(size) bytes; out may be its part past the first
 * size bytes. */
static size_t encode_clusters(const emz_block_ctx *c, emz_chunk_scratch *s,
                              const emz_tables_group *g, emz_type type, const uint8_t *data,
                              size_t size, uint8_t *out) {
    size_t lens[EMZ_TABLE_FILE_CLUSTERS_MAX], at = 0;
    emz_kv_clusters_lengths(&g->clusters, size, lens);
    /* the payloads' room (past the first size bytes) is the permutation's scratch until then */
    emz_kv_clusters_split(c->k, &g->clusters, data, size, s->clustered, s->clustered + size);
    const uint8_t *part = s->clustered;
    for (unsigned k = 0; k < g->clusters.count; part += lens[k], k++) {
        if (lens[k] == 0) continue; /* a short block may hold none of a cluster's channels */
        uint8_t leb[5];
        size_t room = emz_leb128_write(leb, (uint32_t)EMZ_CHUNK_PAYLOAD_BOUND(lens[k]));
        size_t n =
            emz_chunk_encode(c->k, type, part, lens[k], out + at + room, s, &g->sets[k], NULL);
        size_t used = emz_leb128_write(leb, (uint32_t)n);
        if (used < room) memmove(out + at + used, out + at + room, n);
        memcpy(out + at, leb, used);
        at += used + n;
    }
    return at;
}

/* src after group g's channel shift, in worker scratch s (grown on first use, unless
 * emz_block_scratch_reserve made room); NULL when there is no memory for it. */
static const uint8_t *shift_block(const emz_block_ctx *c, emz_chunk_scratch *s,
                                  const emz_tables_shift *sh, const uint8_t *src, size_t size) {
    if (!emz_chunk_scratch_reserve_shifted(s, size)) return NULL;
    emz_kv_shift_apply(c->k, sh, src, s->shifted, size, false);
    return s->shifted;
}

emz_status emz_block_encode(emz_block_ctx *c, unsigned w, emz_type type, uint32_t group,
                            const uint8_t *src, size_t size, uint8_t *dst, size_t cap,
                            size_t *written, char *detail) {
    emz_status st = check_encode(c, type, group, size, detail);
    emz_chunk_scratch *s = NULL;
    if (st == EMZ_OK) st = scratch_for(c, w, size, &s, detail);
    if (st != EMZ_OK) return st;
    const emz_tables_group *g = c->tables ? &c->tables->group[group] : NULL;
    const emz_tables_shift *sh = g && g->shift.shift ? &g->shift : NULL;
    bool clusters = g && g->clusters.count;
    emz_block_header h = {clusters ? 3u : sh ? 2u : 1u, type,          c->checksum, g != NULL,
                          g ? (uint32_t)g->id : 0,      (uint32_t)size};
    const uint8_t *data = sh ? shift_block(c, s, sh, src, size) : src;
    if (!data || (clusters && !emz_chunk_scratch_reserve_clustered(s, CLUSTERED_ROOM(size)))) {
        emz_detail_set(detail, "no memory for the channel shift or clusters of a %zu-byte block",
                       size);
        return EMZ_ERROR_NO_MEMORY;
    }
    uint8_t head[EMZ_BLOCK_HEADER_MAX];
    size_t hn = emz_block_header_write(&h, head), tail = c->checksum ? EMZ_BLOCK_CHECKSUM_SIZE : 0;
    /* In place when dst has the chunk codec's working room, else through scratch. */
    size_t room = clusters ? CLUSTERS_OUT_ROOM(size) : EMZ_CHUNK_OUT_ROOM(size);
    bool in_place = cap >= hn && cap - hn >= room + tail;
    uint8_t *out = in_place ? dst + hn : clusters ? s->clustered + size : s->chunk;
    size_t payload =
        clusters ? encode_clusters(c, s, g, type, data, size, out)
                 : emz_chunk_encode(c->k, type, data, size, out, s, g ? &g->tables : NULL, NULL);
    if (clusters && payload > EMZ_CHUNK_PAYLOAD_BOUND(size)) {
        /* Data the clusters' codes do not fit (random bytes, say) grows by a few bytes a
         * cluster: an untagged block of its own codes keeps the bound of every block. */
        h = (emz_block_header){1, type, c->checksum, false, 0, (uint32_t)size};
        hn = emz_block_header_write(&h, head);
        in_place = cap >= hn && cap - hn >= EMZ_CHUNK_OUT_ROOM(size) + tail;
        out = in_place ? dst + hn : s->chunk;
        payload = emz_chunk_encode(c->k, type, src, size, out, s, NULL, NULL);
    }
    if (hn + payload + tail > cap) {
        emz_detail_set(detail, "the block takes %zu bytes; dst has %zu", hn + payload + tail, cap);
        return EMZ_ERROR_DST_TOO_SMALL;
    }
    memcpy(dst, head, hn);
    if (!in_place) memcpy(dst + hn, out, payload);
    /* The check covers the header too: a flipped type or size bit must not pass. */
    if (c->checksum)
        emz_store32(dst + hn + payload, emz_checksum32(src, size) ^ emz_checksum32(head, hn));
    *written = hn + payload + tail;
    return EMZ_OK;
}

/* The group whose set a block's header names: none for an untagged block; else the group of
 * these tables with that tag, of the block's type. */
static emz_status group_of(const emz_block_ctx *c, const emz_block_header *h,
                           const emz_tables_group **group, char *detail) {
    *group = NULL;
    if (!h->tagged) return EMZ_OK;
    const emz_tables *t = c->tables;
    int64_t g = t ? emz_kv_tables_find(t, h->tag) : -1;
    if (!t) {
        emz_detail_set(detail,
                       "the block was coded with table set %08" PRIx32
                       " (its id's low 32 bits), and this "
                       "context has no tables",
                       h->tag);
        return EMZ_ERROR_WRONG_TABLES;
    }
    if (g < 0 || t->header.type != h->type) {
        emz_detail_set(detail,
                       "the block (%s) was coded with table set %08" PRIx32
                       " (its id's low 32 bits), which "
                       "tables %016" PRIx64 " (%s) do not hold",
                       emz_type_name(h->type), h->tag, t->id, emz_type_name(t->header.type));
        return EMZ_ERROR_WRONG_TABLES;
    }
    *group = &t->group[g];
    /* The version says whether the payload is shifted and cut by clusters; the set must
     * agree, both ways (a damaged version bit would otherwise decode to other bytes without a
     * word). */
    const emz_tables_group *set = &t->group[g];
    unsigned version = set->clusters.count ? 3 : set->shift.shift ? 2 : 1;
    if (h->version != version) {
        static const char *const what[4] = {"", "neither a channel shift nor clusters",
                                            "a channel shift and no clusters", "channel clusters"};
        emz_detail_set(
            detail, "the block (version %u) was coded with %s, and table set %016" PRIx64 " has %s",
            h->version, what[h->version], set->id, what[version]);
        return EMZ_ERROR_CORRUPT;
    }
    return EMZ_OK;
}

/* A version 3 payload (size bytes at p; readable up to end): each cluster's chunk payload behind
 * its size, decoded into scratch, the block joined from them into dst. */
static emz_status decode_clusters(const emz_block_ctx *c, emz_chunk_scratch *s,
                                  const emz_tables_group *g, const emz_block_header *h,
                                  const uint8_t *p, size_t size, const uint8_t *end, uint8_t *dst,
                                  char *detail) {
    size_t lens[EMZ_TABLE_FILE_CLUSTERS_MAX], at = 0;
    if (!emz_chunk_scratch_reserve_clustered(s, CLUSTERED_ROOM((size_t)h->size))) {
        emz_detail_set(detail, "no memory for the clusters of a %" PRIu32 "-byte block", h->size);
        return EMZ_ERROR_NO_MEMORY;
    }
    emz_kv_clusters_lengths(&g->clusters, h->size, lens);
    uint8_t *part = s->clustered;
    for (unsigned k = 0; k < g->clusters.count; part += lens[k], k++) {
        if (lens[k] == 0) continue;
        uint32_t n = 0;
        size_t used = emz_leb128_read(p + at, size - at, &n);
        if (used == 0 || n == 0 || n > size - at - used || n > EMZ_CHUNK_PAYLOAD_BOUND(lens[k])) {
            emz_detail_set(detail, "block payload: cluster %u: bad payload size", k);
            return used == 0 && size - at < 5 ? EMZ_ERROR_TRUNCATED : EMZ_ERROR_CORRUPT;
        }
        at += used;
        emz_status st = emz_chunk_decode(c->k, h->type, EMZ_BLOCK_CHUNK_VERSION, NULL, false,
                                         p + at, n, end, part, lens[k], s, &g->sets[k]);
        if (st != EMZ_OK) {
            emz_detail_set(detail, "block payload: cluster %u: %s", k, emz_status_words(st));
            return st;
        }
        at += n;
    }
    if (at != size) {
        emz_detail_set(detail, "block payload: %zu bytes after the last cluster", size - at);
        return EMZ_ERROR_CORRUPT;
    }
    emz_kv_clusters_join(c->k, &g->clusters, s->clustered, h->size, dst, s->clustered + h->size);
    return EMZ_OK;
}

emz_status emz_block_decode(emz_block_ctx *c, unsigned w, const uint8_t *src, size_t size,
                            uint8_t *dst, size_t cap, size_t *written, char *detail) {
    emz_block_header h;
    size_t hn = 0;
    const emz_tables_group *group = NULL;
    emz_chunk_scratch *s = NULL;
    emz_status st = check_kernels(c, detail);
    if (st != EMZ_OK) return st;
    st = emz_block_header_read(src, size, &h, &hn);
    if (st != EMZ_OK) {
        emz_detail_set(detail, "block header: %s", emz_status_words(st));
        return st;
    }
    size_t tail = h.checksum ? EMZ_BLOCK_CHECKSUM_SIZE : 0;
    if (size - hn < tail + 1 || size - hn - tail > EMZ_CHUNK_PAYLOAD_BOUND((size_t)h.size)) {
        emz_detail_set(detail, "a %zu-byte block cannot hold %" PRIu32 " bytes", size, h.size);
        return size - hn < tail + 1 ? EMZ_ERROR_TRUNCATED : EMZ_ERROR_CORRUPT;
    }
    if (h.size > cap) {
        emz_detail_set(detail, "the block holds %" PRIu32 " bytes; dst has %zu", h.size, cap);
        return EMZ_ERROR_DST_TOO_SMALL;
    }
    st = group_of(c, &h, &group, detail);
    if (st == EMZ_OK) st = scratch_for(c, w, h.size, &s, detail);
    if (st != EMZ_OK) return st;
    if (h.version == 3) /* group_of made sure the group has clusters */
        st = decode_clusters(c, s, group, &h, src + hn, size - hn - tail, src + size, dst, detail);
    else
        st = emz_chunk_decode(c->k, h.type, EMZ_BLOCK_CHUNK_VERSION, NULL, false, src + hn,
                              size - hn - tail, src + size, dst, h.size, s,
                              group ? &group->tables : NULL);
    if (st != EMZ_OK) {
        if (h.version != 3) emz_detail_set(detail, "block payload: %s", emz_status_words(st));
        return st;
    }
    if (h.version >= 2 && group->shift.shift) /* group_of checked the version against the set */
        emz_kv_shift_apply(c->k, &group->shift, dst, dst, h.size, true);
    if (h.checksum && c->verify &&
        emz_load32(src + size - tail) != (emz_checksum32(dst, h.size) ^ emz_checksum32(src, hn))) {
        emz_detail_set(detail, "the block's checksum does not match its decoded bytes");
        return EMZ_ERROR_CHECKSUM;
    }
    *written = h.size;
    return EMZ_OK;
}

typedef struct batch {
    emz_block_ctx *c;
    bool compress;
    emz_type type;
    emz_block_job *jobs;
    char (*detail)[EMZ_DETAIL_SIZE]; /* one per worker (struct emz_block_ctx) */
} batch;

/* Every job runs, whatever the others did: a failure is the job's status, not the batch's. */
static emz_status run_job(void *ctx, unsigned worker, uint64_t item) {
    batch *b = ctx;
    emz_block_job *j = &b->jobs[item];
    j->written = 0;
    if (!j->src || (!j->dst && j->dst_capacity)) {
        /* the message too: the batch names the lowest failure by worker 0's message */
        emz_detail_set(b->detail[worker], "%s is NULL", !j->src ? "src" : "dst (with a capacity)");
        j->status = EMZ_ERROR_INVALID_ARGUMENT;
        return EMZ_OK;
    }
    if (b->compress)
        j->status = emz_block_encode(b->c, worker, b->type, j->group, j->src, j->src_size, j->dst,
                                     j->dst_capacity, &j->written, b->detail[worker]);
    else
        j->status = emz_block_decode(b->c, worker, j->src, j->src_size, j->dst, j->dst_capacity,
                                     &j->written, b->detail[worker]);
    return EMZ_OK;
}

emz_status emz_block_batch(emz_block_ctx *c, bool compress, emz_type type, emz_block_job *jobs,
                           size_t count) {
    batch b = {c, compress, type, jobs, c->worker_detail};
    emz_status st = emz_pool_run(c->pool, count, run_job, &b);
    if (st != EMZ_OK) return st;
    for (size_t i = 0; i < count; i++) {
        if (jobs[i].status == EMZ_OK) continue;
        /* The lowest failure again, alone, for its message (coding a block twice gives the same
         * bytes, and failing jobs are rare). */
        char why[EMZ_DETAIL_SIZE] = "";
        batch one = {c, compress, type, jobs + i, c->worker_detail};
        run_job(&one, 0, 0);
        snprintf(why, sizeof why, "%s", c->worker_detail[0]);
        emz_detail_set(c->detail, "block %zu: %s", i, why);
        return jobs[i].status;
    }
    return EMZ_OK;
}
