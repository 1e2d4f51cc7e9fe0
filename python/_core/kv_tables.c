/* kv_tables.c - emzip._core.Tables: trained tables for blocks (emz_tables), loaded from a table
 * file or trained from samples; immutable, so any number of BlockCodecs (kv.c) and threads share
 * one. Loading, training and saving run with the GIL released. */
#include "core.h"

#include <inttypes.h>
#include <stdio.h>

#define DETAIL_SIZE 512

static PyObject *tables_wrap(PyTypeObject *type, emz_tables *t) {
    emz_py_tables *self = (emz_py_tables *)type->tp_alloc(type, 0);
    if (!self) {
        emz_tables_free(t);
        return NULL;
    }
    self->tables = t;
    emz_tables_info_get(t, &self->info);
    return (PyObject *)self;
}

static void tables_dealloc(emz_py_tables *self) {
    emz_tables_free(self->tables);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The layout check of emz_tables_load, for a caller who gives a layout but no dtype. */
static int check_layout(const emz_py_tables *t, uint32_t heads, uint32_t head_dim) {
    const emz_tables_info *i = &t->info;
    if (!heads && !head_dim) return 0;
    if (heads == i->heads && head_dim == i->head_dim) return 0;
    emz_py_raise_detail(EMZ_ERROR_WRONG_TABLES,
                        "the tables (%016" PRIx64 ") are for a layout of %" PRIu32
                        " heads x %" PRIu32 ", not %" PRIu32 " x %" PRIu32,
                        i->id, i->heads, i->head_dim, heads, head_dim);
    return -1;
}

static PyObject *tables_load(PyObject *cls, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"data", "dtype", "heads", "head_dim", NULL};
    PyObject *data, *dtype = Py_None, *heads_obj = NULL, *head_dim_obj = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OOO:load", names, &data, &dtype, &heads_obj,
                                     &head_dim_obj))
        return NULL;
    emz_tables_info expect = {0};
    if ((dtype != Py_None && emz_py_type(dtype, &expect.type)) ||
        (heads_obj && emz_py_u32(heads_obj, UINT32_MAX, "heads", &expect.heads)) ||
        (head_dim_obj && emz_py_u32(head_dim_obj, UINT32_MAX, "head_dim", &expect.head_dim)))
        return NULL;
    Py_buffer in;
    if (emz_py_input(data, &in, "data")) return NULL;
    char detail[DETAIL_SIZE] = "";
    emz_tables *t = NULL;
    emz_status st;
    Py_BEGIN_ALLOW_THREADS;
    st = emz_tables_load(in.buf, (size_t)in.len, dtype != Py_None ? &expect : NULL, &t, detail,
                         sizeof detail);
    Py_END_ALLOW_THREADS;
    PyBuffer_Release(&in);
    if (st != EMZ_OK) return emz_py_raise(st, detail);
    PyObject *self = tables_wrap((PyTypeObject *)cls, t);
    if (self && dtype == Py_None &&
        check_layout((emz_py_tables *)self, expect.heads, expect.head_dim))
        Py_CLEAR(self);
    return self;
}

/* The samples of train(): (buffer, group) pairs, their buffers held in views (*held of them).
 * Also checks that every group has a sample (the library says so without a detail). */
static int collect_samples(PyObject *seq, uint32_t groups, Py_buffer *views, Py_ssize_t *held,
                           emz_tables_sample *samples) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    unsigned char *seen = PyMem_Calloc(groups, 1);
    if (!seen) return PyErr_NoMemory(), -1;
    int failed = 0;
    for (Py_ssize_t i = 0; i < n && !failed; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        char what[64];
        snprintf(what, sizeof what, "samples[%zd]", i);
        uint32_t group = 0;
        failed = -1;
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2)
            PyErr_Format(PyExc_TypeError, "%s: expected a (buffer, group) tuple, got %.200s", what,
                         Py_TYPE(item)->tp_name);
        else if (emz_py_u32(PyTuple_GET_ITEM(item, 1), UINT32_MAX, what, &group) == 0 &&
                 group >= groups)
            emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT, "%s: group %" PRIu32 " of %" PRIu32,
                                what, group, groups);
        else if (!PyErr_Occurred() && emz_py_input(PyTuple_GET_ITEM(item, 0), &views[i], what) == 0)
            failed = 0, *held = i + 1;
        if (failed) break;
        samples[i] = (emz_tables_sample){views[i].buf, (size_t)views[i].len, group};
        if (views[i].len) seen[group] = 1;
    }
    for (uint32_t g = 0; g < groups && !failed; g++)
        if (!seen[g])
            failed = -1,
            emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                                "group %" PRIu32 " has no samples (of %" PRIu32 ")", g, groups);
    PyMem_Free(seen);
    return failed;
}

static PyObject *tables_train(PyObject *cls, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"dtype", "samples", "groups", "heads", "head_dim", "block_size", NULL};
    PyObject *dtype, *samples_obj, *groups_obj, *heads = NULL, *head_dim = NULL, *block = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO|$OOO:train", names, &dtype, &samples_obj,
                                     &groups_obj, &heads, &head_dim, &block))
        return NULL;
    emz_tables_options o = {0};
    if (emz_py_type(dtype, &o.type) || emz_py_u32(groups_obj, 65535, "groups", &o.groups) ||
        (heads && emz_py_u32(heads, UINT32_MAX, "heads", &o.heads)) ||
        (head_dim && emz_py_u32(head_dim, UINT32_MAX, "head_dim", &o.head_dim)) ||
        (block && emz_py_u32(block, UINT32_MAX, "block_size", &o.block_size)))
        return NULL;
    if (o.groups == 0) return emz_py_raise(EMZ_ERROR_INVALID_ARGUMENT, "groups must be 1 to 65535");
    PyObject *seq = PySequence_Fast(samples_obj, "samples: expected a list of (buffer, group)");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq), held = 0;
    Py_buffer *views = PyMem_Calloc(n ? (size_t)n : 1, sizeof *views);
    emz_tables_sample *samples = PyMem_Calloc(n ? (size_t)n : 1, sizeof *samples);
    PyObject *result = NULL;
    if (!views || !samples) {
        PyErr_NoMemory();
    } else if (collect_samples(seq, o.groups, views, &held, samples) == 0) {
        emz_tables *t = NULL;
        emz_status st;
        char why[256];
        Py_BEGIN_ALLOW_THREADS;
        st = emz_tables_train(&o, samples, (size_t)n, &t, why, sizeof why);
        Py_END_ALLOW_THREADS;
        if (st == EMZ_OK)
            result = tables_wrap((PyTypeObject *)cls, t);
        else
            emz_py_raise_detail(st, "training %" PRIu32 " groups of %s: %s", o.groups,
                                emz_type_name(o.type), why);
    }
    for (Py_ssize_t i = 0; i < held; i++)
        PyBuffer_Release(&views[i]);
    PyMem_Free(views);
    PyMem_Free(samples);
    Py_DECREF(seq);
    return result;
}

static PyObject *tables_save(emz_py_tables *self, PyObject *unused) {
    (void)unused;
    size_t size = self->info.serialized_size, written = 0;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (!out) return NULL;
    char *dst = PyBytes_AS_STRING(out);
    emz_status st;
    Py_BEGIN_ALLOW_THREADS;
    st = emz_tables_save(self->tables, dst, size, &written);
    Py_END_ALLOW_THREADS;
    if (st != EMZ_OK || written != size) {
        Py_DECREF(out);
        return emz_py_raise(st != EMZ_OK ? st : EMZ_ERROR_CORRUPT, "saving the tables");
    }
    return out;
}

static PyObject *tables_group_id(emz_py_tables *self, PyObject *arg) {
    uint32_t group;
    uint64_t id;
    if (emz_py_u32(arg, UINT32_MAX, "group", &group)) return NULL;
    if (emz_tables_group_id(self->tables, group, &id) != EMZ_OK)
        return emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                                   "group %" PRIu32 ": the tables have %" PRIu32 " groups", group,
                                   self->info.groups);
    return PyLong_FromUnsignedLongLong(id);
}

static PyObject *tables_group_shift(emz_py_tables *self, PyObject *arg) {
    uint32_t group, channels;
    if (emz_py_u32(arg, UINT32_MAX, "group", &group)) return NULL;
    if (emz_tables_group_shift(self->tables, group, &channels) != EMZ_OK)
        return emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                                   "group %" PRIu32 ": the tables have %" PRIu32 " groups", group,
                                   self->info.groups);
    return PyLong_FromUnsignedLong(channels);
}

static PyObject *tables_group_clusters(emz_py_tables *self, PyObject *arg) {
    uint32_t group, count;
    if (emz_py_u32(arg, UINT32_MAX, "group", &group)) return NULL;
    if (emz_tables_group_clusters(self->tables, group, &count) != EMZ_OK)
        return emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                                   "group %" PRIu32 ": the tables have %" PRIu32 " groups", group,
                                   self->info.groups);
    return PyLong_FromUnsignedLong(count);
}

static PyObject *tables_get(emz_py_tables *self, void *field) {
    const emz_tables_info *i = &self->info;
    switch ((int)(intptr_t)field) {
    case 0:
        return PyUnicode_FromString(emz_type_name(i->type));
    case 1:
        return PyLong_FromUnsignedLong(i->groups);
    case 2:
        return PyLong_FromUnsignedLong(i->heads);
    case 3:
        return PyLong_FromUnsignedLong(i->head_dim);
    case 4:
        return PyLong_FromUnsignedLong(i->block_size);
    case 5:
        return PyLong_FromUnsignedLongLong(i->id);
    default:
        return PyLong_FromSize_t(i->serialized_size);
    }
}

static PyGetSetDef tables_getset[] = {
    {"dtype", (getter)tables_get, NULL, "The element type the tables code ('bf16'...).", (void *)0},
    {"groups", (getter)tables_get, NULL, "Table sets (2 x layers for K/V caches).", (void *)1},
    {"heads", (getter)tables_get, NULL, "K/V heads of a token (0: not given).", (void *)2},
    {"head_dim", (getter)tables_get, NULL, "Head dimension (0: not given).", (void *)3},
    {"block_size", (getter)tables_get, NULL, "Bytes of the blocks trained on.", (void *)4},
    {"id", (getter)tables_get, NULL, "XXH3-64 of the table file's bytes.", (void *)5},
    {"serialized_size", (getter)tables_get, NULL, "Bytes save() returns.", (void *)6},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef tables_methods[] = {
    {"load", (PyCFunction)(void (*)(void))tables_load, METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "load(data, *, dtype=None, heads=0, head_dim=0) -> Tables: a table file, checked; with "
     "dtype (and a layout), tables for another type (or layout) are refused (wrong_tables)."},
    {"train", (PyCFunction)(void (*)(void))tables_train, METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "train(dtype, samples, groups, *, heads=0, head_dim=0, block_size=0) -> Tables: samples "
     "is a list of (buffer, group); every group needs one."},
    {"save", (PyCFunction)tables_save, METH_NOARGS, "save() -> bytes: the table file."},
    {"group_id", (PyCFunction)tables_group_id, METH_O,
     "group_id(group) -> int: the id of the group's table set (blocks carry its low 32 bits)."},
    {"group_shift", (PyCFunction)tables_group_shift, METH_O,
     "group_shift(group) -> int: the channels of the group's channel shift, 0 without one."},
    {"group_clusters", (PyCFunction)tables_group_clusters, METH_O,
     "group_clusters(group) -> int: the group's channel clusters, 0 without them."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject emz_py_tables_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "emzip._core.Tables",
    .tp_basicsize = sizeof(emz_py_tables),
    .tp_dealloc = (destructor)tables_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Trained tables for blocks (a table file): Tables.load(data) or Tables.train(...). "
              "Immutable; any number of codecs and threads may share them.",
    .tp_methods = tables_methods,
    .tp_getset = tables_getset,
};
