/* fuzz_table_file.c - libFuzzer target: emz_tables_load on hostile bytes (docs/FORMAT.md,
 * "Table file").
 *
 * Each input is loaded as it is, then again with its last four bytes replaced by the checksum
 * of the rest, so that mutations reach the checks behind the file checksum (each table set
 * inside still has its own checksum: fuzz_table_set covers the set parser). A refusal must come
 * with a message within the capacity given. A file that loads must describe itself
 * (emz_tables_info_get: its size and XXH3-64 id), save to exactly its bytes, load again when
 * the caller expects its type and layout and not another type, and code blocks: a round trip
 * through a block context with every one of its first groups and its last. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "block_tables.h"
#include "common/checksum.h"
#include "emzip.h"

#define MAX_GROUPS_TRIED 4
#define BLOCK 3000

static void round_trip(const emz_tables *t, const emz_tables_info *info) {
    static uint8_t src[BLOCK], blk[BLOCK + 19], out[BLOCK];
    emz_block_ctx *c = emz_block_ctx_create(t);
    if (!c || emz_block_ctx_set_param(c, EMZ_PARAM_BLOCK_CHECKSUM, 1) != EMZ_OK) abort();
    for (uint32_t i = 0; i <= MAX_GROUPS_TRIED && i < info->groups; i++) {
        uint32_t g = i < MAX_GROUPS_TRIED ? i : info->groups - 1;
        uint64_t id = 0;
        if (emz_tables_group_id(t, g, &id) != EMZ_OK) abort();
        fb_fill(src, BLOCK, info->type, g, g % 2 ? 8.0f : 0.5f);
        size_t w = 0, got = 0;
        if (emz_block_compress(c, info->type, g, src, BLOCK, blk, sizeof blk, &w) != EMZ_OK)
            abort();
        emz_block_info bi;
        if (emz_block_info_get(blk, w, &bi) != EMZ_OK || !bi.has_tables ||
            bi.set_tag != (uint32_t)id)
            abort();
        if (emz_block_decompress(c, blk, w, out, sizeof out, &got) != EMZ_OK || got != BLOCK ||
            memcmp(out, src, BLOCK) != 0)
            abort();
    }
    uint64_t id = 0;
    if (emz_tables_group_id(t, info->groups, &id) != EMZ_ERROR_INVALID_ARGUMENT) abort();
    emz_block_ctx_free(c);
}

static void run(const uint8_t *data, size_t size) {
    emz_tables *t = NULL;
    char detail[48];
    memset(detail, 'x', sizeof detail);
    emz_status st = emz_tables_load(data, size, NULL, &t, detail, sizeof detail);
    if (memchr(detail, 0, sizeof detail) == NULL) abort(); /* not terminated in its capacity */
    if (st != EMZ_OK) {
        if (t != NULL || (detail[0] == 0 && st != EMZ_ERROR_NO_MEMORY)) abort();
        return;
    }
    emz_tables_info info;
    if (emz_tables_info_get(t, &info) != EMZ_OK) abort();
    if (info.serialized_size != size || info.id != emz_hash64(data, size) || info.groups == 0 ||
        (unsigned)info.type >= EMZ_TYPE_COUNT || (info.heads == 0) != (info.head_dim == 0))
        abort();
    uint8_t *saved = malloc(size);
    size_t n = 0;
    if (!saved || emz_tables_save(t, saved, size, &n) != EMZ_OK || n != size ||
        memcmp(saved, data, size) != 0)
        abort();
    free(saved);
    emz_tables *u = NULL;
    if (emz_tables_load(data, size, &info, &u, NULL, 0) != EMZ_OK) abort();
    emz_tables_free(u);
    emz_tables_info other = info;
    other.type = (emz_type)((info.type + 1) % EMZ_TYPE_COUNT);
    u = NULL;
    if (emz_tables_load(data, size, &other, &u, NULL, 0) != EMZ_ERROR_WRONG_TABLES || u) abort();
    round_trip(t, &info);
    emz_tables_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    run(data, size);
    if (size < 16) return 0;
    uint8_t *copy = malloc(size);
    if (!copy) return 0;
    memcpy(copy, data, size);
    uint32_t sum = emz_checksum32(copy, size - 4);
    for (int i = 0; i < 4; i++)
        copy[size - 4 + i] = (uint8_t)(sum >> 8 * i);
    if (memcmp(copy, data, size) != 0) run(copy, size);
    free(copy);
    return 0;
}
