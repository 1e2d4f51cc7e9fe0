/* table_file.c - writing and checking table files (docs/FORMAT.md, "Table file"). */
#include "format/table_file.h"

#include "common/checksum.h"
#include "common/common.h"
#include "format/element_types.h"
#include "format/status_words.h"
#include "format/table_set.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t table_file_magic[4] = {0x89, 0x45, 0x4D, 0x4B}; /* \x89EMK */

bool emz_channel_shift_allowed(emz_type type) {
    const emz_type_desc *d = emz_type_desc_get(type);
    return d && d->exp_bits && d->element_bits >= 8;
}

size_t emz_table_file_shift_size(const emz_channel_shift *s) {
    return s->present ? 1 + s->channels + emz_div_ceil(s->channels, 8) : 1;
}

size_t emz_table_file_write_shift(const emz_channel_shift *s, uint8_t *out) {
    out[0] = s->present;
    if (!s->present) return 1;
    memcpy(out + 1, s->offsets, s->channels);
    memcpy(out + 1 + s->channels, s->signs, emz_div_ceil(s->channels, 8));
    return emz_table_file_shift_size(s);
}

size_t emz_table_file_read_shift(const uint8_t *in, size_t avail, const emz_table_file_header *h,
                                 emz_channel_shift *s) {
    *s = (emz_channel_shift){0};
    if (avail < 1 || in[0] > 1) return 0;
    if (in[0] == 0) return 1;
    size_t channels = (size_t)h->heads * h->head_dim, sign_bytes = emz_div_ceil(channels, 8);
    if (!channels || !emz_channel_shift_allowed(h->type) || avail - 1 < channels + sign_bytes)
        return 0;
    unsigned limit = 1u << emz_type_desc_get(h->type)->exp_bits;
    for (size_t c = 0; c < channels; c++)
        if (in[1 + c] >= limit) return 0;
    /* padding bits of the last sign byte are zero: one file, one id */
    if (channels % 8 && in[channels + sign_bytes] >> (channels % 8)) return 0;
    *s = (emz_channel_shift){true, channels, in + 1, in + 1 + channels};
    return 1 + channels + sign_bytes;
}

bool emz_channel_clusters_allowed(emz_type type) {
    const emz_type_desc *d = emz_type_desc_get(type);
    return d && d->exp_bits && d->element_bits == 8;
}

size_t emz_table_file_clusters_size(const emz_channel_clusters *cl) {
    return cl->count ? 1 + cl->channels : 1;
}

size_t emz_table_file_write_clusters(const emz_channel_clusters *cl, uint8_t *out) {
    out[0] = (uint8_t)cl->count;
    if (cl->count) memcpy(out + 1, cl->map, cl->channels);
    return emz_table_file_clusters_size(cl);
}

size_t emz_table_file_read_clusters(const uint8_t *in, size_t avail, const emz_table_file_header *h,
                                    emz_channel_clusters *cl) {
    *cl = (emz_channel_clusters){0};
    if (avail < 1) return 0;
    if (in[0] == 0) return 1;
    size_t channels = (size_t)h->heads * h->head_dim;
    unsigned count = in[0];
    if (count < 2 || count > EMZ_TABLE_FILE_CLUSTERS_MAX || !channels ||
        !emz_channel_clusters_allowed(h->type) || avail - 1 < channels)
        return 0;
    /* every cluster holds a channel: a set no block can use would only cost loading time */
    uint32_t used = 0;
    for (size_t c = 0; c < channels; c++) {
        if (in[1 + c] >= count) return 0;
        used |= UINT32_C(1) << in[1 + c];
    }
    if (used != (UINT32_C(1) << count) - 1) return 0;
    *cl = (emz_channel_clusters){count, channels, in + 1};
    return 1 + channels;
}

size_t emz_table_file_write_head(const emz_table_file_header *h, uint8_t *out) {
    memcpy(out, table_file_magic, 4);
    out[4] = (uint8_t)h->version;
    out[5] = (uint8_t)h->type;
    out[6] = out[7] = 0;
    size_t at = EMZ_TABLE_FILE_HEAD;
    at += emz_leb128_write(out + at, h->heads);
    at += emz_leb128_write(out + at, h->head_dim);
    at += emz_leb128_write(out + at, h->block_size);
    return at + emz_leb128_write(out + at, h->groups);
}

size_t emz_table_file_seal(uint8_t *out, size_t size) {
    emz_store32(out + size, emz_checksum32(out, size));
    return size + EMZ_TABLE_FILE_TAIL;
}

static emz_status fail(emz_status st, char *detail, size_t size, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static emz_status fail(emz_status st, char *detail, size_t size, const char *format, ...) {
    if (detail && size) {
        va_list ap;
        va_start(ap, format);
        vsnprintf(detail, size, format, ap);
        va_end(ap);
    }
    return st;
}

/* The four LEB128 fields after the fixed head; *at moves past them. */
static emz_status read_fields(const uint8_t *in, size_t end, size_t *at, emz_table_file_header *h,
                              char *detail, size_t dsize) {
    uint32_t v[4];
    static const char *const names[4] = {"heads", "head_dim", "block_size", "group count"};
    for (int i = 0; i < 4; i++) {
        size_t n = emz_leb128_read(in + *at, end - *at, &v[i]);
        if (n == 0) return fail(EMZ_ERROR_CORRUPT, detail, dsize, "table file: bad %s", names[i]);
        *at += n;
    }
    h->heads = v[0], h->head_dim = v[1], h->block_size = v[2], h->groups = v[3];
    if ((h->heads == 0) != (h->head_dim == 0) ||
        (uint64_t)h->heads * h->head_dim > EMZ_TABLE_FILE_LAYOUT_MAX)
        return fail(EMZ_ERROR_CORRUPT, detail, dsize, "table file: bad layout %u x %u", h->heads,
                    h->head_dim);
    if (h->block_size > EMZ_TABLE_FILE_LAYOUT_MAX)
        return fail(EMZ_ERROR_CORRUPT, detail, dsize, "table file: bad block size %u",
                    h->block_size);
    if (h->groups == 0 || h->groups > EMZ_TABLE_FILE_GROUPS_MAX)
        return fail(EMZ_ERROR_CORRUPT, detail, dsize, "table file: bad group count %u", h->groups);
    return EMZ_OK;
}

/* Every group's set, back to back, ending exactly at end. */
static emz_status read_sets(const uint8_t *in, size_t end, size_t at, emz_table_file_parse *p,
                            char *detail, size_t dsize) {
    emz_table_set *ts = malloc(sizeof *ts);
    if (!ts) return EMZ_ERROR_NO_MEMORY;
    emz_status st = EMZ_OK;
    p->tables = 0, p->sets_at = at, p->shift_bytes = 0, p->shift_channels = 0;
    p->sets = 0, p->cluster_channels = 0;
    for (uint32_t g = 0; g < p->header.groups && st == EMZ_OK; g++) {
        size_t used = 0;
        if (p->header.version >= 2) {
            emz_channel_shift shift;
            size_t n = emz_table_file_read_shift(in + at, end - at, &p->header, &shift);
            if (n == 0) {
                st = fail(EMZ_ERROR_CORRUPT, detail, dsize,
                          "table file: bad channel shift in group %u", g);
                break;
            }
            at += n;
            if (shift.present &&
                (p->shift_channels += shift.channels) > EMZ_TABLE_FILE_SHIFT_CHANNELS_MAX) {
                st = fail(EMZ_ERROR_CORRUPT, detail, dsize,
                          "table file: more than %" PRIu32 " channels of shifts in all (group %u)",
                          EMZ_TABLE_FILE_SHIFT_CHANNELS_MAX, g);
                break;
            }
            if (shift.present) /* bounded by the check above: no overflow */
                p->shift_bytes +=
                    2 * shift.channels * (emz_type_desc_get(p->header.type)->element_bits / 8);
        }
        unsigned sets = 1;
        if (p->header.version >= 3) {
            emz_channel_clusters cl;
            size_t n = emz_table_file_read_clusters(in + at, end - at, &p->header, &cl);
            if (n == 0) {
                st = fail(EMZ_ERROR_CORRUPT, detail, dsize,
                          "table file: bad channel clusters in group %u", g);
                break;
            }
            at += n;
            if (cl.count &&
                (p->cluster_channels += cl.channels) > EMZ_TABLE_FILE_CLUSTER_CHANNELS_MAX) {
                st =
                    fail(EMZ_ERROR_CORRUPT, detail, dsize,
                         "table file: more than %" PRIu32 " channels of clusters in all (group %u)",
                         EMZ_TABLE_FILE_CLUSTER_CHANNELS_MAX, g);
                break;
            }
            if (cl.count) sets = cl.count;
        }
        for (unsigned k = 0; k < sets && st == EMZ_OK; k++) {
            st = emz_table_set_read(in + at, end - at, ts, &used);
            if (st != EMZ_OK) {
                /* A set cut by the end of the file's sets is damage, not a short file: the
                 * checksum over the whole file has already matched. */
                if (st == EMZ_ERROR_TRUNCATED || st == EMZ_ERROR_NOT_EMZIP) st = EMZ_ERROR_CORRUPT;
                fail(st, detail, dsize, "table file: table set %u of group %u: %s", k, g,
                     emz_status_words(st));
            } else if (p->tables + ts->count > EMZ_TABLE_FILE_TABLES_MAX) {
                st = fail(EMZ_ERROR_CORRUPT, detail, dsize,
                          "table file: more than %u tables in all (group %u)",
                          EMZ_TABLE_FILE_TABLES_MAX, g);
            } else {
                p->tables += ts->count, p->sets++;
                at += used;
            }
        }
    }
    free(ts);
    if (st == EMZ_OK && at != end)
        st = fail(EMZ_ERROR_CORRUPT, detail, dsize,
                  "table file: %zu bytes after the last table set", end - at);
    return st;
}

emz_status emz_table_file_read(const uint8_t *in, size_t size, emz_table_file_parse *p,
                               char *detail, size_t dsize) {
    if (size < 4) return fail(EMZ_ERROR_TRUNCATED, detail, dsize, "table file: %zu bytes", size);
    if (memcmp(in, table_file_magic, 4) != 0)
        return fail(EMZ_ERROR_NOT_EMZIP, detail, dsize, "not an emzip table file (bad magic)");
    if (size < EMZ_TABLE_FILE_HEAD + 4 + EMZ_TABLE_FILE_TAIL)
        return fail(EMZ_ERROR_TRUNCATED, detail, dsize, "table file: %zu bytes", size);
    if (in[4] < 1 || in[4] > EMZ_TABLE_FILE_VERSION)
        return fail(EMZ_ERROR_UNSUPPORTED_VERSION, detail, dsize,
                    "table file version %u (this library reads 1 to %u)", in[4],
                    EMZ_TABLE_FILE_VERSION);
    size_t end = size - EMZ_TABLE_FILE_TAIL;
    if (emz_load32(in + end) != emz_checksum32(in, end))
        return fail(EMZ_ERROR_CHECKSUM, detail, dsize,
                    "table file: checksum mismatch (truncated or damaged)");
    if (in[5] >= EMZ_TYPE_COUNT || in[6] || in[7])
        return fail(EMZ_ERROR_CORRUPT, detail, dsize, "table file: bad type or reserved bytes");
    p->header.type = (emz_type)in[5];
    p->header.version = in[4];
    size_t at = EMZ_TABLE_FILE_HEAD;
    emz_status st = read_fields(in, end, &at, &p->header, detail, dsize);
    return st != EMZ_OK ? st : read_sets(in, end, at, p, detail, dsize);
}
