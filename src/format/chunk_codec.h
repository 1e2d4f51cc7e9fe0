/* chunk_codec.h - encoding and decoding of one chunk payload (FORMAT.md, "Chunk payload"). */
#ifndef EMZ_CHUNK_CODEC_H
#define EMZ_CHUNK_CODEC_H

#include "format/element_types.h"
#include "format/table_set.h"
#include "kernels/kernels.h"

enum { EMZ_LAYOUT_SPLIT = 0, EMZ_LAYOUT_WHOLE = 1, EMZ_LAYOUT_BYTES = 3, EMZ_LAYOUT_LOW = 6 };
/* LOW, only in the DIFF chunks of a version 5 container, differs from each other layout in at
 * least two bits. */
/* SPLIT and BYTES differ in two bits: for BF16 their bodies have the same shape (two streams of
 * m bytes), so a single-bit error between them must not make a valid payload. */
/* Mode values differ pairwise in two bits, so no single-bit error turns one valid mode into
 * another (a 1-bit flip between RAW and CONSTANT could otherwise yield identical output). */
enum { EMZ_MODE_RAW = 0, EMZ_MODE_CONSTANT = 3, EMZ_MODE_HUFFMAN = 5, EMZ_MODE_SHARED = 6 };

/* The roles of a chunk's streams, by which a writer gathers histograms over chunks: the whole
 * bytes, the exponents, the sign+mantissa symbols (FP16, FP32: the top plane) and the byte
 * planes (BYTES, and the low mantissa bytes of SPLIT). */
enum {
    EMZ_ROLE_WHOLE,
    EMZ_ROLE_EXP,
    EMZ_ROLE_SIGNMANT,
    EMZ_ROLE_BYTE0,
    EMZ_ROLE_BYTE1,
    EMZ_ROLE_BYTE2,
    EMZ_ROLE_BYTE3,
    EMZ_ROLE_COUNT
};

/* What one stream an encoder planned with a table set would cost: own, its estimated bytes
 * without the set (the cheapest of RAW, CONSTANT and HUFFMAN), and, in the stats' cost array,
 * its estimated bytes with each table of the set (UINT32_MAX where that table cannot code it
 * or, for a plane, saves less than 1% of RAW). chunk numbers the chunk (in the order
 * encoded); layouts says which of the chunk's two candidate layouts hold the stream (bit 0: the
 * one with whole bytes, WHOLE or BYTES; bit 1: SPLIT): the encoder writes the layout whose
 * streams cost less in all (SPLIT on a tie only where it is the only one). */
typedef struct emz_stream_record {
    uint32_t own;
    uint32_t chunk;
    uint32_t layouts;
} emz_stream_record;

/* What an encoder reports about the streams it weighed. Without rec: their histograms, added
 * up by element type and role (width[t][r] is the streams' symbol width, 0: none seen). With
 * rec: a record of each stream it planned with a histogram (at most rec_cap of them), its
 * costs with the set's `tables` tables at cost + tables * (its number). */
typedef struct emz_stream_stats {
    uint64_t hist[EMZ_TYPE_COUNT][EMZ_ROLE_COUNT][256];
    uint8_t width[EMZ_TYPE_COUNT][EMZ_ROLE_COUNT];
    emz_stream_record *rec;
    uint32_t *cost;
    size_t rec_count, rec_cap;
    unsigned tables;
    uint32_t chunks; /* chunks encoded with records */
} emz_stream_stats;

/* The table set SHARED streams refer to, as the chunk codec uses it: a container's set, or a
 * block's (engine/kv_tables.c keeps its sets in this compact form, not as emz_table_set).
 * count 0 when there is none (a bare frame, a container without one); table i has symbols of
 * width[i] bits and code lengths len[i]; dec[i] is its decoder (built for streams of any
 * length), needed by the decoder only; enc (may be NULL: built per stream) its encoder. */
typedef struct emz_chunk_tables {
    unsigned count;
    const uint8_t *width;
    const uint8_t (*len)[256];
    const emz_huff_dec *dec;
    const emz_huff_enc *enc;
    /* A SHARED stream is chosen over a cheaper one unless that saves more than 1/shared_slack
     * of its cost (0: only when SHARED is cheapest). Blocks set it: a stream with its own
     * table pays for parsing the table and building a decoder on every decode, a SHARED one
     * decodes with a table built once (and through the multi-code table). */
    unsigned shared_slack;
} emz_chunk_tables;

/* The view of a table set (NULL: none) with its decoders (may be NULL when encoding). */
static inline emz_chunk_tables emz_chunk_tables_of(const emz_table_set *set,
                                                   const emz_huff_dec *dec) {
    if (!set) return (emz_chunk_tables){0, NULL, NULL, NULL, NULL, 0};
    return (emz_chunk_tables){set->count, set->width, (const uint8_t(*)[256])set->len,
                              dec,        NULL,       0};
}

/* Why emz_chunk_decode refused a SHARED stream (emz_chunk_scratch.shared_fault). */
enum {
    EMZ_SHARED_FAULT_NONE,
    EMZ_SHARED_FAULT_NO_SET,   /* no table set: a bare frame or a container without one */
    EMZ_SHARED_FAULT_NO_TABLE, /* the table number is not below the set's count */
    EMZ_SHARED_FAULT_WIDTH,    /* the table is for symbols of another width */
};

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
    uint8_t *shifted;   /* a block after its channel shift (block_codec.c), grown on first use */
    size_t shifted_cap;
    uint8_t *input; /* a payload read from a file (reader_read.c), grown on first use, zeroed */
    size_t input_cap;
    uint8_t *clustered; /* a block cut by channel clusters, then its payloads (block_codec.c) */
    size_t clustered_cap;
    emz_huff_enc enc;
    emz_huff_dec dec;
    /* Set by emz_chunk_decode when it refuses a SHARED stream: why (EMZ_SHARED_FAULT_*), the
     * table number read and the stream's symbol width; fault NONE otherwise. */
    unsigned shared_fault, shared_table, shared_width;
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
/* Makes s->shifted hold at least size bytes (a block after its channel shift); false without
 * memory. */
bool emz_chunk_scratch_reserve_shifted(emz_chunk_scratch *s, size_t size);
/* Makes s->clustered hold at least size bytes; false without memory. */
bool emz_chunk_scratch_reserve_clustered(emz_chunk_scratch *s, size_t size);
/* Makes s->input hold at least size bytes, zeroed when allocated (a decoder reads ahead of a
 * payload; what it finds there is then bytes of earlier payloads, never uninitialized memory);
 * false without memory. Kept between calls: a fresh zeroed buffer per read was a sixth of
 * opening a checkpoint. */
bool emz_chunk_scratch_reserve_input(emz_chunk_scratch *s, size_t size);
/* Releases and frees a set. */
void emz_chunk_scratch_release_set(emz_chunk_scratch **set, unsigned *count);

/* Encodes len bytes (len <= s->chunk_size) as a chunk of format version EMZ_FORMAT_VERSION into
 * out, which has EMZ_CHUNK_OUT_ROOM(len) bytes. Returns the payload size, at most
 * EMZ_CHUNK_PAYLOAD_BOUND(len). With tables (may be NULL, or its set NULL) a stream may be
 * SHARED, coded with a table of the set; with stats (may be NULL) the histograms of the
 * streams weighed are added to it. */
size_t emz_chunk_encode(const emz_kernels *k, emz_type type, const uint8_t *src, size_t len,
                        uint8_t *out, emz_chunk_scratch *s, const emz_chunk_tables *tables,
                        emz_stream_stats *stats);

/* A DIFF chunk of a version 5 container (its len bytes the zigzag difference from the base):
 * emz_chunk_encode's payload, or the layout LOW where that is smaller (2- and 4-byte types);
 * room, of EMZ_CHUNK_LOW_ROOM(len) bytes, holds a LOW attempt. */
#define EMZ_CHUNK_LOW_ROOM(len) (2 * (len) + 256)
size_t emz_chunk_encode_diff(const emz_kernels *k, emz_type type, const uint8_t *src, size_t len,
                             uint8_t *out, uint8_t *room, emz_chunk_scratch *s,
                             const emz_chunk_tables *tables);

/* Decodes a payload of exactly size bytes into len bytes at dst. Bytes up to readable_end
 * may be read. base (NULL: none): a DIFF chunk's base bytes (len of them), added back to the
 * difference the payload decodes to; low: the layout LOW is valid (a DIFF chunk of a version
 * 5 container). SHARED streams decode with tables (NULL or its set NULL: none, and SHARED is
 * corrupt); a refused SHARED stream says why in s->shared_fault. */
emz_status emz_chunk_decode(const emz_kernels *k, emz_type type, unsigned version,
                            const uint8_t *base, bool low, const uint8_t *payload, size_t size,
                            const uint8_t *readable_end, uint8_t *dst, size_t len,
                            emz_chunk_scratch *s, const emz_chunk_tables *tables);

#endif
