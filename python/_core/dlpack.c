/* dlpack.c - tensors of a decoded checkpoint as DLPack capsules, so that torch makes each
 * tensor, shape and dtype included, in one C++ call (torch.from_dlpack). load_file made them
 * with torch's split then view(shape): ~1.4 us a tensor of Python-to-C++ dispatch, more than a
 * tenth of the load of a small checkpoint; from a capsule it is ~0.4 us.
 *
 * Every capsule of one call shares one owner: the export (Py_buffer) of the buffer the tensors
 * live in, released when the last tensor made from them is freed. torch may free a tensor on a
 * thread without the GIL, so the deleter takes it. */
#include "core.h"

#include <dlpack/dlpack.h>
#include <stdlib.h>
#include <string.h>

#define CAPSULE_NAME "dltensor" /* a consumer renames it "used_dltensor" once it owns it */

typedef struct {
    Py_buffer view;
    Py_ssize_t refs; /* tensors alive, plus one while the call making them runs; under the GIL */
} owner;

typedef struct {
    DLManagedTensor managed;
    owner *owner;
    int64_t dims[]; /* shape, then strides */
} managed_tensor;

static void owner_drop(owner *o) {
    if (--o->refs) return;
    PyBuffer_Release(&o->view);
    PyMem_RawFree(o);
}

static int interpreter_finalizing(void) {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing();
#else
    return _Py_IsFinalizing();
#endif
}

static void managed_delete(DLManagedTensor *m) {
    /* A tensor outliving the interpreter (freed at exit by torch's own teardown): the process
     * is ending, and the GIL can no longer be taken. */
    if (interpreter_finalizing()) return;
    PyGILState_STATE gil = PyGILState_Ensure();
    managed_tensor *t = (managed_tensor *)m;
    owner_drop(t->owner);
    PyMem_RawFree(t);
    PyGILState_Release(gil);
}

/* A capsule nobody consumed still owns its tensor. */
static void capsule_destruct(PyObject *capsule) {
    if (!PyCapsule_IsValid(capsule, CAPSULE_NAME)) return; /* consumed ("used_dltensor") */
    DLManagedTensor *m = PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (m) m->deleter(m);
}

/* The DLPack type of a safetensors dtype every torch since 1.13 makes from DLPack as the type
 * load_file gives it otherwise; 0 for the others (unsigned of 16 bits and more, FP8, FP4, bool:
 * torch versions differ), which load_file makes the slower way. */
static int dlpack_type(const char *dtype, DLDataType *type) {
    static const struct {
        const char *name;
        uint8_t code, bits;
    } table[] = {
        {"BF16", kDLBfloat, 16}, {"F16", kDLFloat, 16}, {"F32", kDLFloat, 32},
        {"F64", kDLFloat, 64},   {"I8", kDLInt, 8},     {"I16", kDLInt, 16},
        {"I32", kDLInt, 32},     {"I64", kDLInt, 64},   {"U8", kDLUInt, 8},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        if (strcmp(dtype, table[i].name) == 0) {
            *type = (DLDataType){.code = table[i].code, .bits = table[i].bits, .lanes = 1};
            return 1;
        }
    }
    return 0;
}

/* Whether DLPack carries tensor t at address base + t->offset, and as what type: a dtype it
 * has, data aligned to the element size, and a shape that multiplies out to the tensor's size
 * (the reader checked; never trust twice). */
static int carried(const emz_tensor_info *t, uintptr_t base, DLDataType *type) {
    if (!dlpack_type(t->dtype, type)) return 0;
    uint64_t element = type->bits / 8, elements = 1;
    if ((base + t->offset) % element) return 0;
    for (unsigned d = 0; d < t->dims; d++) {
        if (t->shape[d] > INT64_MAX) return 0;
        elements *= t->shape[d];
    }
    return elements * element == t->size;
}

/* One tensor's capsule, or Py_None when DLPack cannot carry it (carried); NULL with an
 * exception set. */
static PyObject *tensor_capsule(owner *o, const emz_tensor_info *t) {
    DLDataType type;
    uint8_t *data = (uint8_t *)o->view.buf + t->offset;
    if (t->offset > (uint64_t)o->view.len || t->size > (uint64_t)o->view.len - t->offset) {
        PyErr_SetString(PyExc_ValueError, "the buffer is smaller than the checkpoint");
        return NULL;
    }
    if (!carried(t, (uintptr_t)o->view.buf, &type)) Py_RETURN_NONE;
    managed_tensor *m = PyMem_RawCalloc(1, sizeof *m + 2 * (t->dims + 1) * sizeof(int64_t));
    if (!m) return PyErr_NoMemory();
    int64_t *shape = m->dims, *strides = m->dims + t->dims + 1, stride = 1;
    for (unsigned d = t->dims; d-- > 0;) {
        shape[d] = (int64_t)t->shape[d];
        strides[d] = stride;
        stride *= shape[d] ? shape[d] : 1;
    }
    m->managed.dl_tensor = (DLTensor){
        .data = data,
        .device = {.device_type = kDLCPU, .device_id = 0},
        .ndim = (int32_t)t->dims,
        .dtype = type,
        .shape = shape,
        .strides = strides,
        .byte_offset = 0,
    };
    m->managed.manager_ctx = m;
    m->managed.deleter = managed_delete;
    m->owner = o;
    o->refs++;
    PyObject *capsule = PyCapsule_New(&m->managed, CAPSULE_NAME, capsule_destruct);
    if (!capsule) {
        o->refs--;
        PyMem_RawFree(m);
    }
    return capsule;
}

PyObject *emz_py_dlpack_tensors(const emz_reader *reader, uint64_t count, PyObject *buffer,
                                PyObject *maker) {
    owner *o = PyMem_RawCalloc(1, sizeof *o);
    if (!o) return PyErr_NoMemory();
    if (PyObject_GetBuffer(buffer, &o->view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS)) {
        PyMem_RawFree(o);
        return NULL;
    }
    o->refs = 1;
    PyObject *result = PyDict_New();
    for (uint64_t i = 0; result && i < count; i++) {
        emz_tensor_info t;
        emz_status st = emz_reader_tensor(reader, i, &t);
        PyObject *capsule = st == EMZ_OK ? tensor_capsule(o, &t) : emz_py_raise(st, NULL);
        if (capsule && capsule != Py_None && maker != Py_None)
            Py_SETREF(capsule, PyObject_CallOneArg(maker, capsule));
        /* Not PyDict_SetItemString: it interns each name, half the cost of this loop. */
        PyObject *name =
            capsule ? PyUnicode_DecodeUTF8(t.name, (Py_ssize_t)strlen(t.name), NULL) : NULL;
        if (!name || PyDict_SetItem(result, name, capsule)) Py_CLEAR(result);
        Py_XDECREF(name);
        Py_XDECREF(capsule);
    }
    owner_drop(o);
    return result;
}

int emz_py_dlpack_carries_all(const emz_reader *reader, uint64_t count) {
    for (uint64_t i = 0; i < count; i++) {
        emz_tensor_info t;
        DLDataType type;
        if (emz_reader_tensor(reader, i, &t) != EMZ_OK || !carried(&t, 0, &type)) return 0;
    }
    return 1;
}
