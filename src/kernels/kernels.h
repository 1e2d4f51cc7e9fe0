/* kernels.h - the kernel table that each ISA folder (scalar, avx2, avx512, neon) fills. scalar
 * is the reference; every other implementation must produce identical results for identical
 * inputs. */
#ifndef EMZ_KERNELS_H
#define EMZ_KERNELS_H

#include "emzip.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMZ_HUFF_MAX_LEN 11
#define EMZ_HUFF_TABLE_SIZE (1u << EMZ_HUFF_MAX_LEN)
#define EMZ_HUFF_LANES 16 /* the most lanes a stream has */

/* Lanes of a Huffman stream of n symbols (FORMAT.md, "Lanes"). */
static inline unsigned emz_huff_lane_count(size_t n) {
    return n < 4096 ? 1 : n < 16384 ? 4 : 16;
}

/* Encoder table: LSB-first (bit-reversed) canonical code and its length per symbol. */
typedef struct emz_huff_enc {
    uint16_t code[256];
    uint8_t len[256];
} emz_huff_enc;

/* Decoder tables indexed by the next 11 stream bits.
 * single[i] = length | symbol << 8 (the first code only). Length in the low byte: the x86-64
 *             lockstep loop shifts by the loaded entry directly (a shift takes the low six bits
 *             of its count) and stores the symbol from the second byte register.
 * multi[i]  = every whole code in the window, up to four, as 8 bytes:
 *             [0] bits used, [1..4] the symbols (first at [1]), [5] symbol count (1..4),
 *             [6..7] zero. Byte fields rather than bit fields so that a decoder takes each
 *             with its own load (the x86-64 loop: loads are cheaper than shifts there, and
 *             [0] feeds a variable shift directly) and the layout is the same on every host.
 *             Filled only when has_multi is set (emz_huff_dec_init says when); without it a
 *             decoder reads single[] alone. */
#define EMZ_HUFF_MULTI_CODES 4
typedef struct emz_huff_dec {
    uint8_t multi[EMZ_HUFF_TABLE_SIZE][8];
    uint16_t single[EMZ_HUFF_TABLE_SIZE];
    bool has_multi;
} emz_huff_dec;

/* The kernels, as function types: each ISA folder's kernels_<isa>.h declares its functions
 * with them (emz_split_kernel emz_split_bf16_avx2;), so a signature exists once. */

/* Splits m element slots of src into one exponent symbol per byte of exps and the
 * sign+mantissa symbols as a packed RAW bit string (FORMAT.md) in sm. */
typedef void emz_split_kernel(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm);
/* The inverse: m slots from exps and the packed sign+mantissa bit string into dst. Exponent
 * symbols are below 2^E (decoders refuse wider ones); the sign+mantissa bytes may be anything,
 * the padding bits of the last byte included. */
typedef void emz_merge_kernel(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst);
/* n symbols of width bits (1..8) <-> RAW bit string of ceil(n*width/8) bytes. Symbols to
 * pack are below 2^width (every caller's are; SIMD packers join them by adding). */
typedef void emz_pack_kernel(const uint8_t *syms, size_t n, unsigned width, uint8_t *out);
typedef void emz_unpack_kernel(const uint8_t *in, size_t n, unsigned width, uint8_t *syms);
/* hist[256] = occurrences of each byte value in data[0..n). */
typedef void emz_histogram_kernel(const uint8_t *data, size_t n, uint32_t hist[256]);
/* Encodes n symbols as emz_huff_lane_count(n) lanes written back to back at out, their
 * byte sizes in lane_sizes. out must have room for out_cap + 8 bytes; returns the total size,
 * or SIZE_MAX as soon as it would exceed out_cap. */
typedef size_t emz_huff_encode_kernel(const uint8_t *syms, size_t n, const emz_huff_enc *enc,
                                      uint8_t *out, size_t out_cap,
                                      uint32_t lane_sizes[EMZ_HUFF_LANES]);
/* Bytes that the caller of a Huffman decoder reads right after it, from memory that is likely
 * cold (a DIFF chunk's base): a decoder may prefetch them as it goes, so that they arrive while
 * it computes (the x86-64 loops do, two or three cache lines a round; a prefetch loop before
 * or between its calls waited for them instead). Never dereferenced. */
typedef struct emz_warm {
    const uint8_t *p;
    size_t size;
} emz_warm;

/* Decodes n symbols from emz_huff_lane_count(n) lanes of the given sizes at lanes. Bytes up to
 * readable_end may be read (never written); returns EMZ_ERROR_CORRUPT when a lane's codes
 * do not fill exactly its size. warm: NULL, or bytes to prefetch meanwhile. */
typedef emz_status emz_huff_decode_kernel(const uint8_t *lanes,
                                          const uint32_t lane_sizes[EMZ_HUFF_LANES],
                                          const uint8_t *readable_end, const emz_huff_dec *dec,
                                          uint8_t *out, size_t n, const emz_warm *warm);
/* Version 2 byte planes (FORMAT.md, "Chunk payload") of m elements, each output its own array
 * of m bytes, and in the same pass the counts the encoder weighs SPLIT against BYTES with,
 * added to hist:
 *  - fp16_planes_split: out = {low byte, high byte, exponent (bits 14..10), top plane (sign << 2
 *    | mantissa bits 9..8)}; hist[256]: the high bytes;
 *  - fp32_planes_split: out = {byte 0, byte 1, byte 2, byte 3, exponent (bits 30..23), top plane
 *    (sign << 7 | mantissa bits 22..16)}; hist[512]: sign << 8 | byte 2. */
typedef void emz_planes_split_kernel(const uint8_t *src, size_t m, uint8_t *const out[6],
                                     uint32_t *hist);
/* The inverses, straight into elements:
 *  - bytes2_merge / bytes4_merge: in = the 2 / 4 BYTES planes (byte k of element j = in[k][j]);
 *  - fp16_planes_merge: in = {exponent, low byte, top plane};
 *  - fp32_planes_merge: in = {exponent, byte 0, byte 1, top plane}.
 * Exponent and top symbols are below 2^E and 2^width (decoders check every symbol). */
typedef void emz_planes_merge_kernel(const uint8_t *const in[4], size_t m, uint8_t *dst);
/* checksum32 of the format (low 32 bits of XXH3-64), for chunk data. */
typedef uint32_t emz_checksum_kernel(const void *data, size_t size);
/* The channel shift of a block (FORMAT.md, "Channel shift") on n elements of `bytes` bytes
 * (1, 2 or 4), element i being of channel (i % channels): each element becomes
 *   ((v ^ flip[c]) & ~field) | ((v - shift[c]) & field)      (inverse: + shift[c])
 * with shift[] and flip[] given per channel as little-endian words of `bytes` bytes
 * (channels * bytes bytes each) and field the exponent's bits; flip NULL: no channel flips
 * (the exponent alone changes). src may equal dst. */
typedef void emz_channel_shift_kernel(const uint8_t *src, uint8_t *dst, size_t n, unsigned bytes,
                                      const uint8_t *shift, const uint8_t *flip, size_t channels,
                                      uint32_t field, bool inverse);

/* A checkpoint's delta against its base (FORMAT.md, "Delta segments"), on size bytes read as
 * elements of `width` bytes (1, 2 or 4; the last size % width bytes as bytes): forward, dst =
 * zigzag(src - base) element by element; undo, dst = base + unzigzag(src). dst may equal src. */
typedef void emz_delta_kernel(const uint8_t *src, const uint8_t *base, uint8_t *dst, size_t size,
                              unsigned width, bool undo);

/* The elements of a LOW chunk (FORMAT.md, "Delta segments"), m of `width` bytes (2 or 4) from
 * its planes: width 2, planes[0] the low k bits of each element, packed as a RAW stream of
 * k-bit symbols (NULL when k is 0; the packed bytes are read in place), and planes[1] the high
 * symbols, one a byte: dst = high << k | low; width 4, planes[0] and planes[1] bytes 0 and 1,
 * one a byte, planes[2] the next k bits packed the same way (NULL when k is 0) and planes[3]
 * the high symbols: dst = byte0 | byte1 << 8 | low << 16 | high << (16 + k). k <= 8; elements
 * stored little-endian, dst unaligned. An element whose high symbol is 255 takes the next
 * escape instead of it: two bytes at esc (esc_size of them), its high part, which must be at
 * least 255 and fit the element's bits above the shift. With base (not NULL), the elements so
 * made are zigzag differences, and base's elements are added back as the delta kernel's undo
 * does. Returns the escape bytes used, or SIZE_MAX when one is missing or out of range (dst is
 * then partly written). */
typedef size_t emz_low_join_kernel(const uint8_t *const planes[4], size_t m, unsigned width,
                                   unsigned k, const uint8_t *esc, size_t esc_size,
                                   const uint8_t *base, uint8_t *dst);

/* A fixed permutation of rows of `width` bytes: out[i] = in[from[i]] for i < width, from a
 * permutation of 0..width-1 (a block's tokens into and out of its channel clusters' order,
 * engine/kv_clusters.c). low7 and masks, when not NULL (width a multiple of 64, at most
 * EMZ_PERM_VECTOR_MAX), are its form for 128-byte table lookups: low7[i] = from[i] & 127, and
 * for output vector o and input pair q (bytes [128 q, 128 q + 128) of a row), mask
 * masks[o * pairs + q] has bit j set when from[64 o + j] >> 7 == q; pairs = width / 128 rounded
 * up. */
#define EMZ_PERM_VECTOR_MAX 4096
typedef struct emz_byte_perm {
    size_t width;
    const uint32_t *from;
    const uint8_t *low7;
    const uint64_t *masks;
    unsigned pairs;
} emz_byte_perm;
/* rows rows of p->width bytes through p, from in to out (not overlapping). */
typedef void emz_permute_rows_kernel(const uint8_t *in, uint8_t *out, size_t rows,
                                     const emz_byte_perm *p);

/* Measured on Zen 5 (format/huffman_build.c, emz_huff_dec_wants_multi). The six-lane loop
 * measured 60-62 ps a bit for codes of 3-6 bits; 68 puts its crossover with the model's lockstep
 * cost at 5.4 bits, where it lies measured: lockstep decoded FP16 high bytes (5.8 bits) at 0.363
 * ns a symbol against 0.362 plus the table's build, and with 62 movenet's FP16 checkpoint
 * decompressed 2-3.4% slower than with 68 (A/B in one process; BF16, FP32, FP8 within 2%). */
#define EMZ_HUFF_MULTI_PS_PER_BIT 77
#define EMZ_HUFF_MULTI6_PS_PER_BIT 68

typedef struct emz_kernels {
    const char *name;
    emz_split_kernel *split[EMZ_TYPE_COUNT]; /* NULL for bytes */
    emz_merge_kernel *merge[EMZ_TYPE_COUNT];
    emz_pack_kernel *pack_bits;
    emz_unpack_kernel *unpack_bits;
    emz_histogram_kernel *histogram;
    emz_huff_encode_kernel *huff_encode;
    emz_huff_decode_kernel *huff_decode;
    /* huff_decode's cost of a 16-lane stream with the multi-code table, in picoseconds per bit
     * of mean code length (emz_huff_dec_wants_multi): EMZ_HUFF_MULTI_PS_PER_BIT for the loop
     * four lanes at a time, EMZ_HUFF_MULTI6_PS_PER_BIT where the six-lane loop exists. */
    unsigned huff_multi16_ps_per_bit;
    emz_checksum_kernel *checksum32;
    emz_planes_split_kernel *fp16_planes_split, *fp32_planes_split;
    emz_planes_merge_kernel *bytes2_merge, *bytes4_merge, *fp16_planes_merge, *fp32_planes_merge;
    emz_channel_shift_kernel *channel_shift;
    emz_delta_kernel *delta;
    emz_low_join_kernel *low_join;
    emz_permute_rows_kernel *permute_rows;
} emz_kernels;

/* One table per ISA folder (kernels_<isa>.c); the engine picks one (engine/dispatch.c). */
extern const emz_kernels emz_kernels_scalar;
extern const emz_kernels emz_kernels_avx2;
extern const emz_kernels emz_kernels_avx512;
extern const emz_kernels emz_kernels_neon;

#endif
