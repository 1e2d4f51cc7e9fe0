/* codec.c - frames in memory: compress, decompress, frame_info. */
#include "core.h"

emz_cctx *emz_py_cctx(int64_t threads, long long chunk_size) {
    emz_cctx *cctx = emz_cctx_create();
    if (!cctx) {
        PyErr_NoMemory();
        return NULL;
    }
    emz_status st = emz_cctx_set_param(cctx, EMZ_PARAM_THREADS, threads);
    if (st == EMZ_OK && chunk_size != 0)
        st = emz_cctx_set_param(cctx, EMZ_PARAM_CHUNK_SIZE, chunk_size);
    if (st != EMZ_OK) {
        emz_cctx_free(cctx);
        emz_py_raise_detail(st,
                            "chunk_size=%lld (a power of two from 4096 to 16 MiB), threads=%lld",
                            chunk_size, (long long)threads);
        return NULL;
    }
    return cctx;
}

static PyObject *py_compress(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *names[] = {"data", "dtype", "chunk_size", "threads", NULL};
    PyObject *data, *dtype, *threads_obj = Py_None;
    long long chunk_size = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|$LO:compress", names, &data, &dtype,
                                     &chunk_size, &threads_obj))
        return NULL;
    emz_type type;
    int64_t threads;
    if (emz_py_type(dtype, &type) || emz_py_threads(threads_obj, &threads)) return NULL;
    Py_buffer in;
    if (emz_py_input(data, &in, "data")) return NULL;
    PyObject *result = NULL;
    emz_cctx *cctx = emz_py_cctx(threads, chunk_size);
    size_t bound = emz_compress_bound((size_t)in.len);
    if (cctx && bound == 0) PyErr_SetString(PyExc_OverflowError, "data is too large");
    if (cctx && bound != 0) result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)bound);
    if (result) {
        size_t size = 0;
        emz_status st;
        char *dst = PyBytes_AS_STRING(result);
        Py_BEGIN_ALLOW_THREADS;
        st = emz_compress(cctx, dst, bound, in.buf, (size_t)in.len, type, &size);
        Py_END_ALLOW_THREADS;
        if (st != EMZ_OK) {
            Py_CLEAR(result);
            emz_py_raise(st, emz_cctx_error_detail(cctx));
        } else if (_PyBytes_Resize(&result, (Py_ssize_t)size) != 0) {
            result = NULL;
        }
    }
    emz_cctx_free(cctx);
    PyBuffer_Release(&in);
    return result;
}

/* The frame's header, checked; raises emzip.Error for data that is no frame. */
static int read_info(const Py_buffer *in, emz_frame_info *info) {
    emz_status st = emz_frame_info_get(in->buf, (size_t)in->len, info);
    if (st == EMZ_OK) return 0;
    emz_py_raise(st, st == EMZ_ERROR_TRUNCATED ? "shorter than its frame header" : "");
    return -1;
}

static PyObject *py_decompress(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *names[] = {"data", "out", "threads", "verify", "max_size", "memory_limit", NULL};
    PyObject *data, *out = Py_None, *threads_obj = Py_None, *max_size = Py_None,
                    *memory_limit = Py_None;
    int verify = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O$OpOO:decompress", names, &data, &out,
                                     &threads_obj, &verify, &max_size, &memory_limit))
        return NULL;
    int64_t threads;
    emz_py_limits limits;
    if (emz_py_threads(threads_obj, &threads) ||
        emz_py_limits_parse(memory_limit, max_size, &limits))
        return NULL;
    Py_buffer in, dst = {0};
    if (emz_py_input(data, &in, "data")) return NULL;
    emz_frame_info info;
    PyObject *result = NULL;
    if (read_info(&in, &info)) goto done;
    /* before anything is allocated by the declared size */
    if (limits.max_size && info.original_size > (uint64_t)limits.max_size) {
        emz_py_raise_detail(EMZ_ERROR_LIMIT, "the frame declares %llu bytes; max_size is %lld",
                            (unsigned long long)info.original_size, (long long)limits.max_size);
        goto done;
    }
    if (info.original_size > PY_SSIZE_T_MAX) {
        PyErr_SetString(PyExc_OverflowError, "the frame is larger than memory can hold");
        goto done;
    }
    if (out == Py_None) {
        result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)info.original_size);
        if (!result || PyObject_GetBuffer(result, &dst, PyBUF_SIMPLE)) goto fail;
        emz_py_advise_huge(dst.buf, (size_t)dst.len);
    } else {
        if (emz_py_output(out, &dst, info.original_size, "out")) goto done;
        result = Py_NewRef(out);
    }
    emz_dctx *dctx = emz_py_dctx_limited(threads, verify, &limits);
    if (!dctx) goto fail;
    size_t size = 0;
    emz_status st;
    /* Only original_size bytes: a larger out keeps the rest as it was. */
    Py_BEGIN_ALLOW_THREADS;
    st = emz_decompress(dctx, dst.buf, (size_t)info.original_size, in.buf, (size_t)in.len, &size);
    Py_END_ALLOW_THREADS;
    if (st != EMZ_OK) emz_py_raise(st, emz_dctx_error_detail(dctx));
    emz_py_dctx_release(dctx);
    if (st == EMZ_OK) goto done;
fail:
    Py_CLEAR(result);
done:
    if (dst.obj) PyBuffer_Release(&dst);
    PyBuffer_Release(&in);
    return result;
}

static PyObject *py_frame_info(PyObject *self, PyObject *data) {
    (void)self;
    Py_buffer in;
    if (emz_py_input(data, &in, "data")) return NULL;
    emz_frame_info info;
    int failed = read_info(&in, &info);
    PyBuffer_Release(&in);
    if (failed) return NULL;
    return Py_BuildValue(
        "{s:s,s:I,s:K,s:K,s:K,s:K}", "dtype", emz_type_name(info.type), "format_version",
        info.format_version, "element_count", (unsigned long long)info.element_count,
        "original_size", (unsigned long long)info.original_size, "chunk_size",
        (unsigned long long)info.chunk_size, "chunk_count", (unsigned long long)info.chunk_count);
}

PyMethodDef emz_py_codec_methods[] = {
    {"compress", (PyCFunction)(void (*)(void))py_compress, METH_VARARGS | METH_KEYWORDS,
     "compress(data, dtype, *, chunk_size=0, threads=None) -> bytes: one frame."},
    {"decompress", (PyCFunction)(void (*)(void))py_decompress, METH_VARARGS | METH_KEYWORDS,
     "decompress(data, out=None, *, threads=None, verify=True, max_size=None, memory_limit=None)"
     " -> bytes, or out."},
    {"frame_info", py_frame_info, METH_O, "frame_info(data) -> dict: the frame header's fields."},
    {NULL, NULL, 0, NULL},
};
