/* bytegroup.h - the byte-group Huffman baseline: ZipNN's method (a bit reorder that gives the
 * exponent a byte of its own, byte grouping, zstd's Huff0 per chunk and group) (bench only).
 *
 * emzip promises to be faster than ZipNN and never bigger, so the benchmark runs ZipNN's method
 * beside it on the same tensors. What it follows, read in ZipNN's sources (zipnn/zipnn.py,
 * csrc/split_dtype.c, split_dtype16.c, data_manipulation_dtype32.c, huf_wrapper.c) and its
 * docs/BITMANIPULATION.md:
 *  - BF16: the bit reorder of reorder_float_bits (exponent into one byte, the sign beside the
 *    mantissa), then 2 byte groups: the exponent byte, the sign+mantissa byte.
 *  - FP16: 2 byte groups (low byte, high byte) without a bit reorder: zipnn.py sets
 *    bit_reorder = 0 for float16.
 *  - FP32: the same reorder on 32 bits (exponent, then sign + top 7 mantissa bits, then the two
 *    low mantissa bytes), 4 byte groups.
 *  - FP8, FP4 and bytes (ZipNN has no path for them): one group, the bytes as they are.
 *  - Each buffer is cut into chunks of 256 KiB of input (ZipNN's compression_chunk; 128 KiB for
 *    1-byte types, since Huff0 codes at most 128 KiB per call); every group of every chunk is
 *    coded with HUF_compress4X_repeat (what HUF_compress does: 4 streams, table log 11, no
 *    table reuse) and stored raw when Huff0 returns 0 (not compressible) or a size not below
 *    0.95 x the group (ZipNN's compression_threshold); Huff0's 1 (one repeated byte) is stored
 *    as that byte.
 *  - Framing: 4 bytes per chunk and group (its stored size); the type and original size come
 *    from the safetensors header, as for emzip's frames. This is leaner than ZipNN's own files
 *    (a 32-byte header and 9 bytes per chunk and group), and ZipNN's early stop (a group left
 *    raw after 10% of its chunks compressed poorly) is left out: both can only make ZipNN's
 *    output bigger, so "no bigger than this baseline" implies "no bigger than ZipNN".
 *  - Huff0 runs with its BMI2 flag when the CPU has BMI2 (as zstd itself calls it), so that
 *    the baseline decodes with Huff0's fastest loops.
 */
#ifndef EMZIP_BENCH_BYTEGROUP_H
#define EMZIP_BENCH_BYTEGROUP_H

#include "emzip.h"

#include <stddef.h>
#include <stdint.h>

#define BG_CHUNK ((size_t)256 * 1024)
#define BG_CHUNK_1BYTE ((size_t)128 * 1024)
#define BG_RAW_THRESHOLD 0.95
#define BG_SIZE_BYTES 4 /* framing per chunk and group */

/* One buffer coded on its own: a tensor, a dtype's tensors concatenated, or a header. */
typedef struct bg_unit {
    const uint8_t *src;
    size_t size;
    emz_type type;
    int width;                            /* bytes per element = byte groups */
    size_t comp_off, comp_cap, comp_size; /* its payloads in the set's comp buffer */
    size_t size_off, nsizes;              /* its stored sizes in the set's sizes array */
    size_t out_off;                       /* its place in the set's out buffer */
} bg_unit;

struct bg_work; /* Huff0 workspaces and the group buffers */

/* Units coded one after another, like the tensors of a checkpoint. */
typedef struct bg_set {
    bg_unit *u;
    size_t n, cap;
    uint8_t *comp;
    size_t comp_cap;
    uint32_t *sizes;
    size_t nsizes;
    uint8_t *out;
    size_t out_size;
    struct bg_work *w;
    const char *error; /* Huff0's name of the last error, NULL if none */
} bg_set;

/* Adds a unit (before bg_set_alloc); src must stay valid while the set is used. */
void bg_set_add(bg_set *s, const uint8_t *src, size_t size, emz_type type);
void bg_set_alloc(bg_set *s);
void bg_set_free(bg_set *s);

/* Timing callbacks (arg: a bg_set *): code every unit into comp and sizes / decode every unit
 * into out. 0 on success; -1 with s->error set when Huff0 reports an error or a size is
 * inconsistent. */
int bg_compress_all(void *arg);
int bg_decompress_all(void *arg);

/* Stored bytes of one unit / of all: payloads plus BG_SIZE_BYTES per chunk and group. */
uint64_t bg_unit_bytes(const bg_set *s, size_t i);
uint64_t bg_set_bytes(const bg_set *s);

/* 1 if every unit's decoded bytes equal its input. */
int bg_outputs_match(const bg_set *s);

/* Codes and decodes the set once and compares (before timing). 0 if byte-identical; -1 with a
 * message in err otherwise. */
int bg_roundtrip(bg_set *s, char *err, size_t errlen);

#endif
