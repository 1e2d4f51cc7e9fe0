/* chunk_codec.h - encoding and decoding of one chunk payload (FORMAT.md, "Chunk payload"). */
#ifndef EMZ_CHUNK_CODEC_H
#define EMZ_CHUNK_CODEC_H

#include "format/element_types.h"
#include "kernels/kernels.h"

enum { EMZ_LAYOUT_SPLIT = 0, EMZ_LAYOUT_WHOLE = 1, EMZ_LAYOUT_BYTES = 3 };
/* SPLIT and BYTES differ in two bits: for BF16 their bodies have the same shape (two streams of
 * m bytes), so a single-bit error between them must not make a valid payload. */
/* Mode values differ pairwise in two bits, so no single-bit error turns one valid mode into
 * another (a 1-bit flip between RAW and CONSTANT could otherwise yield identical output). */
enum { EMZ_MODE_RAW = 0, EMZ_MODE_CONSTANT = 3, EMZ_MODE_HUFFMAN = 5 };

/* Largest payload of a chunk of len bytes, and the room emz_chunk_encode needs for it. */
#define EMZ_CHUNK_PAYLOAD_BOUND(len) ((len) + 5)

/* The largest payload a reader accepts for a chunk of len bytes (FORMAT.md, "Expansion
 * bound"): version 3 frames and version 2 and 3 containers require the bound above (a writer
 * falls back to RAW). Versions 1 and 2 frames only bound it by what a valid payload can be: a
 * code of at most min(11, 2^w - 1) bits a symbol of w bits is at most 2.75 times the symbol's
 * width (w = 4), and the tables, lane tables, padding, modes and tail of five streams add less
 * than 1,200 bytes. */
static inline uint64_t emz_chunk_payload_max(unsigned version, uint64_t len) {
    return version >= 3 ? EMZ_CHUNK_PAYLOAD_BOUND(len) : 3 * len + 2048;
}
/* A Huffman attempt may write past the RAW size it must beat: lane tables of up to 5 bytes a
 * lane and 8 bytes of store slack. */
#define EMZ_CHUNK_OUT_ROOM(len) ((len) + 128)

/* Byte planes of a chunk's m elements start EMZ_PLANE_STRIDE(m) apart in scratch.planes, which
 * holds the five (FP32: four bytes and the top plane) of any chunk. */
#define EMZ_PLANE_STRIDE(m) (((m) + 127) & ~(size_t)63)
#define EMZ_PLANES_ROOM(chunk_size) (5 * EMZ_PLANE_STRIDE((chunk_size) / 2))

/* Scratch memory for chunks of up to chunk_size bytes, owned by a context. */
typedef struct emz_chunk_scratch {
    size_t chunk_size;
    uint8_t *exps;      /* one byte per slot: 2 * chunk_size */
    uint8_t *sm_syms;   /* one byte per slot: 2 * chunk_size */
    uint8_t *sm_packed; /* RAW sign+mantissa: chunk_size + 64 */
    uint8_t *chunk;     /* one chunk of original or encoded bytes: EMZ_CHUNK_OUT_ROOM */
    uint8_t *planes;    /* up to four byte planes of a 2- or 4-byte type: EMZ_PLANES_ROOM */
    emz_huff_enc enc;
    emz_huff_dec dec;
} emz_chunk_scratch;

/* Bytes emz_chunk_scratch_reserve allocates for chunk_size, and the scratch itself. */
size_t emz_chunk_scratch_bytes(size_t chunk_size);

/* Makes scratch large enough for chunk_size; keeps it if it already is. */
emz_status emz_chunk_scratch_reserve(emz_chunk_scratch *s, size_t chunk_size);
void emz_chunk_scratch_release(emz_chunk_scratch *s);

/* A context's per-worker scratch: grows *set (of *count) to at least workers entries and
 * makes the first workers of them large enough for chunk_size. */
emz_status emz_chunk_scratch_reserve_set(emz_chunk_scratch **set, unsigned *count, unsigned workers,
                                         size_t chunk_size);
/* Releases and frees a set. */
void emz_chunk_scratch_release_set(emz_chunk_scratch **set, unsigned *count);

/* Encodes len bytes (len <= s->chunk_size) as a chunk of format version EMZ_FORMAT_VERSION into
 * out, which has EMZ_CHUNK_OUT_ROOM(len) bytes. Returns the payload size, at most
 * EMZ_CHUNK_PAYLOAD_BOUND(len). */
size_t emz_chunk_encode(const emz_kernels *k, emz_type type, const uint8_t *src, size_t len,
                        uint8_t *out, emz_chunk_scratch *s);

/* Decodes a payload of exactly size bytes into len bytes at dst. Bytes up to readable_end
 * may be read. */
emz_status emz_chunk_decode(const emz_kernels *k, emz_type type, unsigned version,
                            const uint8_t *payload, size_t size, const uint8_t *readable_end,
                            uint8_t *dst, size_t len, emz_chunk_scratch *s);

#endif
