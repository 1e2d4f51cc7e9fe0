/* load.c - load_torch: a whole checkpoint into CPU torch tensors in one call (load_file's
 * common case). It opens the file, allocates the buffer, makes the tensors from DLPack
 * capsules, decodes into them and closes, without returning to Python in between.
 *
 * Why one call: load_file's Python steps (the reader's info dict, numpy's allocation and its
 * torch view, closing the reader) cost a few microseconds each when warm, but 10-15 each right
 * after a decode has swept the caches, as they are on every load after the first. Together
 * they were a quarter of the Python layer's 0.2 ms on a 12 MB checkpoint. */
#include "core.h"

/* Raises wrong_base for a delta read without base=, naming its first tensor that needs one. */
static void no_base(const emz_reader *reader, uint64_t count) {
    emz_tensor_info t;
    for (uint64_t i = 0; i < count; i++)
        if (emz_reader_tensor(reader, i, &t) == EMZ_OK && t.base_kind != 0) {
            emz_py_raise_detail(EMZ_ERROR_WRONG_BASE,
                                "tensor \"%s\" is stored against base bytes %llu..%llu of digest "
                                "%016llx, but no base was given (base=)",
                                t.name, (unsigned long long)t.base_offset,
                                (unsigned long long)(t.base_offset + t.size),
                                (unsigned long long)t.base_digest);
            return;
        }
    emz_py_raise_detail(EMZ_ERROR_WRONG_BASE, "this file is a delta: give base=");
}

/* None when a tensor cannot be made from a capsule (its dtype, or its alignment): load_file
 * then takes its general way. */
static PyObject *load_torch(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *names[] = {"path", "maker", "threads", "max_size", "memory_limit", "base", NULL};
    PyObject *path_obj, *maker, *threads_obj = Py_None, *max_size = Py_None,
                                *memory_limit = Py_None, *base_obj = Py_None;
    emz_py_limits limits;
    int64_t threads;
    emz_py_base base = {0};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|OOOO:load_torch", names, &path_obj, &maker,
                                     &threads_obj, &max_size, &memory_limit, &base_obj) ||
        emz_py_threads(threads_obj, &threads) ||
        emz_py_limits_parse(memory_limit, max_size, &limits))
        return NULL;
    PyObject *path = NULL; /* bytes, from str, bytes or os.PathLike */
    if (!PyUnicode_FSConverter(path_obj, &path)) return NULL;
    if (base_obj != Py_None && emz_py_base_open(base_obj, &base)) return Py_DECREF(path), NULL;
    emz_dctx *dctx = emz_py_dctx_limited(threads, 1, &limits);
    if (!dctx) return Py_DECREF(path), emz_py_base_release(&base), NULL;
    emz_reader *reader = NULL;
    emz_reader_info info;
    emz_status st;
    Py_BEGIN_ALLOW_THREADS;
    st = emz_reader_open_file(dctx, PyBytes_AS_STRING(path), &reader);
    Py_END_ALLOW_THREADS;
    Py_DECREF(path);
    if (st == EMZ_OK) st = emz_reader_info_get(reader, &info);
    /* a delta needs its base before anything is allocated for it: a file of unchanged tensors
     * declares sizes only the base bounds */
    if (st == EMZ_OK && info.is_delta && base.obj) {
        st = emz_py_base_attach(&base, reader);
        if (st == EMZ_OK) st = emz_reader_info_get(reader, &info); /* its tensors, now listed */
        if (st == EMZ_ERROR_WRONG_BASE)
            emz_py_raise_detail(st, "the base given is too short for the tensors this delta needs, "
                                    "or its safetensors header is not the one this delta shares");
    } else if (st == EMZ_OK && info.is_delta) {
        st = EMZ_ERROR_WRONG_BASE;
        no_base(reader, info.tensor_count);
    }
    PyObject *buffer = NULL, *tensors = NULL;
    int general = 0; /* a tensor DLPack cannot carry */
    if (st != EMZ_OK) {
        if (!PyErr_Occurred()) emz_py_raise(st, emz_dctx_error_detail(dctx));
    } else if (!info.is_safetensors) {
        PyErr_Format(emz_py_error, "%R is not a compressed safetensors checkpoint", path_obj);
    } else if (info.original_size > PY_SSIZE_T_MAX) {
        PyErr_NoMemory();
    } else if (!emz_py_dlpack_carries_all(reader, info.tensor_count)) {
        general = 1; /* before anything is allocated or made: FP8 and FP4 checkpoints */
    } else {
        buffer = emz_py_load_buffer((Py_ssize_t)info.original_size); /* load_buffer.c */
        if (buffer) tensors = emz_py_dlpack_tensors(reader, info.tensor_count, buffer, maker);
    }
    if (tensors) { /* every value a tensor: the buffer is page-aligned (emz_py_dlpack_carries_all)
                    */
        Py_buffer view;
        if (PyObject_GetBuffer(buffer, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS)) {
            Py_CLEAR(tensors);
        } else {
            Py_BEGIN_ALLOW_THREADS;
            st = emz_reader_read(reader, dctx, view.buf, (size_t)view.len, 0, info.original_size);
            Py_END_ALLOW_THREADS;
            PyBuffer_Release(&view);
            if (st != EMZ_OK) {
                emz_py_raise(st, emz_dctx_error_detail(dctx));
                Py_CLEAR(tensors);
            }
        }
    }
    emz_reader_close(reader);
    emz_py_dctx_release(dctx);
    emz_py_base_release(&base);
    Py_XDECREF(buffer); /* the tensors hold it */
    if (general) Py_RETURN_NONE;
    return tensors;
}

PyMethodDef emz_py_load_methods[] = {
    {"load_torch", (PyCFunction)(void (*)(void))load_torch, METH_VARARGS | METH_KEYWORDS,
     "load_torch(path, maker, threads=None, max_size=None, memory_limit=None, base=None) -> "
     "{name: maker(capsule)}: a whole checkpoint decoded into CPU tensors made by maker "
     "(torch's from_dlpack) in one call, a delta against base (a Reader, buffer or fd); None "
     "when DLPack cannot carry one of its tensors."},
    {NULL, NULL, 0, NULL},
};
