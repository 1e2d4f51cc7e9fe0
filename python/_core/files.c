/* files.c - checkpoints and raw files to containers and frames, written to a file descriptor:
 * the same calls as the CLI makes (emz_compress_safetensors, emz_compress_stream), so the
 * bytes are the CLI's. Python opens and renames the files (emzip/_files.py). */
#include "core.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int emz_py_fd_read(void *opaque, void *buf, size_t size, uint64_t offset) {
    int fd = (int)(intptr_t)opaque;
    unsigned char *p = buf;
    while (size > 0) {
        ssize_t n = pread(fd, p, size, (off_t)offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1; /* an error, or the file shrank under us */
        p += n, size -= (size_t)n, offset += (uint64_t)n;
    }
    return 0;
}

int emz_py_memory_read(void *opaque, void *buf, size_t size, uint64_t offset) {
    memcpy(buf, (const unsigned char *)opaque + offset, size); /* the library checks ranges */
    return 0;
}

static int write_all(emz_py_fd_sink *sink, const void *data, size_t size) {
    const unsigned char *p = data;
    while (size > 0) {
        ssize_t n = write(sink->fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sink->error = errno, -1;
        p += n, size -= (size_t)n;
    }
    return 0;
}

int emz_py_fd_sink_flush(emz_py_fd_sink *sink) {
    if (sink->error) return -1;
    size_t used = sink->used;
    sink->used = 0;
    return write_all(sink, sink->buffer, used);
}

/* The library appends headers of a few bytes at a time: gather them before writing. */
static int fd_write(void *opaque, const void *data, size_t size) {
    emz_py_fd_sink *sink = opaque;
    if (sink->error) return -1;
    if (size <= sizeof sink->buffer - sink->used) {
        memcpy(sink->buffer + sink->used, data, size);
        sink->used += size;
        return 0;
    }
    if (emz_py_fd_sink_flush(sink)) return -1;
    return write_all(sink, data, size);
}

void emz_py_fd_sink_init(emz_py_fd_sink *sink, int fd) {
    sink->sink = (emz_sink){fd_write, sink};
    sink->fd = fd;
    sink->error = 0;
    sink->used = 0;
}

/* src is a file descriptor (read with pread, sized by fstat) or a buffer held in *view. */
static int open_source(PyObject *src, emz_source *source, int *fd, Py_buffer *view) {
    view->obj = NULL;
    if (PyLong_Check(src)) {
        long n = PyLong_AsLong(src);
        if (n == -1 && PyErr_Occurred()) return -1;
        if (n < 0 || n > INT_MAX) return PyErr_SetString(PyExc_ValueError, "src: bad fd"), -1;
        *fd = (int)n;
        struct stat st;
        if (fstat(*fd, &st) != 0) return PyErr_SetFromErrno(PyExc_OSError), -1;
        *source = (emz_source){emz_py_fd_read, (void *)(intptr_t)*fd, (uint64_t)st.st_size};
        return 0;
    }
    if (emz_py_input(src, view, "src")) return -1;
    *source = (emz_source){emz_py_memory_read, view->buf, (uint64_t)view->len};
    return 0;
}

/* The common part of both calls; type < 0 means a safetensors checkpoint. */
static PyObject *compress_to_fd(PyObject *src, int out_fd, int type, int64_t threads,
                                long long chunk_size, const emz_py_base *base) {
    emz_source source;
    int in_fd;
    Py_buffer view;
    if (open_source(src, &source, &in_fd, &view)) return NULL;
    emz_cctx *cctx = emz_py_cctx(threads, chunk_size);
    emz_py_fd_sink *sink = cctx ? PyMem_RawMalloc(sizeof *sink) : NULL;
    PyObject *result = NULL;
    if (cctx && !sink) PyErr_NoMemory();
    if (sink) {
        emz_py_fd_sink_init(sink, out_fd);
        uint64_t written = 0;
        emz_status st;
        Py_BEGIN_ALLOW_THREADS;
        st = type >= 0 ? emz_compress_stream(cctx, &source, (emz_type)type, &sink->sink, &written)
             : base && base->obj ? emz_compress_safetensors_delta(cctx, &source, &base->src,
                                                                  &sink->sink, &written, NULL)
                                 : emz_compress_safetensors(cctx, &source, &sink->sink, &written);
        if (st == EMZ_OK && emz_py_fd_sink_flush(sink)) st = EMZ_ERROR_IO;
        Py_END_ALLOW_THREADS;
        if (st == EMZ_OK) {
            result = PyLong_FromUnsignedLongLong(written);
        } else if (sink->error) {
            errno = sink->error;
            PyErr_SetFromErrno(PyExc_OSError);
        } else {
            emz_py_raise(st, emz_cctx_error_detail(cctx));
        }
    }
    PyMem_RawFree(sink);
    emz_cctx_free(cctx);
    if (view.obj) PyBuffer_Release(&view);
    return result;
}

static PyObject *py_compress_safetensors(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *names[] = {"src", "fd", "chunk_size", "threads", "base", NULL};
    PyObject *src, *threads_obj = Py_None, *base_obj = Py_None;
    int fd;
    long long chunk_size = 0;
    int64_t threads;
    emz_py_base base = {0};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Oi|$LOO:compress_safetensors", names, &src, &fd,
                                     &chunk_size, &threads_obj, &base_obj) ||
        emz_py_threads(threads_obj, &threads) ||
        (base_obj != Py_None && emz_py_base_open(base_obj, &base)))
        return NULL;
    PyObject *result = compress_to_fd(src, fd, -1, threads, chunk_size, &base);
    emz_py_base_release(&base);
    return result;
}

static PyObject *py_compress_stream(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *names[] = {"src", "fd", "dtype", "chunk_size", "threads", NULL};
    PyObject *src, *dtype, *threads_obj = Py_None;
    int fd;
    long long chunk_size = 0;
    int64_t threads;
    emz_type type;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OiO|$LO:compress_stream", names, &src, &fd,
                                     &dtype, &chunk_size, &threads_obj) ||
        emz_py_threads(threads_obj, &threads) || emz_py_type(dtype, &type))
        return NULL;
    return compress_to_fd(src, fd, (int)type, threads, chunk_size, NULL);
}

static PyObject *py_is_safetensors(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer view;
    unsigned long long file_size;
    if (!PyArg_ParseTuple(args, "y*K:is_safetensors", &view, &file_size)) return NULL;
    int yes = emz_is_safetensors(view.buf, (size_t)view.len, file_size);
    PyBuffer_Release(&view);
    return PyBool_FromLong(yes);
}

PyMethodDef emz_py_file_methods[] = {
    {"compress_safetensors", (PyCFunction)(void (*)(void))py_compress_safetensors,
     METH_VARARGS | METH_KEYWORDS,
     "compress_safetensors(src, fd, *, chunk_size=0, threads=None, base=None) -> int: a "
     "safetensors file (a file descriptor or a buffer) as a container written to fd, against "
     "base (a Reader, buffer or file descriptor of the base checkpoint) when given; returns its "
     "size."},
    {"compress_stream", (PyCFunction)(void (*)(void))py_compress_stream,
     METH_VARARGS | METH_KEYWORDS,
     "compress_stream(src, fd, dtype, *, chunk_size=0, threads=None) -> int: src (a file "
     "descriptor or a buffer) as one frame written to fd; returns its size."},
    {"is_safetensors", py_is_safetensors, METH_VARARGS,
     "is_safetensors(start, file_size) -> bool: the first bytes look like a safetensors file."},
    {NULL, NULL, 0, NULL},
};
