/* buffers.c - converting arguments: buffers in and out, threads=, element types, contexts. */
#include "core.h"

#include <stdint.h>
#include <sys/mman.h>

int emz_py_input(PyObject *obj, Py_buffer *view, const char *what) {
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "%s: expected a bytes-like object (bytes, bytearray, memoryview, numpy "
                     "array, torch tensor), got %.200s",
                     what, Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) == 0) return 0;
    /* The exporter's own message (BufferError) does not say which argument it was. */
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "%s: the %.200s is not C-contiguous (use a contiguous copy)",
                 what, Py_TYPE(obj)->tp_name);
    return -1;
}

int emz_py_output(PyObject *obj, Py_buffer *view, uint64_t need, const char *what) {
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "%s: expected a writable buffer (bytearray, memoryview, numpy array, "
                     "torch tensor), got %.200s",
                     what, Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) != 0) {
        /* Tell read-only from non-contiguous: ask again for a read-only contiguous view. */
        PyErr_Clear();
        Py_buffer probe;
        int contiguous = PyObject_GetBuffer(obj, &probe, PyBUF_C_CONTIGUOUS) == 0;
        if (contiguous) PyBuffer_Release(&probe);
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: the %.200s is %s", what, Py_TYPE(obj)->tp_name,
                     contiguous ? "read-only" : "not C-contiguous");
        return -1;
    }
    if ((uint64_t)view->len < need) {
        emz_py_raise_detail(EMZ_ERROR_DST_TOO_SMALL, "%s holds %zd bytes, %llu are needed", what,
                            view->len, (unsigned long long)need);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

int emz_py_threads(PyObject *obj, int64_t *threads) {
    if (!obj || obj == Py_None) {
        *threads = 1;
        return 0;
    }
    if (!PyLong_Check(obj) || PyBool_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "threads: expected an int or None, got %.200s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    int overflow = 0;
    long long n = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (n == -1 && PyErr_Occurred()) return -1;
    if (overflow || n < 0 || n > 256) {
        emz_py_raise(EMZ_ERROR_INVALID_ARGUMENT, "threads must be 0 (one per processor) to 256");
        return -1;
    }
    *threads = n;
    return 0;
}

static int positive_bytes(PyObject *obj, const char *what, int64_t *value) {
    *value = 0;
    if (!obj || obj == Py_None) return 0;
    if (!PyLong_Check(obj) || PyBool_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: expected an int (bytes) or None, got %.200s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    int overflow = 0;
    long long n = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (n == -1 && PyErr_Occurred()) return -1;
    if (overflow || n < 1) {
        PyErr_Format(PyExc_ValueError, "%s must be a positive number of bytes, or None", what);
        return -1;
    }
    *value = n;
    return 0;
}

int emz_py_limits_parse(PyObject *memory_limit, PyObject *max_size, emz_py_limits *limits) {
    return positive_bytes(memory_limit, "memory_limit", &limits->memory_limit) ||
                   positive_bytes(max_size, "max_size", &limits->max_size)
               ? -1
               : 0;
}

/* Decompression contexts kept between calls. A context keeps its scratch memory (about eight
 * times the chunk size a thread) from one call to the next; a new context faults all of it in
 * again, which cost a load_file of a 12 MB checkpoint a fifth of its time (4.6 ms against the
 * C tool's 3.6 ms) when every call made its own. Taken and given back only while holding the
 * GIL, which is what guards the list (the module is single-phase and needs the GIL). At most
 * IDLE_DCTX_MAX are kept: the threads of a process rarely decode more at once. */
#define IDLE_DCTX_MAX 2
static emz_dctx *idle_dctx[IDLE_DCTX_MAX];
static int idle_dctx_count;

emz_dctx *emz_py_dctx_limited(int64_t threads, int verify, const emz_py_limits *limits) {
    emz_dctx *dctx = idle_dctx_count ? idle_dctx[--idle_dctx_count] : emz_dctx_create();
    if (!dctx) {
        PyErr_NoMemory();
        return NULL;
    }
    /* Every parameter set each time: a kept context has the last caller's. */
    emz_status st = emz_dctx_set_param(dctx, EMZ_PARAM_THREADS, threads);
    if (st == EMZ_OK) st = emz_dctx_set_param(dctx, EMZ_PARAM_VERIFY_CHECKSUM, verify ? 1 : 0);
    if (st == EMZ_OK) st = emz_dctx_set_param(dctx, EMZ_PARAM_MEMORY_LIMIT, limits->memory_limit);
    if (st == EMZ_OK) st = emz_dctx_set_param(dctx, EMZ_PARAM_MAX_OUTPUT, limits->max_size);
    if (st != EMZ_OK) {
        emz_dctx_free(dctx);
        emz_py_raise(st, "setting the decompression context's parameters");
        return NULL;
    }
    return dctx;
}

void emz_py_dctx_release(emz_dctx *dctx) {
    if (dctx && idle_dctx_count < IDLE_DCTX_MAX)
        idle_dctx[idle_dctx_count++] = dctx;
    else
        emz_dctx_free(dctx);
}

int emz_py_type(PyObject *obj, emz_type *type) {
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "dtype: expected a str, got %.200s", Py_TYPE(obj)->tp_name);
        return -1;
    }
    const char *name = PyUnicode_AsUTF8(obj);
    if (!name) return -1;
    if (emz_type_from_name(name, type) != EMZ_OK) {
        emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                            "unknown dtype '%.100s' (bf16 fp16 fp32 e4m3 e5m2 fp4 bytes)", name);
        return -1;
    }
    return 0;
}

int emz_py_u32(PyObject *obj, uint32_t max, const char *what, uint32_t *value) {
    if (!PyLong_Check(obj) || PyBool_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: expected an int, got %.200s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    int overflow = 0;
    long long n = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (n == -1 && PyErr_Occurred()) return -1;
    if (overflow || n < 0 || (unsigned long long)n > max) {
        emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT, "%s must be 0 to %lu", what,
                            (unsigned long)max);
        return -1;
    }
    *value = (uint32_t)n;
    return 0;
}

void emz_py_advise_huge(void *data, size_t size) {
#ifdef MADV_HUGEPAGE
    /* The 2 MiB pages wholly inside [data, data + size): malloc's large blocks are mappings of
     * their own, a page past their start, so only the first and last partial pages stay small. */
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (size < 2 * huge) return;
    uintptr_t lo = ((uintptr_t)data + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)data + size) & ~(huge - 1);
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)data, (void)size;
#endif
}
