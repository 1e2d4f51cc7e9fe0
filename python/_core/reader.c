/* reader.c - emzip._core.Reader: an open container or frame (emz_reader), from a file path or
 * a buffer, read by byte range or by tensor. Several Python threads may read from one Reader at
 * once (the library's reader is read-only once open; each call has its own dctx); close()
 * refuses while a call runs with the GIL released. */
#include "core.h"

#include <errno.h>
#include <string.h>

typedef struct {
    PyObject_HEAD emz_reader *reader;
    Py_buffer memory;     /* the buffer a reader opened from memory reads; obj NULL otherwise */
    int busy;             /* calls running without the GIL */
    int users;            /* readers and calls reading it as their base (base.c) */
    emz_py_limits limits; /* max_size= and memory_limit= given when it was opened */
    emz_py_base base;     /* a delta's base (set_base); obj NULL: none */
} reader_object;

static void reader_release(reader_object *r) {
    emz_reader_close(r->reader);
    r->reader = NULL;
    if (r->memory.obj) PyBuffer_Release(&r->memory);
    emz_py_base_release(&r->base);
}

static void reader_dealloc(reader_object *r) {
    reader_release(r);
    Py_TYPE(r)->tp_free((PyObject *)r);
}

/* Refuses (-1, RuntimeError) to close or reopen a reader that a call or another reader uses. */
static int refuse_in_use(const reader_object *r) {
    if (r->busy)
        PyErr_SetString(PyExc_RuntimeError, "the emzip reader is in use by another thread");
    else if (r->users)
        PyErr_SetString(PyExc_RuntimeError,
                        "the emzip reader is the base of another reader or call: close that first");
    return r->busy || r->users ? -1 : 0;
}

static int reader_init(reader_object *r, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"source", "max_size", "memory_limit", NULL};
    PyObject *source, *max_size = Py_None, *memory_limit = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OO:Reader", names, &source, &max_size,
                                     &memory_limit) ||
        emz_py_limits_parse(memory_limit, max_size, &r->limits))
        return -1;
    if (refuse_in_use(r)) return -1;
    if (r->reader) reader_release(r);
    emz_dctx *dctx = emz_py_dctx_limited(1, 1, &r->limits);
    if (!dctx) return -1;
    emz_status st;
    emz_reader *reader = NULL;
    if (PyObject_CheckBuffer(source)) {
        if (emz_py_input(source, &r->memory, "source")) return emz_py_dctx_release(dctx), -1;
        Py_BEGIN_ALLOW_THREADS;
        st = emz_reader_open_memory(dctx, r->memory.buf, (size_t)r->memory.len, &reader);
        Py_END_ALLOW_THREADS;
    } else {
        PyObject *path = NULL; /* bytes, from str, bytes or os.PathLike */
        if (!PyUnicode_FSConverter(source, &path)) return emz_py_dctx_release(dctx), -1;
        Py_BEGIN_ALLOW_THREADS;
        st = emz_reader_open_file(dctx, PyBytes_AS_STRING(path), &reader);
        Py_END_ALLOW_THREADS;
        Py_DECREF(path);
    }
    if (st != EMZ_OK) emz_py_raise(st, emz_dctx_error_detail(dctx));
    emz_py_dctx_release(dctx);
    r->reader = reader;
    if (st != EMZ_OK && r->memory.obj) PyBuffer_Release(&r->memory);
    return st == EMZ_OK ? 0 : -1;
}

static int check_open(const reader_object *r) {
    if (r->reader) return 0;
    PyErr_SetString(PyExc_ValueError, "the emzip reader is closed");
    return -1;
}

emz_reader *emz_py_reader_use(PyObject *obj) {
    if (!PyObject_TypeCheck(obj, &emz_py_reader_type)) return NULL;
    reader_object *r = (reader_object *)obj;
    if (check_open(r)) return NULL;
    r->users++;
    return r->reader;
}

void emz_py_reader_unuse(PyObject *obj) {
    ((reader_object *)obj)->users--;
}

/* set_base(base): the base a delta decodes against (base.c: a Reader, buffer or fd). */
static PyObject *reader_set_base(reader_object *r, PyObject *obj) {
    if (check_open(r)) return NULL;
    if (r->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the emzip reader is in use by another thread");
        return NULL;
    }
    if ((PyObject *)r == obj) return PyErr_Format(PyExc_ValueError, "a reader is not its own base");
    emz_reader_info info;
    emz_reader_info_get(r->reader, &info);
    if (!info.is_delta)
        return emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                                   "not a delta: this file was compressed without a base");
    emz_py_base base;
    if (emz_py_base_open(obj, &base)) return NULL;
    emz_status st = emz_py_base_attach(&base, r->reader);
    if (st != EMZ_OK) {
        emz_py_base_release(&base);
        return emz_py_raise(st, NULL);
    }
    emz_py_base_release(&r->base);
    r->base = base;
    Py_RETURN_NONE;
}

static PyObject *reader_close(reader_object *r, PyObject *unused) {
    (void)unused;
    if (refuse_in_use(r)) return NULL;
    reader_release(r);
    Py_RETURN_NONE;
}

static PyObject *reader_info(reader_object *r, PyObject *unused) {
    (void)unused;
    emz_reader_info i;
    if (check_open(r)) return NULL;
    emz_status st = emz_reader_info_get(r->reader, &i);
    if (st != EMZ_OK) return emz_py_raise(st, NULL);
    return Py_BuildValue(
        "{s:O,s:O,s:O,s:O,s:K,s:K,s:K,s:K,s:K,s:s}", "is_container",
        i.is_container ? Py_True : Py_False, "is_delta", i.is_delta ? Py_True : Py_False,
        "tensors_need_base", i.tensors_need_base ? Py_True : Py_False, "is_safetensors",
        i.is_safetensors ? Py_True : Py_False, "original_size", (unsigned long long)i.original_size,
        "compressed_size", (unsigned long long)i.compressed_size, "segment_count",
        (unsigned long long)i.segment_count, "chunk_count", (unsigned long long)i.chunk_count,
        "tensor_count", (unsigned long long)i.tensor_count, "dtype", emz_type_name(i.type));
}

/* (name, dtype, stored_as, shape, offset, size, stored_size) of tensor `index`. */
static PyObject *reader_tensor(reader_object *r, PyObject *arg) {
    unsigned long long index = PyLong_AsUnsignedLongLong(arg);
    if (index == (unsigned long long)-1 && PyErr_Occurred()) return NULL;
    emz_tensor_info t;
    if (check_open(r)) return NULL;
    emz_status st = emz_reader_tensor(r->reader, index, &t);
    if (st != EMZ_OK) return emz_py_raise_detail(st, "no tensor number %llu", index);
    PyObject *shape = PyTuple_New(t.dims);
    for (unsigned d = 0; shape && d < t.dims; d++) {
        PyObject *n = PyLong_FromUnsignedLongLong(t.shape[d]);
        if (!n)
            Py_CLEAR(shape);
        else
            PyTuple_SET_ITEM(shape, d, n);
    }
    if (!shape) return NULL;
    return Py_BuildValue("(sssNKKK)", t.name, t.dtype, emz_type_name(t.type), shape,
                         (unsigned long long)t.offset, (unsigned long long)t.size,
                         (unsigned long long)t.stored_size);
}

static PyObject *reader_find(reader_object *r, PyObject *arg) {
    const char *name = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
    if (!name) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "find: expected a str");
        return NULL;
    }
    uint64_t index;
    if (check_open(r)) return NULL;
    if (emz_reader_find_tensor(r->reader, name, &index) != EMZ_OK) {
        PyErr_Format(PyExc_KeyError, "no tensor named '%.200s'", name);
        return NULL;
    }
    return PyLong_FromUnsignedLongLong(index);
}

/* read(offset, length, out=None, *, threads=None) and read_tensor(index, offset, length, ...):
 * one body; tensor < 0 reads the file. */
static PyObject *read_range(reader_object *r, long long tensor, unsigned long long offset,
                            unsigned long long length, PyObject *out, PyObject *threads_obj) {
    int64_t threads;
    if (check_open(r) || emz_py_threads(threads_obj, &threads)) return NULL;
    if (length > PY_SSIZE_T_MAX) return PyErr_Format(PyExc_OverflowError, "length too large");
    Py_buffer dst = {0};
    PyObject *result;
    if (out == Py_None) {
        result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)length);
        if (!result || PyObject_GetBuffer(result, &dst, PyBUF_SIMPLE))
            return Py_XDECREF(result), NULL;
        emz_py_advise_huge(dst.buf, (size_t)dst.len);
    } else {
        if (emz_py_output(out, &dst, length, "out")) return NULL;
        result = Py_NewRef(out);
    }
    emz_dctx *dctx = emz_py_dctx_limited(threads, 1, &r->limits);
    emz_status st = EMZ_OK;
    if (dctx) {
        r->busy++;
        Py_BEGIN_ALLOW_THREADS;
        st = tensor < 0 ? emz_reader_read(r->reader, dctx, dst.buf, (size_t)length, offset, length)
                        : emz_reader_read_tensor(r->reader, dctx, (uint64_t)tensor, dst.buf,
                                                 (size_t)length, offset, length);
        Py_END_ALLOW_THREADS;
        r->busy--;
        if (st != EMZ_OK) emz_py_raise(st, emz_dctx_error_detail(dctx));
        emz_py_dctx_release(dctx);
    }
    PyBuffer_Release(&dst);
    if (!dctx || st != EMZ_OK) Py_CLEAR(result);
    return result;
}

static PyObject *reader_read(reader_object *r, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"offset", "length", "out", "threads", NULL};
    unsigned long long offset, length;
    PyObject *out = Py_None, *threads = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "KK|O$O:read", names, &offset, &length, &out,
                                     &threads))
        return NULL;
    return read_range(r, -1, offset, length, out, threads);
}

static PyObject *reader_read_tensor(reader_object *r, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"index", "offset", "length", "out", "threads", NULL};
    long long index;
    unsigned long long offset, length;
    PyObject *out = Py_None, *threads = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "LKK|O$O:read_tensor", names, &index, &offset,
                                     &length, &out, &threads))
        return NULL;
    if (index < 0) return emz_py_raise_detail(EMZ_ERROR_RANGE, "no tensor number %lld", index);
    return read_range(r, index, offset, length, out, threads);
}

/* The whole original file, in order, to a file descriptor: what `emzip decompress` writes. */
static PyObject *reader_decompress_to(reader_object *r, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"fd", "threads", "verify", NULL};
    int fd, verify = 1;
    PyObject *threads_obj = Py_None;
    int64_t threads;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "i|$Op:decompress_to", names, &fd, &threads_obj,
                                     &verify) ||
        check_open(r) || emz_py_threads(threads_obj, &threads))
        return NULL;
    emz_dctx *dctx = emz_py_dctx_limited(threads, verify, &r->limits);
    emz_py_fd_sink *sink = dctx ? PyMem_RawMalloc(sizeof *sink) : NULL;
    PyObject *result = NULL;
    if (dctx && !sink) PyErr_NoMemory();
    if (sink) {
        emz_py_fd_sink_init(sink, fd);
        uint64_t written = 0;
        emz_status st;
        r->busy++;
        Py_BEGIN_ALLOW_THREADS;
        st = emz_reader_decompress(r->reader, dctx, &sink->sink, &written);
        if (st == EMZ_OK && emz_py_fd_sink_flush(sink)) st = EMZ_ERROR_IO;
        Py_END_ALLOW_THREADS;
        r->busy--;
        if (st == EMZ_OK)
            result = PyLong_FromUnsignedLongLong(written);
        else if (sink->error)
            errno = sink->error, PyErr_SetFromErrno(PyExc_OSError);
        else
            emz_py_raise(st, emz_dctx_error_detail(dctx));
    }
    PyMem_RawFree(sink);
    emz_py_dctx_release(dctx);
    return result;
}

/* dlpack_tensors(buffer, maker=None) -> {name: capsule or None}: every tensor, in the order of
 * its data, as a view of buffer (the whole original file, decoded), for torch.from_dlpack; None
 * for a tensor DLPack cannot carry (see dlpack.c). With maker, maker(capsule) in its place:
 * load_file passes torch's, which saves a Python loop over the tensors. */
static PyObject *reader_dlpack_tensors(reader_object *r, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"buffer", "maker", NULL};
    PyObject *buffer, *maker = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:dlpack_tensors", names, &buffer, &maker))
        return NULL;
    if (maker != Py_None && !PyCallable_Check(maker)) {
        PyErr_SetString(PyExc_TypeError, "dlpack_tensors: maker must be callable or None");
        return NULL;
    }
    emz_reader_info i;
    if (check_open(r)) return NULL;
    emz_status st = emz_reader_info_get(r->reader, &i);
    if (st != EMZ_OK) return emz_py_raise(st, NULL);
    return emz_py_dlpack_tensors(r->reader, i.tensor_count, buffer, maker);
}

static PyMethodDef reader_methods[] = {
    {"close", (PyCFunction)reader_close, METH_NOARGS, "Closes the reader (and its file)."},
    {"set_base", (PyCFunction)reader_set_base, METH_O,
     "set_base(base): the base checkpoint a delta decodes against: a Reader of it, a buffer of "
     "its bytes or a file descriptor."},
    {"info", (PyCFunction)reader_info, METH_NOARGS, "info() -> dict: sizes and counts."},
    {"tensor", (PyCFunction)reader_tensor, METH_O,
     "tensor(index) -> (name, dtype, stored_as, shape, offset, size, stored_size)."},
    {"find", (PyCFunction)reader_find, METH_O, "find(name) -> index; KeyError if absent."},
    {"dlpack_tensors", (PyCFunction)(void (*)(void))reader_dlpack_tensors,
     METH_VARARGS | METH_KEYWORDS,
     "dlpack_tensors(buffer, maker=None) -> {name: DLPack capsule, or maker(capsule), or None}: "
     "the tensors as views of buffer (the decoded file); None where DLPack cannot carry one."},
    {"read", (PyCFunction)(void (*)(void))reader_read, METH_VARARGS | METH_KEYWORDS,
     "read(offset, length, out=None, *, threads=None): bytes [offset, offset+length) of the "
     "original file, decoding only the chunks they touch."},
    {"read_tensor", (PyCFunction)(void (*)(void))reader_read_tensor, METH_VARARGS | METH_KEYWORDS,
     "read_tensor(index, offset, length, out=None, *, threads=None): bytes of one tensor's "
     "data, reading only that tensor's chunks."},
    {"decompress_to", (PyCFunction)(void (*)(void))reader_decompress_to,
     METH_VARARGS | METH_KEYWORDS,
     "decompress_to(fd, *, threads=None, verify=True) -> int: the original file, to fd."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject emz_py_reader_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "emzip._core.Reader",
    .tp_basicsize = sizeof(reader_object),
    .tp_dealloc = (destructor)reader_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Reader(source, *, max_size=None, memory_limit=None): an emzip container or "
              "frame, from a path or a buffer.",
    .tp_methods = reader_methods,
    .tp_init = (initproc)reader_init,
    .tp_new = PyType_GenericNew,
};
