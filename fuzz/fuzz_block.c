/* fuzz_block.c - libFuzzer target: hostile blocks (docs/FORMAT.md, "Block").
 *
 * The input is a block. Tables of every type are trained once, at the first input, from fixed
 * synthetic data (block_tables.h, shared with make_seeds, whose tagged seeds name them). The
 * block goes through emz_block_info_get, then emz_block_decompress with the tables of its
 * header's type (checksum verified), with them again without verification (so that a mutation
 * reaches the payload decoder even when it breaks the checksum), and with a context without
 * tables. A decoder must never write past the capacity it was given (canary); a success must
 * agree with the header (exactly its size, at most the capacity), and what it decoded must
 * compress again, with the group the tag names, and round-trip. Capacity: the block's size up
 * to 1 MiB, else 1 MiB (a larger block must then be refused). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "block_tables.h"
#include "emzip.h"

#define CAP_MAX ((size_t)1 << 20)
#define CANARY 16

static emz_tables *tables[EMZ_TYPE_COUNT];
static emz_block_ctx *with[EMZ_TYPE_COUNT], *unverified[EMZ_TYPE_COUNT], *without;
static uint8_t *out, *again, *back;

static void init(void) {
    for (int t = 0; t < EMZ_TYPE_COUNT; t++) {
        tables[t] = fb_train((emz_type)t);
        with[t] = emz_block_ctx_create(tables[t]);
        unverified[t] = emz_block_ctx_create(tables[t]);
        if (!tables[t] || !with[t] || !unverified[t] ||
            emz_block_ctx_set_param(with[t], EMZ_PARAM_BLOCK_CHECKSUM, 1) != EMZ_OK ||
            emz_block_ctx_set_param(unverified[t], EMZ_PARAM_VERIFY_CHECKSUM, 0) != EMZ_OK)
            abort();
    }
    without = emz_block_ctx_create(NULL);
    out = malloc(CAP_MAX + CANARY);
    again = malloc(emz_block_bound(CAP_MAX));
    back = malloc(CAP_MAX);
    if (!without || !out || !again || !back) abort();
}

/* The group of the tables whose set has the block's tag, or -1. */
static int64_t group_of(const emz_tables *t, uint32_t tag) {
    for (uint32_t g = 0; g < FB_GROUPS; g++) {
        uint64_t id = 0;
        if (emz_tables_group_id(t, g, &id) != EMZ_OK) abort();
        if ((uint32_t)id == tag) return g;
    }
    return -1;
}

/* What a successful decode wrote compresses again (with the group the tag names, or without
 * tables) and decodes back to itself. */
static void recompress(const emz_block_info *info, size_t n) {
    emz_block_ctx *c = info->has_tables ? with[info->type] : without;
    int64_t g = info->has_tables ? group_of(tables[info->type], info->set_tag) : 0;
    if (g < 0) abort(); /* decoded with tables that do not hold its tag */
    size_t w = 0, got = 0;
    if (emz_block_compress(c, info->type, (uint32_t)g, out, n, again, emz_block_bound(n), &w) !=
            EMZ_OK ||
        w > n + 19)
        abort();
    if (emz_block_decompress(c, again, w, back, n, &got) != EMZ_OK || got != n ||
        memcmp(back, out, n) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!without) init();
    emz_block_info info;
    memset(&info, 0, sizeof info);
    emz_status ist = emz_block_info_get(data, size, &info);
    if (ist == EMZ_OK &&
        ((unsigned)info.type >= EMZ_TYPE_COUNT || info.original_size == 0 ||
         info.original_size > ((uint64_t)16 << 20) || (!info.has_tables && info.set_tag != 0)))
        abort();
    emz_type type = ist == EMZ_OK ? info.type : (emz_type)(size > 1 ? (data[1] & 7) % 7 : 0);
    size_t cap =
        ist == EMZ_OK && info.original_size <= CAP_MAX ? (size_t)info.original_size : CAP_MAX;
    emz_block_ctx *ctxs[3] = {with[type], unverified[type], without};
    for (int i = 0; i < 3; i++) {
        memset(out + cap, 0xC7, CANARY);
        size_t written = SIZE_MAX;
        emz_status st = emz_block_decompress(ctxs[i], data, size, out, cap, &written);
        for (size_t k = 0; k < CANARY; k++)
            if (out[cap + k] != 0xC7) abort(); /* wrote past the capacity */
        if (st != EMZ_OK) {
            if (emz_block_ctx_error_detail(ctxs[i])[0] == 0) abort(); /* a failure says why */
            continue;
        }
        /* a success agrees with the header */
        if (ist != EMZ_OK || written != info.original_size || written > cap) abort();
        if (info.has_tables && i == 2) abort(); /* a tagged block needs its tables */
        recompress(&info, written);
    }
    return 0;
}
