/* emzip.h - the public API of emzip, a lossless codec for neural-network tensors.
 *
 * emzip splits each floating-point value into its exponent and its sign+mantissa and
 * entropy-codes each stream separately (canonical Huffman, 16 interleaved bitstreams per
 * stream). The data is cut into independent chunks, each with its own checksum, so chunks
 * decode in parallel and a byte range can be decoded alone. docs/FORMAT.md specifies the
 * frame format.
 *
 * Conventions:
 *  - Every function that can fail returns an emz_status; EMZ_OK is 0.
 *  - Every buffer is passed with its size; no call writes past the capacity it was given.
 *  - Contexts (emz_cctx, emz_dctx) hold reusable scratch memory. A context may be used by one
 *    thread at a time; different contexts may be used concurrently. All functions that take no
 *    context are thread-safe. The library has no global mutable state visible to users.
 *  - Multi-byte elements are read and written in little-endian byte order, as stored in
 *    safetensors files, whatever the host.
 */
#ifndef EMZIP_H
#define EMZIP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(EMZ_BUILDING_LIBRARY) && defined(__GNUC__)
#define EMZ_API __attribute__((visibility("default")))
#else
#define EMZ_API
#endif

#define EMZ_VERSION_MAJOR 0
#define EMZ_VERSION_MINOR 1
#define EMZ_VERSION_PATCH 0
#define EMZ_VERSION_STRING "0.1.0"

/* Element types. The numeric values are stored in frames and never change. */
typedef enum emz_type {
    EMZ_TYPE_BYTES = 0,    /* plain bytes, entropy-coded as a whole */
    EMZ_TYPE_BF16 = 1,     /* bfloat16: 1 sign, 8 exponent, 7 mantissa bits */
    EMZ_TYPE_FP16 = 2,     /* IEEE binary16: 1, 5, 10 */
    EMZ_TYPE_FP32 = 3,     /* IEEE binary32: 1, 8, 23 */
    EMZ_TYPE_FP8_E4M3 = 4, /* OCP FP8 E4M3FN: 1, 4, 3 */
    EMZ_TYPE_FP8_E5M2 = 5, /* OCP FP8 E5M2: 1, 5, 2 */
    EMZ_TYPE_FP4_E2M1 = 6, /* OCP FP4 E2M1: 1, 2, 1; two per byte, low nibble first */
} emz_type;

#define EMZ_TYPE_COUNT 7

typedef enum emz_status {
    EMZ_OK = 0,
    EMZ_ERROR_INVALID_ARGUMENT = 1,    /* NULL pointer, unknown type or parameter, bad value */
    EMZ_ERROR_DST_TOO_SMALL = 2,       /* the output does not fit in dst_capacity */
    EMZ_ERROR_NO_MEMORY = 3,           /* an allocation failed */
    EMZ_ERROR_NOT_EMZIP = 4,           /* the input does not start with the emzip magic */
    EMZ_ERROR_UNSUPPORTED_VERSION = 5, /* a frame of a format version this library can't read */
    EMZ_ERROR_TRUNCATED = 6,           /* the input ends before the frame does */
    EMZ_ERROR_CORRUPT = 7,             /* a field of the frame is invalid or inconsistent */
    EMZ_ERROR_CHECKSUM = 8,            /* decoded data does not match its stored checksum */
    EMZ_ERROR_RANGE = 9,               /* a requested byte range lies outside the data */
    EMZ_ERROR_IMPL_UNAVAILABLE = 10,   /* the forced implementation is not built or not
                                          supported by this CPU */
    EMZ_ERROR_BAD_SAFETENSORS = 11, /* a safetensors header is malformed (see the detail message) */
    EMZ_ERROR_IO = 12,              /* a read or write callback reported a failure */
    EMZ_ERROR_CANCELLED = 13,       /* a progress callback asked to stop */
    EMZ_ERROR_LIMIT = 14, /* a limit of the context (EMZ_PARAM_MEMORY_LIMIT, EMZ_PARAM_MAX_OUTPUT)
                           * would be exceeded; the detail says what and by how much */
    EMZ_ERROR_WRONG_TABLES = 15, /* a block was compressed with another table set, or tables
                                  * are for another type or layout; the detail names the ids */
    EMZ_ERROR_WRONG_BASE = 16,   /* a delta container read without its base, or with another one
                                  * (a tensor's base bytes do not match the digest it recorded);
                                  * the detail names the tensor and the expected digest */
} emz_status;

/* A short stable identifier of a status, e.g. "corrupt"; never NULL. */
EMZ_API const char *emz_error_name(emz_status status);
/* A sentence describing a status, for messages to people; never NULL. */
EMZ_API const char *emz_error_message(emz_status status);

/* The library's version as "MAJOR.MINOR.PATCH". */
EMZ_API const char *emz_version_string(void);

/* Type names used by the CLI: "bytes", "bf16", "fp16", "fp32", "e4m3", "e5m2", "fp4".
 * emz_type_name returns NULL for an unknown type. emz_type_from_name also accepts the
 * safetensors spellings "BF16", "F16", "F32", "F8_E4M3", "F8_E5M2", "U8" (case-insensitive). */
EMZ_API const char *emz_type_name(emz_type type);
EMZ_API emz_status emz_type_from_name(const char *name, emz_type *type);

/* Bits per element: 16, 16, 32, 8, 8, 4, and 8 for bytes; 0 for an unknown type. */
EMZ_API unsigned emz_type_bits(emz_type type);

/* ---- Implementations -------------------------------------------------------------------
 * The kernels exist once per instruction set; all produce identical bytes. By default the
 * best one the CPU supports runs, detected once per process. The environment variable
 * EMZIP_IMPL=scalar|avx2|avx512|neon overrides that default for the whole process (a name that
 * is unknown or unsupported makes every call fail with EMZ_ERROR_IMPL_UNAVAILABLE), and
 * EMZ_PARAM_IMPL overrides it for one context. */
typedef enum emz_impl {
    EMZ_IMPL_AUTO = 0,   /* the process default */
    EMZ_IMPL_SCALAR = 1, /* portable C, the reference */
    EMZ_IMPL_AVX2 = 2,   /* x86-64 AVX2 + BMI2 */
    EMZ_IMPL_AVX512 = 3, /* x86-64 AVX-512 F/BW/VL/VBMI/VBMI2 + BMI2 */
    EMZ_IMPL_NEON = 4,   /* AArch64 Advanced SIMD */
} emz_impl;

#define EMZ_IMPL_COUNT 5

/* "auto", "scalar", "avx2", "avx512", "neon"; NULL for an unknown value. */
EMZ_API const char *emz_impl_name(emz_impl impl);
/* 1 if the implementation is built into this library and this CPU runs it, else 0. */
EMZ_API int emz_impl_available(emz_impl impl);
/* What EMZ_IMPL_AUTO selects in this process (never EMZ_IMPL_AUTO). If EMZ_IMPL names an
 * unavailable implementation, returns it anyway, so that callers can report it. */
EMZ_API emz_impl emz_impl_default(void);

/* ---- Compression ----------------------------------------------------------------------- */

typedef struct emz_cctx emz_cctx;

/* Returns NULL when memory is exhausted. emz_cctx_free(NULL) does nothing. */
EMZ_API emz_cctx *emz_cctx_create(void);
EMZ_API void emz_cctx_free(emz_cctx *cctx);

typedef enum emz_param {
    /* Bytes of original data per chunk: a power of two from 4 KiB to 16 MiB, for every type.
     * Default (not set): 128 KiB for EMZ_TYPE_BYTES and FP8, 1 MiB for BF16 and FP32, 256 KiB
     * for the other types.
     * Smaller chunks adapt better to changing statistics and allow finer random access;
     * larger ones amortize per-chunk tables. */
    EMZ_PARAM_CHUNK_SIZE = 1,
    /* Decompression only: 1 (default) verifies every chunk's checksum, 0 skips it. */
    EMZ_PARAM_VERIFY_CHECKSUM = 2,
    /* Both contexts: an emz_impl; EMZ_ERROR_IMPL_UNAVAILABLE if it cannot run here. */
    EMZ_PARAM_IMPL = 3,
    /* Both contexts: threads one call may use, 1 to 256, or 0 for one per online processor.
     * Default 1 (the calling thread only). Chunks are independent, so a frame of several
     * chunks compresses and decompresses in parallel; the output bytes are the same for
     * every thread count. A context still serves one call at a time. Each thread keeps its
     * own scratch in the context (about 6 x the chunk size). */
    EMZ_PARAM_THREADS = 4,
    /* Both contexts: bytes of working memory one call may use for its threads' buffers (chunk
     * scratch, payload buffers, the window of chunks waiting to be written in order), besides
     * the caller's input and output and a reader's index. 0 (default): the smaller of 1 GiB
     * and a quarter of the machine's physical memory. The chunk size, which a file chooses,
     * sets the need (about 15 x the chunk size a thread when decoding to a sink): a call runs
     * fewer threads than EMZ_PARAM_THREADS when they do not all fit, and fails with
     * EMZ_ERROR_LIMIT, allocating nothing, when one does not. */
    EMZ_PARAM_MEMORY_LIMIT = 5,
    /* Decompression only: the largest original size, in bytes, that a frame or container may
     * declare; 0 (default): no limit. A larger one is refused with EMZ_ERROR_LIMIT when it is
     * opened (emz_reader_open*, emz_decompress, emz_decompress_range), before anything is
     * allocated for it: for services that decompress untrusted uploads. */
    EMZ_PARAM_MAX_OUTPUT = 6,
    /* Block contexts only: 1 writes a checksum32 of the original bytes into each block (4
     * bytes), 0 (default) does not: a Huffman-coded block is still checked for structure
     * (exact lane sizes, zero padding), but only a checksum catches every damaged byte. */
    EMZ_PARAM_BLOCK_CHECKSUM = 7,
    /* Block contexts only: reserves scratch (about 9 x the size) for blocks of up to this
     * many bytes (4 KiB .. 16 MiB) on every worker now, so that no call allocates. Without it,
     * a worker grows its scratch the first time it meets a larger block. */
    EMZ_PARAM_BLOCK_SIZE = 8,
} emz_param;

EMZ_API emz_status emz_cctx_set_param(emz_cctx *cctx, emz_param param, int64_t value);

/* The largest frame emz_compress can produce for src_size bytes, with any chunk size:
 * src_size + 36 + 13 * ceil(src_size / 4096). See docs/FORMAT.md, "Expansion bound".
 * Returns 0 if the result would overflow size_t. */
EMZ_API size_t emz_compress_bound(size_t src_size);

/* Compresses src_size bytes of elements of the given type into one frame.
 * src_size need not be a multiple of the element size: trailing bytes of a partial element
 * are stored verbatim. For EMZ_TYPE_FP4_E2M1 the element count is 2 * src_size.
 * cctx may be NULL: a temporary context with default parameters is used.
 * On success *dst_size receives the frame size. dst_capacity >= emz_compress_bound(src_size)
 * always suffices; a smaller capacity works when the frame fits. */
EMZ_API emz_status emz_compress(emz_cctx *cctx, void *dst, size_t dst_capacity, const void *src,
                                size_t src_size, emz_type type, size_t *dst_size);

/* As emz_compress, but the data is given as a count of elements; the byte size is
 * ceil(element_count * emz_type_bits(type) / 8). This is how an odd number of FP4 values is
 * recorded (the unused high nibble of the last byte is kept as it is). */
EMZ_API emz_status emz_compress_elements(emz_cctx *cctx, void *dst, size_t dst_capacity,
                                         const void *src, uint64_t element_count, emz_type type,
                                         size_t *dst_size);

/* ---- Decompression --------------------------------------------------------------------- */

typedef struct emz_dctx emz_dctx;

EMZ_API emz_dctx *emz_dctx_create(void);
EMZ_API void emz_dctx_free(emz_dctx *dctx);
/* Accepts EMZ_PARAM_VERIFY_CHECKSUM, EMZ_PARAM_IMPL and EMZ_PARAM_THREADS. */
EMZ_API emz_status emz_dctx_set_param(emz_dctx *dctx, emz_param param, int64_t value);

typedef struct emz_frame_info {
    emz_type type;
    unsigned format_version;
    uint64_t element_count;
    uint64_t original_size; /* bytes of the decompressed data */
    uint64_t chunk_size;    /* bytes of original data per chunk (the last may be shorter) */
    uint64_t chunk_count;
} emz_frame_info;

/* Bytes emz_frame_info_get needs from the start of a frame, at most: a frame of one chunk has a
 * short header of 9 to 12 bytes and can be smaller than this in all (docs/FORMAT.md). */
#define EMZ_FRAME_HEADER_SIZE 32

/* Reads the frame header and checks it: the first EMZ_FRAME_HEADER_SIZE bytes, or the whole
 * frame if it is shorter, suffice, except for a streamed frame (written by
 * emz_compress_sequential when the input was larger than its window), whose sizes are at its
 * end: for it src must be the whole frame (its last 20 bytes are read; given only the header,
 * the call fails with EMZ_ERROR_CORRUPT or EMZ_ERROR_TRUNCATED). EMZ_ERROR_TRUNCATED when
 * src_size is less than the header. */
EMZ_API emz_status emz_frame_info_get(const void *src, size_t src_size, emz_frame_info *info);

/* Decompresses one whole frame of exactly src_size bytes. On success *dst_size receives the
 * original size. dctx may be NULL (a temporary context is used). Fails with
 * EMZ_ERROR_DST_TOO_SMALL, writing nothing, when dst_capacity < original size. On any error
 * the contents of dst are unspecified. */
EMZ_API emz_status emz_decompress(emz_dctx *dctx, void *dst, size_t dst_capacity, const void *src,
                                  size_t src_size, size_t *dst_size);

/* Decompresses only the original bytes [offset, offset + length) of a frame into dst, decoding
 * just the chunks that overlap the range (and verifying their checksums). dst_capacity must be
 * at least length. EMZ_ERROR_RANGE if the range exceeds the original size. */
EMZ_API emz_status emz_decompress_range(emz_dctx *dctx, void *dst, size_t dst_capacity,
                                        const void *src, size_t src_size, uint64_t offset,
                                        uint64_t length);

/* ---- Files: streaming, checkpoints and random access ------------------------------------
 * The calls below work on data the caller supplies through callbacks, so that files larger
 * than memory stream through: memory grows with threads x chunk size, never with the file.
 *
 * A safetensors checkpoint compresses into a *container*: its header and each tensor become a
 * frame of their own (typed from the tensor's dtype), and a directory at the end lets a reader
 * decode any tensor, or any byte range of the original file, alone. Decompressing a container
 * gives back the original file byte for byte. docs/FORMAT.md, "Container", specifies it. */

/* Reads size bytes at offset into buf; returns 0 when all of them were read, nonzero on
 * failure (the call then fails with EMZ_ERROR_IO). May be called from several threads at
 * once, with disjoint buffers (POSIX pread is such a function). */
typedef int (*emz_read_fn)(void *opaque, void *buf, size_t size, uint64_t offset);
/* Appends size bytes to the output; returns 0 on success. Called from the calling thread
 * only, in output order. */
typedef int (*emz_write_fn)(void *opaque, const void *buf, size_t size);
/* Reports progress in bytes of original data (done of total); called from the calling thread
 * between batches of chunks. Returning nonzero cancels the call (EMZ_ERROR_CANCELLED). */
typedef int (*emz_progress_fn)(void *opaque, uint64_t done, uint64_t total);

typedef struct emz_source {
    emz_read_fn read;
    void *opaque;
    uint64_t size; /* bytes readable from offset 0 */
} emz_source;

typedef struct emz_sink {
    emz_write_fn write;
    void *opaque;
} emz_sink;

/* Progress callbacks (NULL: none) for emz_compress_stream, emz_compress_safetensors and
 * emz_reader_decompress. */
EMZ_API emz_status emz_cctx_set_progress(emz_cctx *cctx, emz_progress_fn fn, void *opaque);
EMZ_API emz_status emz_dctx_set_progress(emz_dctx *dctx, emz_progress_fn fn, void *opaque);

/* After a failed call on the context: one line saying what went wrong in more detail than
 * the status (e.g. which tensor of a safetensors header is malformed, or which tensor a
 * corrupted chunk belongs to); "" when there is nothing to add. Valid until the next call. */
EMZ_API const char *emz_cctx_error_detail(const emz_cctx *cctx);
EMZ_API const char *emz_dctx_error_detail(const emz_dctx *dctx);

/* Compresses src->size bytes of the given type from src into one frame written to dst, the
 * same bytes emz_compress would produce, holding only a few chunks per thread in memory.
 * *written receives the frame size. */
EMZ_API emz_status emz_compress_stream(emz_cctx *cctx, const emz_source *src, emz_type type,
                                       const emz_sink *dst, uint64_t *written);

/* Reads up to size bytes of the input into buf, going on where the previous call stopped;
 * returns how many (0 only at the end of the input), or a negative value on failure (the call
 * then fails with EMZ_ERROR_IO). Called from the calling thread only, in order. */
typedef int64_t (*emz_pull_fn)(void *opaque, void *buf, size_t size);

/* Compresses an input that can be read only once, in order, and whose size is not known in
 * advance (a pipe), into one frame of the given type written to dst, in memory bounded by the
 * context (its threads, chunk size and memory limit), not by the input: about 2 x max(17, 4 x
 * threads) chunks, the threads' scratch, and 8 bytes of index per chunk. An input of at most 16
 * chunks gives exactly the frame emz_compress gives; a longer one gives a *streamed frame* (format
 * version 4, docs/FORMAT.md: the same chunk payloads, its sizes in a footer at its end), which
 * emz_decompress, the readers and emz_frame_info_get (given the whole frame) read like any
 * other. Progress callbacks receive total 0 (unknown) while a streamed frame is written.
 * Threads are cut, not the call refused, when the window for all of them would not fit the
 * memory limit. *written receives the frame size. */
EMZ_API emz_status emz_compress_sequential(emz_cctx *cctx, emz_pull_fn pull, void *opaque,
                                           emz_type type, const emz_sink *dst, uint64_t *written);

/* Compresses a whole safetensors file (src) into a container written to dst. Each tensor's
 * type comes from its dtype: BF16, F16, F32, F8_E4M3, F8_E5M2 and F4 as such, U8 tensors named
 * "*.blocks" (MXFP4) as FP4, everything else (the header, F8_E8M0 and U8 scales, integers,
 * bytes not covered by a tensor) as bytes. Small tensors are read twice: a first pass decides
 * whether a table set (code tables shared by their chunks) makes the container smaller. A
 * malformed header fails with
 * EMZ_ERROR_BAD_SAFETENSORS before anything is written; emz_cctx_error_detail names the tensor
 * and the problem. */
EMZ_API emz_status emz_compress_safetensors(emz_cctx *cctx, const emz_source *src,
                                            const emz_sink *dst, uint64_t *written);

/* Deltas (docs/FORMAT.md, "Delta segments"): a checkpoint stored against a base checkpoint,
 * e.g. a fine-tune against the model it was tuned from, or training step N+1000 against step N.
 * Each tensor with a tensor of the same name, dtype and shape in the base is stored as a
 * reference to the base's bytes when it did not change (a few bytes), else chunk by chunk as
 * the smaller of its bytes alone and its difference from the base's (each element's bit
 * pattern minus the base's, as integers of its width); other tensors are stored alone. The
 * container records each base tensor's offset and 64-bit digest (XXH3-64 of its bytes). */
typedef struct emz_delta_summary {
    uint64_t tensors; /* tensors stored in segments of their own (64 bytes and more) */
    uint64_t diff;    /* of these, coded against the base's (each chunk alone or as a delta) */
    uint64_t same;    /* unchanged: stored as a reference to the base's bytes */
    uint64_t alone;   /* no tensor of the same name, dtype and shape in the base: alone */
} emz_delta_summary;

/* emz_compress_safetensors against base (the base checkpoint's original safetensors bytes, at
 * most 2^62 of them; for a base that is itself compressed, see emz_reader_source). The base is
 * read twice: once to compare and digest each matched tensor, once when its chunks are coded.
 * summary may be NULL. The result decodes only with the same base (emz_reader_set_base). A base
 * whose safetensors header is malformed fails with EMZ_ERROR_BAD_SAFETENSORS ("the base: ..."). */
EMZ_API emz_status emz_compress_safetensors_delta(emz_cctx *cctx, const emz_source *src,
                                                  const emz_source *base, const emz_sink *dst,
                                                  uint64_t *written, emz_delta_summary *summary);

/* 1 if the first bytes (at least 16 of them) look like the start of a safetensors file (a
 * header length that fits, then '{'), else 0. */
EMZ_API int emz_is_safetensors(const void *start, size_t size, uint64_t file_size);

/* An open compressed file: a container or a single frame. Opening reads and checks the
 * header and index of a single frame; of a container, its header, table set, directory and
 * chunk index (containers of format version 2 and later; in a version 1 container each
 * segment's frame header and index are read and checked the first time one of its chunks is
 * needed, and an error found there is reported then, by that call); and for a checkpoint the
 * safetensors header. Nothing else: chunks are read when decoded. A read that fails (the
 * source's read callback, EMZ_ERROR_IO) is not remembered: the next call reads again. After
 * opening, a reader is read-only: several threads may read from one reader at once, each with
 * its own dctx. */
typedef struct emz_reader emz_reader;

/* Opens src. dctx (may be NULL) decodes the checkpoint's header and receives the error
 * detail. The source's read function must stay usable until emz_reader_close. */
EMZ_API emz_status emz_reader_open(emz_dctx *dctx, const emz_source *src, emz_reader **reader);
/* Opens a compressed file held in memory (e.g. mapped by the caller); chunks are decoded
 * straight from it, without copies. The memory must stay valid until emz_reader_close. */
EMZ_API emz_status emz_reader_open_memory(emz_dctx *dctx, const void *data, size_t size,
                                          emz_reader **reader);
/* Opens a file by name, read with POSIX pread (memory stays at a chunk per thread whatever
 * the file size). The file is closed by emz_reader_close. */
EMZ_API emz_status emz_reader_open_file(emz_dctx *dctx, const char *path, emz_reader **reader);
EMZ_API void emz_reader_close(emz_reader *reader);

typedef struct emz_reader_info {
    int is_container;         /* 0: a single frame */
    int is_safetensors;       /* a container of a safetensors checkpoint */
    uint64_t original_size;   /* bytes of the original file */
    uint64_t compressed_size; /* bytes of the compressed file */
    uint64_t segment_count;   /* frames: 1 for a single frame */
    uint64_t chunk_count;     /* over all frames */
    uint64_t tensor_count;
    emz_type type;         /* a single frame's type; EMZ_TYPE_BYTES for a container */
    int is_delta;          /* a delta container: it decodes only with its base */
    int tensors_need_base; /* a delta whose safetensors header is its base's (stored as a
                              reference): tensor_count is 0 and no tensor is listed until
                              emz_reader_set_base gives the base */
} emz_reader_info;

EMZ_API emz_status emz_reader_info_get(const emz_reader *reader, emz_reader_info *info);
/* A single frame's header fields, as emz_frame_info_get gives them (for a streamed frame too,
 * whose sizes the reader took from its end). EMZ_ERROR_INVALID_ARGUMENT for a container. */
EMZ_API emz_status emz_reader_frame_info_get(const emz_reader *reader, emz_frame_info *info);

/* A container's table set (docs/FORMAT.md "Table set"): the code tables its chunks' SHARED
 * streams refer to, stored once after the header, read and checked when the reader opened. */
typedef struct emz_reader_table_set_info {
    int present;          /* 0: none (a bare frame, a version 1 container, or a container whose
                             writer found that a set would not save bytes); the rest is 0 */
    uint64_t id;          /* XXH3-64 of the set's bytes, as error messages name it */
    uint64_t size;        /* bytes of the set in the compressed file */
    unsigned table_count; /* 1..255 */
    unsigned tables_of_width[9]; /* [w]: tables for symbols of w bits (1..8; [0] unused) */
} emz_reader_table_set_info;

EMZ_API emz_status emz_reader_table_set_get(const emz_reader *reader,
                                            emz_reader_table_set_info *info);

typedef struct emz_tensor_info {
    const char *name;  /* valid until the reader is closed */
    const char *dtype; /* as spelled in the safetensors header, e.g. "BF16" */
    emz_type type;     /* how emzip stored it (EMZ_TYPE_BYTES for a tensor under 64
                          bytes, which shares a bytes segment with what is around it) */
    unsigned dims;
    const uint64_t *shape; /* dims entries */
    uint64_t offset;       /* where its data starts in the original file */
    uint64_t size;         /* bytes of data */
    uint64_t stored_size;  /* bytes of its chunk payloads in the compressed file (its frames in
                              a version 1 container); 0 when it has no
                              segment of its own (a tensor under 64 bytes), and for a delta's
                              unchanged tensor (base_kind 2) */
    int base_kind;         /* in a delta container: 0 stored alone, 1 coded against the base,
                              2 unchanged from the base (no chunks); else 0 */
    uint64_t base_offset;  /* kinds 1 and 2: where its base bytes start in the base file */
    uint64_t base_digest;  /* and their XXH3-64 */
} emz_tensor_info;

/* Tensors are numbered 0..tensor_count-1 in the order of their data in the file. */
EMZ_API emz_status emz_reader_tensor(const emz_reader *reader, uint64_t index,
                                     emz_tensor_info *info);
/* EMZ_ERROR_RANGE if no tensor has that name. */
EMZ_API emz_status emz_reader_find_tensor(const emz_reader *reader, const char *name,
                                          uint64_t *index);

/* The base a delta container decodes against (emz_reader_info.is_delta), before reading from
 * it: the base checkpoint's original bytes, through a source (which must stay usable until the
 * reader is closed) or in memory (which must stay valid until then). Not safe while other
 * threads read from the reader. EMZ_ERROR_WRONG_BASE when the base cannot hold every base
 * tensor the container names; when the container's safetensors header is the base's
 * (emz_reader_info.tensors_need_base), it is read here, and a base whose header differs is
 * refused the same way (the reader then has no base, as before the call).
 * Unchanged tensors (stored as references) are checked against their digest before their bytes
 * are used; tensors coded as differences by their chunks' checksums, which are then always
 * verified, the digest telling a wrong base from a corrupt chunk when one fails. Either way a
 * wrong or missing base fails with EMZ_ERROR_WRONG_BASE naming the tensor and the digest, and
 * never gives wrong bytes. EMZ_ERROR_INVALID_ARGUMENT if the reader is not a delta container,
 * or for a base that reads, through emz_reader_source, from this reader (directly or through
 * other readers' bases). */
EMZ_API emz_status emz_reader_set_base(emz_reader *reader, const emz_source *base);
EMZ_API emz_status emz_reader_set_base_memory(emz_reader *reader, const void *data, size_t size);

/* A source reading the reader's original bytes (each read decodes what it needs, on one
 * thread with a temporary dctx; several threads may read at once): e.g. a compressed base
 * checkpoint as the base of emz_compress_safetensors_delta or emz_reader_set_base. Valid
 * while the reader is open. */
EMZ_API emz_status emz_reader_source(const emz_reader *reader, emz_source *src);

/* Decompresses bytes [offset, offset + length) of the original file into dst (capacity
 * dst_capacity >= length), reading and decoding only the chunks that overlap the range, on
 * up to the dctx's EMZ_PARAM_THREADS threads. With offset 0 and the original size this loads a
 * whole checkpoint into one buffer (e.g. an mmap'd file or pinned memory) in parallel.
 * dctx may be NULL (one thread). EMZ_ERROR_RANGE if the range exceeds the file. */
EMZ_API emz_status emz_reader_read(const emz_reader *reader, emz_dctx *dctx, void *dst,
                                   size_t dst_capacity, uint64_t offset, uint64_t length);
/* The same for bytes [offset, offset + length) of one tensor's data. */
EMZ_API emz_status emz_reader_read_tensor(const emz_reader *reader, emz_dctx *dctx, uint64_t index,
                                          void *dst, size_t dst_capacity, uint64_t offset,
                                          uint64_t length);
/* Decompresses the whole file to dst in order, holding a few chunks per thread in memory;
 * every chunk's checksum is verified unless the dctx says not to. dst may be NULL to verify
 * only (emzip test). *written (may be NULL) receives the bytes written. */
EMZ_API emz_status emz_reader_decompress(const emz_reader *reader, emz_dctx *dctx,
                                         const emz_sink *dst, uint64_t *written);

/* ---- Trained tables and blocks (pages of K/V caches) -------------------------------------
 *
 * A serving engine that moves pages of an attention K/V cache between device, host and disk
 * compresses each page on its own, in microseconds. Building and storing Huffman tables per
 * page would cost more than it saves, so tables are trained once per model from sample caches
 * (emz_tables_train, `emzip train`), kept beside the model as a table file (*.emzt, see
 * docs/FORMAT.md, "Table file"), and every block names the table set it was coded with.
 *
 * Groups: the tables hold one table set per group, a group being whatever the caller keeps
 * apart, usually 2 x layer + (0 for K, 1 for V). A block is compressed with its group's set
 * and carries that set's tag (the low 32 bits of its id): decompression finds the set by the
 * tag, and refuses a block whose tag no set of these tables has (EMZ_ERROR_WRONG_TABLES),
 * never decoding it with other tables. Every table set also has tables that give a code to
 * every symbol, so a block of other data (another model, another prompt) still compresses,
 * only less; a block that would grow is stored raw (emz_block_bound). */

typedef struct emz_tables emz_tables;

/* One sample for training: bytes of elements of the tables' type (e.g. one layer's K cache of
 * a prompt), for group `group`. */
typedef struct emz_tables_sample {
    const void *data;
    size_t size;
    uint32_t group;
} emz_tables_sample;

typedef struct emz_tables_options {
    emz_type type;       /* BF16, FP16, FP8_E4M3, FP8_E5M2 (and any other type) */
    uint32_t groups;     /* 1 .. 65535 */
    uint32_t heads;      /* the cache's layout, kept in the file and checked by emz_tables_load: */
    uint32_t head_dim;   /* K/V heads and head dimension of one token (0, 0: not given) */
    uint32_t block_size; /* bytes of the blocks the tables will code (0: 32 KiB): samples are
                            cut into blocks of this size to learn which layout pages choose */
} emz_tables_options;

/* Trains tables from count samples (each group needs at least one sample of at least one
 * element; samples of one group are added up). detail (may be NULL, detail_size bytes)
 * receives why it failed (the option, sample or group at fault; the 2,048-table limit). The result
 * is immutable: any number of threads and contexts may use it at once. */
EMZ_API emz_status emz_tables_train(const emz_tables_options *options,
                                    const emz_tables_sample *samples, size_t count,
                                    emz_tables **tables, char *detail, size_t detail_size);

typedef struct emz_tables_info {
    emz_type type;
    uint32_t groups, heads, head_dim, block_size;
    uint64_t id;            /* XXH3-64 of the table file's bytes */
    size_t serialized_size; /* bytes emz_tables_save writes */
    uint32_t table_count;   /* code tables over all groups */
} emz_tables_info;

EMZ_API emz_status emz_tables_info_get(const emz_tables *tables, emz_tables_info *info);
/* The id of group g's table set (blocks of the group carry its low 32 bits). */
EMZ_API emz_status emz_tables_group_id(const emz_tables *tables, uint32_t group, uint64_t *id);
/* The number of code tables in group g's table set (with clusters: in all its clusters' sets). */
EMZ_API emz_status emz_tables_group_tables(const emz_tables *tables, uint32_t group,
                                           uint32_t *count);
/* The channels of group g's channel shift (docs/FORMAT.md, "Channel shift": per-channel exponent
 * offsets and sign flips that tables trained with a layout apply before coding, heads x
 * head_dim), or 0 when the group has none. */
EMZ_API emz_status emz_tables_group_shift(const emz_tables *tables, uint32_t group,
                                          uint32_t *channels);
/* The channel clusters of group g (docs/FORMAT.md, "Channel clusters": groups of channels, each
 * coded with table sets of its own; FP8 tables trained with a layout, where they pay), or 0 when
 * the group has none. */
EMZ_API emz_status emz_tables_group_clusters(const emz_tables *tables, uint32_t group,
                                             uint32_t *count);

/* Writes the table file (info.serialized_size bytes). */
EMZ_API emz_status emz_tables_save(const emz_tables *tables, void *dst, size_t dst_capacity,
                                   size_t *written);
/* Reads a table file, checking all of it (EMZ_ERROR_NOT_EMZIP, _TRUNCATED, _CORRUPT,
 * _CHECKSUM, _UNSUPPORTED_VERSION). expect (may be NULL) states what the caller will code:
 * a type other than expect->type, or when expect->heads / head_dim are not 0 another layout,
 * is refused with EMZ_ERROR_WRONG_TABLES (its other fields are ignored). detail (may be NULL,
 * detail_size bytes) receives a message naming the failing check. */
EMZ_API emz_status emz_tables_load(const void *data, size_t size, const emz_tables_info *expect,
                                   emz_tables **tables, char *detail, size_t detail_size);
EMZ_API void emz_tables_free(emz_tables *tables);

/* A block context: scratch memory and, with EMZ_PARAM_THREADS > 1, a pool of worker threads
 * started once and kept until emz_block_ctx_free, so that no call allocates or starts a
 * thread once the context has served a block of the largest size (or reserved it with
 * EMZ_PARAM_BLOCK_SIZE). One context serves one call at a time: give each thread its own.
 * tables may be NULL (blocks then carry their own Huffman tables, like chunks of a frame); they
 * must outlive the context. */
typedef struct emz_block_ctx emz_block_ctx;

EMZ_API emz_block_ctx *emz_block_ctx_create(const emz_tables *tables);
EMZ_API void emz_block_ctx_free(emz_block_ctx *ctx);
/* EMZ_PARAM_IMPL; EMZ_PARAM_THREADS (workers of the batch calls, the caller included: 1 to
 * 256, 0 for one per online processor; default 1); EMZ_PARAM_VERIFY_CHECKSUM (decompression of
 * blocks that carry a checksum; default 1); EMZ_PARAM_BLOCK_CHECKSUM; EMZ_PARAM_BLOCK_SIZE. */
EMZ_API emz_status emz_block_ctx_set_param(emz_block_ctx *ctx, emz_param param, int64_t value);
/* The message of the context's last failure, naming the block, table set ids or sizes. */
EMZ_API const char *emz_block_ctx_error_detail(const emz_block_ctx *ctx);

/* The largest block of src_size bytes (up to 16 MiB): src_size + 19 (0 above 16 MiB). A
 * dst_capacity of at least src_size + 160 (src_size + 304 for a group with channel clusters)
 * lets emz_block_compress code in place; with less it codes into scratch and copies. */
EMZ_API size_t emz_block_bound(size_t src_size);

/* Compresses src_size bytes (1 .. 16 MiB) of the given type as one block coded with group's
 * table set (the type must be the tables'; group < their groups; both ignored without
 * tables but type). */
EMZ_API emz_status emz_block_compress(emz_block_ctx *ctx, emz_type type, uint32_t group,
                                      const void *src, size_t src_size, void *dst,
                                      size_t dst_capacity, size_t *written);
/* Decompresses one whole block of exactly src_size bytes. */
EMZ_API emz_status emz_block_decompress(emz_block_ctx *ctx, const void *src, size_t src_size,
                                        void *dst, size_t dst_capacity, size_t *written);

typedef struct emz_block_info {
    emz_type type;
    uint64_t original_size;
    uint32_t set_tag; /* low 32 bits of the table set's id; 0 with has_tables 0 */
    int has_tables, has_checksum;
} emz_block_info;

/* Reads a block's header only. */
EMZ_API emz_status emz_block_info_get(const void *src, size_t src_size, emz_block_info *info);

/* One block of a batch: the caller fills src, src_size, dst, dst_capacity (and group to
 * compress); the call sets written and status. */
typedef struct emz_block_job {
    const void *src;
    size_t src_size;
    void *dst;
    size_t dst_capacity;
    uint32_t group;
    size_t written;
    emz_status status;
} emz_block_job;

/* Compress or decompress count blocks, spread over the context's threads. Every job is run
 * and gets its status; the call returns EMZ_OK or the status of the lowest-numbered job that
 * failed (the detail names it). */
EMZ_API emz_status emz_block_compress_batch(emz_block_ctx *ctx, emz_type type, emz_block_job *jobs,
                                            size_t count);
EMZ_API emz_status emz_block_decompress_batch(emz_block_ctx *ctx, emz_block_job *jobs,
                                              size_t count);

#ifdef __cplusplus
}
#endif

#endif /* EMZIP_H */
