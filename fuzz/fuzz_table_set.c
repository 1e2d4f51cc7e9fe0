/* fuzz_table_set.c - libFuzzer target: emz_table_set_read on hostile bytes.
 *
 * A refusal is fine; an accepted set must be canonical: written again it gives exactly the
 * bytes that were read, with the same id, and every table must be usable (a complete code over
 * its alphabet: emz_table_set_add accepts it again). Seeds: `make_seeds DIR tablesets`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/table_set.h"

static emz_table_set set, again;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t used = 0;
    if (emz_table_set_read(data, size, &set, &used) != EMZ_OK) return 0;
    if (used > size || set.count == 0) abort();
    memset(&again, 0, sizeof again);
    for (unsigned i = 0; i < set.count; i++)
        if (emz_table_set_add(&again, set.width[i], set.len[i]) != (int)i) abort();
    uint8_t *out = malloc(emz_table_set_size(&again));
    if (!out) return 0;
    size_t n = emz_table_set_write(&again, out);
    if (n != used || memcmp(out, data, n) != 0 || again.id != set.id) abort();
    free(out);
    return 0;
}
