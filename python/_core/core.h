/* core.h - what the files of emzip._core share: the Error class, argument conversion, and the
 * functions and type each file contributes to the module (module.c gathers them).
 *
 * Every call into the library runs with the GIL released (Py_BEGIN_ALLOW_THREADS), so Python
 * threads decode in parallel; the Py_buffer views taken before keep the memory alive and,
 * for bytearray, unresizable meanwhile. */
#ifndef EMZIP_PY_CORE_H
#define EMZIP_PY_CORE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <emzip.h>

/* emzip.Error, a ValueError subclass; created by module.c. */
extern PyObject *emz_py_error;

/* Raises emzip.Error for a library status, with the library's message, the status name and
 * the context's detail line (may be NULL or ""). Returns NULL, for `return emz_py_raise(...)`. */
PyObject *emz_py_raise(emz_status status, const char *detail);
/* Raises emzip.Error with a status and a detail written by the caller (printf-style). */
PyObject *emz_py_raise_detail(emz_status status, const char *format, ...);

/* A readable C-contiguous view of obj (bytes, bytearray, memoryview, numpy array...); on
 * failure raises TypeError naming the argument `what`. Returns 0 or -1. */
int emz_py_input(PyObject *obj, Py_buffer *view, const char *what);
/* A writable C-contiguous view of obj holding at least `need` bytes; TypeError for an object
 * that is not a writable contiguous buffer, emzip.Error (dst_too_small) when it is too small.
 * Only the first `need` bytes are ever written. Returns 0 or -1. */
int emz_py_output(PyObject *obj, Py_buffer *view, uint64_t need, const char *what);
/* threads=: None means 1 (the calling thread only), an int is passed to the library (0: one
 * per processor); anything else is a TypeError. Returns 0 or -1. */
int emz_py_threads(PyObject *obj, int64_t *threads);
/* An int from 0 to max: TypeError for another type (bool included), emzip.Error when out of
 * range. Returns 0 or -1. */
int emz_py_u32(PyObject *obj, uint32_t max, const char *what, uint32_t *value);
/* An element type from its name ("bf16", "BF16", "F8_E4M3", ...); emzip.Error if unknown. */
int emz_py_type(PyObject *obj, emz_type *type);
/* A cctx with the given threads and chunk size (0: the default); NULL with an exception. */
emz_cctx *emz_py_cctx(int64_t threads, long long chunk_size);

/* memory_limit= and max_size= (EMZ_PARAM_MEMORY_LIMIT, EMZ_PARAM_MAX_OUTPUT): None means the
 * library's default (0), an int must be a positive number of bytes; TypeError or ValueError
 * otherwise. Returns 0 or -1. */
typedef struct emz_py_limits {
    int64_t memory_limit, max_size;
} emz_py_limits;
int emz_py_limits_parse(PyObject *memory_limit, PyObject *max_size, emz_py_limits *limits);
/* A dctx with the given threads, checksum verification and limits, kept from an earlier call
 * when one is idle (its scratch memory already faulted in); NULL with an exception set. Call
 * both with the GIL held; emz_py_dctx_release keeps the context for the next call or frees it. */
emz_dctx *emz_py_dctx_limited(int64_t threads, int verify, const emz_py_limits *limits);
void emz_py_dctx_release(emz_dctx *dctx);
/* Advises the huge pages inside a new, untouched output of size bytes (from 4 MiB; as numpy
 * does for its large arrays): fresh 4 KiB pages cost 2.6 ms a MB to fault in here, 2 MiB ones
 * a fifth of that, and a bytes object returned by a decompression is always fresh memory. */
void emz_py_advise_huge(void *data, size_t size);

/* dlpack.c: {name: capsule or None} for the `count` tensors of reader, as views of buffer (the
 * whole decoded file, writable and contiguous), or {name: maker(capsule) or None} when maker is
 * not None; NULL with an exception set. */
PyObject *emz_py_dlpack_tensors(const emz_reader *reader, uint64_t count, PyObject *buffer,
                                PyObject *maker);
/* Whether DLPack carries every tensor of reader (dtype, offset aligned to its element size,
 * shape): emz_py_dlpack_tensors into a buffer aligned to 8 bytes then gives no None. */
int emz_py_dlpack_carries_all(const emz_reader *reader, uint64_t count);

/* files.c: sources reading a file descriptor with pread (opaque: the descriptor itself, as
 * (void *)(intptr_t)fd, so that the source does not point into a caller's frame) and memory
 * (opaque: the bytes; the library checks ranges). */
int emz_py_fd_read(void *opaque, void *buf, size_t size, uint64_t offset);
int emz_py_memory_read(void *opaque, void *buf, size_t size, uint64_t offset);

/* base.c: a delta's base given from Python (emzip Reader, buffer or fd): open keeps the object
 * (and a buffer's view) and makes its source, -1 with an exception otherwise; attach gives it
 * to a reader of a delta; release lets it go. */
typedef struct emz_py_base {
    PyObject *obj; /* NULL: none */
    Py_buffer view;
    int memory, reader; /* a buffer; an emzip Reader (in use until released) */
    emz_source src;
} emz_py_base;
int emz_py_base_open(PyObject *obj, emz_py_base *base);
emz_status emz_py_base_attach(const emz_py_base *base, emz_reader *reader);
void emz_py_base_release(emz_py_base *base);
/* reader.c: the open emz_reader of an emzip Reader, which may then not be closed or reopened
 * until emz_py_reader_unuse; NULL for another object (no exception) or a closed Reader
 * (ValueError set). With the GIL held. */
emz_reader *emz_py_reader_use(PyObject *obj);
void emz_py_reader_unuse(PyObject *obj);

/* codec.c: compress, decompress, frame_info. files.c: compress_safetensors, compress_stream,
 * is_safetensors. Each table ends with a zeroed entry. */
extern PyMethodDef emz_py_codec_methods[];
extern PyMethodDef emz_py_file_methods[];
/* load.c: load_torch, load_file's one call for CPU torch tensors. */
extern PyMethodDef emz_py_load_methods[];
/* load_buffer.c: the LoadBuffer type (memory to decode a checkpoint into, its pages kept for
 * the next load once freed), made ready by emz_py_load_buffer_ready; a new one of size bytes
 * (NULL with an exception); release_buffers. */
extern PyTypeObject emz_py_load_buffer_type;
int emz_py_load_buffer_ready(void);
PyObject *emz_py_load_buffer(Py_ssize_t size);
extern PyMethodDef emz_py_load_buffer_methods[];

/* files.c: a sink appending to a file descriptor through a buffer. */
typedef struct emz_py_fd_sink {
    emz_sink sink;
    int fd;
    int error; /* errno of the first failed write, 0 if none */
    size_t used;
    unsigned char buffer[1 << 16];
} emz_py_fd_sink;
void emz_py_fd_sink_init(emz_py_fd_sink *sink, int fd);
/* Writes what is buffered; 0 on success. */
int emz_py_fd_sink_flush(emz_py_fd_sink *sink);

/* reader.c: the Reader type, ready for PyType_Ready. */
extern PyTypeObject emz_py_reader_type;

/* kv_tables.c: the Tables type, trained tables for blocks (emz_tables, owned, immutable) and
 * their info, read once. */
typedef struct emz_py_tables {
    PyObject_HEAD emz_tables *tables;
    emz_tables_info info;
} emz_py_tables;
extern PyTypeObject emz_py_tables_type;

/* kv.c: the BlockCodec type (an emz_block_ctx, holding a reference to its Tables) and
 * block_info (a block's header, as a dict). */
extern PyTypeObject emz_py_block_codec_type;
extern PyMethodDef emz_py_kv_methods[];

#endif /* EMZIP_PY_CORE_H */
