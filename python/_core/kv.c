/* kv.c - pages of K/V caches: emzip._core.BlockCodec (an emz_block_ctx coding with the tables of
 * a Tables object, kv_tables.c: one block, or batches of blocks spread over the context's
 * threads) and block_info (a block's header).
 *
 * A BlockCodec serves one call at a time (the library's rule for a context): its calls take the
 * codec's lock after releasing the GIL, so Python threads sharing a codec wait for each other
 * without holding the GIL, and threads with codecs of their own run in parallel. The error
 * detail is copied under the lock, before another call can replace it.
 *
 * The batch calls take every Py_buffer first (inputs, outputs), check what can be checked with
 * the GIL held (sizes, headers, table sets), then make one library call without the GIL. */
#include "core.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DETAIL_SIZE 512
/* Output room that lets emz_block_compress code in place (emzip.h, emz_block_bound). */
#define IN_PLACE_ROOM 160
#define BLOCK_MAX ((size_t)16 << 20)

typedef struct {
    PyObject_HEAD emz_block_ctx *ctx;
    PyObject *tables; /* the emz_py_tables the context codes with (it must outlive it), or NULL */
    PyThread_type_lock lock;
    int64_t threads;
} codec_object;

/* One library call on the codec's context. */
typedef struct op {
    enum { COMPRESS, DECOMPRESS, COMPRESS_BATCH, DECOMPRESS_BATCH } kind;
    emz_type type;
    uint32_t group;
    const void *src;
    size_t src_size;
    void *dst;
    size_t capacity, written;
    emz_block_job *jobs;
    size_t count;
} op;

static emz_status call(emz_block_ctx *ctx, op *o) {
    switch (o->kind) {
    case COMPRESS:
        return emz_block_compress(ctx, o->type, o->group, o->src, o->src_size, o->dst, o->capacity,
                                  &o->written);
    case DECOMPRESS:
        return emz_block_decompress(ctx, o->src, o->src_size, o->dst, o->capacity, &o->written);
    case COMPRESS_BATCH:
        return emz_block_compress_batch(ctx, o->type, o->jobs, o->count);
    default:
        return emz_block_decompress_batch(ctx, o->jobs, o->count);
    }
}

/* Runs o without the GIL, under the codec's lock; on failure raises emzip.Error with the
 * context's detail (copied under the lock) and returns -1. */
static int run(codec_object *c, op *o) {
    char detail[DETAIL_SIZE] = "";
    emz_status st;
    Py_BEGIN_ALLOW_THREADS;
    PyThread_acquire_lock(c->lock, WAIT_LOCK);
    st = call(c->ctx, o);
    if (st != EMZ_OK) snprintf(detail, sizeof detail, "%s", emz_block_ctx_error_detail(c->ctx));
    PyThread_release_lock(c->lock);
    Py_END_ALLOW_THREADS;
    if (st == EMZ_OK) return 0;
    emz_py_raise(st, detail);
    return -1;
}

static void codec_dealloc(codec_object *c) {
    emz_block_ctx_free(c->ctx);
    if (c->lock) PyThread_free_lock(c->lock);
    Py_XDECREF(c->tables);
    Py_TYPE(c)->tp_free((PyObject *)c);
}

/* impl=: None, or a name of emz_impl_name ("scalar", "avx2"...). */
static int set_impl(codec_object *c, PyObject *impl) {
    if (impl == Py_None) return 0;
    const char *name = PyUnicode_Check(impl) ? PyUnicode_AsUTF8(impl) : NULL;
    if (!name) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "impl: expected a str or None, got %.200s",
                         Py_TYPE(impl)->tp_name);
        return -1;
    }
    for (int i = 0; i < EMZ_IMPL_COUNT; i++) {
        if (strcmp(name, emz_impl_name((emz_impl)i)) != 0) continue;
        emz_status st = emz_block_ctx_set_param(c->ctx, EMZ_PARAM_IMPL, i);
        if (st == EMZ_OK) return 0;
        emz_py_raise_detail(st, "impl '%s'", name);
        return -1;
    }
    emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                        "unknown impl '%.100s' (auto scalar avx2 avx512 neon)", name);
    return -1;
}

static int configure(codec_object *c, int checksum, int verify, PyObject *impl,
                     Py_ssize_t block_size) {
    emz_status st = emz_block_ctx_set_param(c->ctx, EMZ_PARAM_THREADS, c->threads);
    if (st != EMZ_OK) {
        emz_py_raise_detail(st, "threads=%lld", (long long)c->threads);
        return -1;
    }
    if (emz_block_ctx_set_param(c->ctx, EMZ_PARAM_BLOCK_CHECKSUM, checksum != 0) ||
        emz_block_ctx_set_param(c->ctx, EMZ_PARAM_VERIFY_CHECKSUM, verify != 0))
        return emz_py_raise(EMZ_ERROR_INVALID_ARGUMENT, "checksum=, verify="), -1;
    if (set_impl(c, impl)) return -1;
    if (block_size && (block_size < 4096 || (size_t)block_size > BLOCK_MAX ||
                       emz_block_ctx_set_param(c->ctx, EMZ_PARAM_BLOCK_SIZE, block_size))) {
        emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                            "block_size=%zd: 0, or 4096 to 16 MiB bytes to reserve", block_size);
        return -1;
    }
    return 0;
}

static PyObject *codec_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"tables", "threads", "checksum", "verify", "impl", "block_size", NULL};
    PyObject *tables = Py_None, *threads = Py_None, *impl = Py_None;
    int checksum = 0, verify = 1;
    Py_ssize_t block_size = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O$OppOn:BlockCodec", names, &tables, &threads,
                                     &checksum, &verify, &impl, &block_size))
        return NULL;
    if (tables != Py_None && !PyObject_TypeCheck(tables, &emz_py_tables_type))
        return PyErr_Format(PyExc_TypeError,
                            "tables: expected emzip._core.Tables or None, got "
                            "%.200s",
                            Py_TYPE(tables)->tp_name);
    int64_t n;
    if (emz_py_threads(threads, &n)) return NULL;
    codec_object *c = (codec_object *)type->tp_alloc(type, 0);
    if (!c) return NULL;
    c->threads = n;
    if (tables != Py_None) c->tables = Py_NewRef(tables);
    c->lock = PyThread_allocate_lock();
    c->ctx = emz_block_ctx_create(c->tables ? ((emz_py_tables *)tables)->tables : NULL);
    if (!c->lock || !c->ctx) {
        Py_DECREF(c);
        return PyErr_NoMemory();
    }
    if (configure(c, checksum, verify, impl, block_size)) {
        Py_DECREF(c);
        return NULL;
    }
    return (PyObject *)c;
}

/* Bytes of one block to compress: 1 to 16 MiB. */
static int check_block_size(Py_ssize_t size, const char *what) {
    if (size > 0 && (size_t)size <= BLOCK_MAX) return 0;
    emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT, "%s: a block holds 1 to 16 MiB, not %zd bytes",
                        what, size);
    return -1;
}

static PyObject *codec_compress(codec_object *c, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"data", "dtype", "group", NULL};
    PyObject *data, *dtype, *group_obj = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|O:compress", names, &data, &dtype,
                                     &group_obj))
        return NULL;
    op o = {.kind = COMPRESS};
    if (emz_py_type(dtype, &o.type) ||
        (group_obj && emz_py_u32(group_obj, UINT32_MAX, "group", &o.group)))
        return NULL;
    Py_buffer in;
    if (emz_py_input(data, &in, "data")) return NULL;
    PyObject *out = NULL;
    if (check_block_size(in.len, "data") == 0)
        out = PyBytes_FromStringAndSize(NULL, in.len + IN_PLACE_ROOM);
    if (out) {
        o.src = in.buf, o.src_size = (size_t)in.len;
        o.dst = PyBytes_AS_STRING(out), o.capacity = (size_t)in.len + IN_PLACE_ROOM;
        if (run(c, &o))
            Py_CLEAR(out);
        else if (_PyBytes_Resize(&out, (Py_ssize_t)o.written))
            out = NULL;
    }
    PyBuffer_Release(&in);
    return out;
}

/* A block's header; emzip.Error naming the blob otherwise. */
static int block_header(const Py_buffer *in, const char *what, emz_block_info *info) {
    emz_status st = emz_block_info_get(in->buf, (size_t)in->len, info);
    if (st == EMZ_OK) return 0;
    emz_py_raise_detail(st, "%s: its block header: %s", what, emz_error_message(st));
    return -1;
}

static PyObject *codec_decompress(codec_object *c, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"blob", "out", NULL};
    PyObject *blob, *out = Py_None, *result = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:decompress", names, &blob, &out))
        return NULL;
    Py_buffer in, dst = {0};
    emz_block_info info;
    if (emz_py_input(blob, &in, "blob")) return NULL;
    if (block_header(&in, "blob", &info)) goto done;
    if (out == Py_None) {
        result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)info.original_size);
        if (result && PyObject_GetBuffer(result, &dst, PyBUF_SIMPLE)) Py_CLEAR(result);
    } else if (emz_py_output(out, &dst, info.original_size, "out") == 0) {
        result = Py_NewRef(out);
    }
    if (!result) goto done;
    /* Exactly original_size bytes are written: a larger out keeps the rest. */
    op o = {.kind = DECOMPRESS,
            .src = in.buf,
            .src_size = (size_t)in.len,
            .dst = dst.buf,
            .capacity = (size_t)info.original_size};
    if (run(c, &o)) Py_CLEAR(result);
done:
    if (dst.obj) PyBuffer_Release(&dst);
    PyBuffer_Release(&in);
    return result;
}

/* ---- batches ------------------------------------------------------------------------------ */

/* What a batch call holds: its jobs and the buffers they point into (inputs, then outputs). */
typedef struct batch {
    Py_ssize_t n, held;
    emz_block_job *jobs;
    Py_buffer *views; /* up to 2 n + 2 */
} batch;

static int batch_init(batch *b, Py_ssize_t n) {
    b->n = n, b->held = 0;
    b->jobs = PyMem_Calloc(n ? (size_t)n : 1, sizeof *b->jobs);
    b->views = PyMem_Calloc(2 * (size_t)n + 2, sizeof *b->views);
    if (b->jobs && b->views) return 0;
    PyErr_NoMemory();
    return -1;
}

static void batch_release(batch *b) {
    for (Py_ssize_t i = 0; i < b->held; i++)
        PyBuffer_Release(&b->views[i]);
    PyMem_Free(b->views);
    PyMem_Free(b->jobs);
}

/* A view of obj held until batch_release: readable, or writable for outputs. */
static Py_buffer *hold(batch *b, PyObject *obj, int writable, const char *what) {
    Py_buffer *v = &b->views[b->held];
    if (writable ? emz_py_output(obj, v, 0, what) : emz_py_input(obj, v, what)) return NULL;
    b->held++;
    return v;
}

static void set_slot(batch *b, Py_ssize_t i, int output, char *base, size_t size) {
    if (output)
        b->jobs[i].dst = base, b->jobs[i].dst_capacity = size;
    else
        b->jobs[i].src = base, b->jobs[i].src_size = size;
}

static int compare_offsets(const void *a, const void *b) {
    Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    return (x > y) - (x < y);
}

/* n offsets (a sequence of ints) of size-byte slots inside length bytes; outputs must not
 * overlap (threads write them at once). Returns a PyMem array, or NULL with an exception. */
static Py_ssize_t *parse_offsets(PyObject *seq, Py_ssize_t n, Py_ssize_t size, Py_ssize_t length,
                                 int output) {
    Py_ssize_t *at = PyMem_Calloc(n ? (size_t)n : 1, 2 * sizeof *at), *sorted = at + n;
    if (!at) return PyErr_NoMemory(), NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        at[i] = PyNumber_AsSsize_t(PySequence_Fast_GET_ITEM(seq, i), PyExc_OverflowError);
        if (at[i] == -1 && PyErr_Occurred()) goto fail;
        if (at[i] < 0 || at[i] > length || length - at[i] < size) {
            emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                                "offsets[%zd]: %zd + %zd bytes lie outside the %zd-byte buffer", i,
                                at[i], size, length);
            goto fail;
        }
    }
    memcpy(sorted, at, (size_t)n * sizeof *at);
    qsort(sorted, (size_t)n, sizeof *sorted, compare_offsets);
    for (Py_ssize_t i = 1; output && i < n; i++) {
        if (sorted[i] - sorted[i - 1] >= size) continue;
        emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                            "the output slots at offsets %zd and %zd (%zd bytes) overlap",
                            sorted[i - 1], sorted[i], size);
        goto fail;
    }
    return at;
fail:
    PyMem_Free(at);
    return NULL;
}

/* The batch's slots (job sources, or destinations when output): the items of a sequence of
 * buffers when offsets is None, else size bytes of the one buffer obj at each offset. */
static int set_slots(batch *b, PyObject *obj, PyObject *offsets, Py_ssize_t size, int output) {
    const char *what = output ? "out" : "src";
    if (offsets == Py_None) {
        PyObject *seq = PySequence_Fast(obj, output ? "out: expected a list of writable buffers"
                                                    : "src: expected a list of buffers");
        if (!seq) return -1;
        Py_ssize_t count = PySequence_Fast_GET_SIZE(seq), i = 0;
        if (count != b->n)
            emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT, "%s: %zd buffers for %zd blocks", what,
                                count, b->n);
        for (; count == b->n && i < count; i++) {
            char name[64];
            snprintf(name, sizeof name, "%s[%zd]", what, i);
            Py_buffer *v = hold(b, PySequence_Fast_GET_ITEM(seq, i), output, name);
            if (!v) break;
            set_slot(b, i, output, v->buf, (size_t)v->len);
        }
        Py_DECREF(seq);
        return count == b->n && i == count ? 0 : -1;
    }
    PyObject *seq = PySequence_Fast(offsets, "offsets: expected a list of ints");
    Py_buffer *v = seq ? hold(b, obj, output, what) : NULL;
    Py_ssize_t *at = NULL;
    if (v && size <= 0)
        emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT, "size=%zd: give the bytes of a slot", size);
    else if (v && PySequence_Fast_GET_SIZE(seq) != b->n)
        emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT, "%zd offsets for %zd blocks",
                            PySequence_Fast_GET_SIZE(seq), b->n);
    else if (v)
        at = parse_offsets(seq, b->n, size, v->len, output);
    for (Py_ssize_t i = 0; at && i < b->n; i++)
        set_slot(b, i, output, (char *)v->buf + at[i], (size_t)size);
    Py_XDECREF(seq);
    PyMem_Free(at);
    return at ? 0 : -1;
}

/* groups=: one int for every block, or a sequence of n ints. */
static int parse_groups(PyObject *obj, Py_ssize_t n, uint32_t *groups) {
    if (PyLong_Check(obj)) {
        uint32_t g;
        if (emz_py_u32(obj, UINT32_MAX, "groups", &g)) return -1;
        for (Py_ssize_t i = 0; i < n; i++)
            groups[i] = g;
        return 0;
    }
    PyObject *seq = PyUnicode_Check(obj) || PyBytes_Check(obj)
                        ? NULL
                        : PySequence_Fast(obj, "groups: expected an int or a list of ints");
    if (!seq) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "groups: expected an int or a list of ints, got %.200s",
                         Py_TYPE(obj)->tp_name);
        return -1;
    }
    int failed = PySequence_Fast_GET_SIZE(seq) != n;
    if (failed)
        emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT, "%zd groups for %zd blocks",
                            PySequence_Fast_GET_SIZE(seq), n);
    for (Py_ssize_t i = 0; !failed && i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "groups[%zd]", i);
        failed = emz_py_u32(PySequence_Fast_GET_ITEM(seq, i), UINT32_MAX, name, &groups[i]);
    }
    Py_DECREF(seq);
    return failed ? -1 : 0;
}

/* The number of blocks of a batch: len(list) or len(offsets). */
static Py_ssize_t batch_count(PyObject *list, PyObject *offsets, const char *what) {
    Py_ssize_t n = PyObject_Length(offsets != Py_None ? offsets : list);
    if (n < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: expected a list, got %.200s",
                     offsets != Py_None ? "offsets" : what,
                     Py_TYPE(offsets != Py_None ? offsets : list)->tp_name);
    }
    return n;
}

static PyObject *codec_compress_batch(codec_object *c, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"src", "dtype", "groups", "offsets", "size", NULL};
    PyObject *src, *dtype, *groups, *offsets = Py_None;
    Py_ssize_t size = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO|On:compress_batch", names, &src, &dtype,
                                     &groups, &offsets, &size))
        return NULL;
    op o = {.kind = COMPRESS_BATCH};
    if (emz_py_type(dtype, &o.type)) return NULL;
    Py_ssize_t n = batch_count(src, offsets, "src");
    batch b;
    if (n < 0 || batch_init(&b, n)) return NULL;
    uint32_t *group = PyMem_Calloc(n ? (size_t)n : 1, sizeof *group);
    PyObject *list = PyList_New(n);
    int failed =
        !group || !list || set_slots(&b, src, offsets, size, 0) || parse_groups(groups, n, group);
    for (Py_ssize_t i = 0; !failed && i < n; i++) {
        emz_block_job *j = &b.jobs[i];
        char name[64];
        snprintf(name, sizeof name, "src block %zd", i);
        PyObject *blob =
            check_block_size((Py_ssize_t)j->src_size, name)
                ? NULL
                : PyBytes_FromStringAndSize(NULL, (Py_ssize_t)j->src_size + IN_PLACE_ROOM);
        failed = !blob;
        if (blob) PyList_SET_ITEM(list, i, blob);
        if (blob) j->dst = PyBytes_AS_STRING(blob), j->dst_capacity = j->src_size + IN_PLACE_ROOM;
        j->group = group ? group[i] : 0;
    }
    if (!failed) o.jobs = b.jobs, o.count = (size_t)n, failed = run(c, &o);
    for (Py_ssize_t i = 0; !failed && i < n; i++) {
        PyObject *blob = PyList_GET_ITEM(list, i);
        failed = _PyBytes_Resize(&blob, (Py_ssize_t)b.jobs[i].written);
        PyList_SET_ITEM(list, i, blob);
    }
    if (!group && list) PyErr_NoMemory();
    if (failed) Py_CLEAR(list);
    PyMem_Free(group);
    batch_release(&b);
    return list;
}

/* Whether blob i, coded with the table set tagged `tag`, belongs to group g of these tables: the
 * library would decode a block of another group (the tag names a set it holds) into the wrong
 * slot, say layer 3's V into layer 5's K. */
static int check_group(const codec_object *c, Py_ssize_t i, const emz_block_info *info,
                       uint32_t g) {
    const emz_py_tables *t = (const emz_py_tables *)c->tables;
    uint64_t id = 0;
    if (g >= t->info.groups)
        return emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                                   "groups[%zd]: %" PRIu32 ", the tables have %" PRIu32 " groups",
                                   i, g, t->info.groups),
               -1;
    emz_tables_group_id(t->tables, g, &id);
    if (!info->has_tables || info->set_tag == (uint32_t)id) return 0;
    for (uint32_t h = 0; h < t->info.groups; h++) {
        if (emz_tables_group_id(t->tables, h, &id) != EMZ_OK || (uint32_t)id != info->set_tag)
            continue;
        emz_py_raise_detail(EMZ_ERROR_WRONG_TABLES,
                            "blob %zd was coded with group %" PRIu32 "'s table set (%08" PRIx32
                            "), not group %" PRIu32 "'s, of tables %016" PRIx64,
                            i, h, info->set_tag, g, t->info.id);
        return -1;
    }
    emz_py_raise_detail(EMZ_ERROR_WRONG_TABLES,
                        "blob %zd was coded with table set %08" PRIx32
                        " (its id's low 32 bits), which tables %016" PRIx64 " do not hold",
                        i, info->set_tag, t->info.id);
    return -1;
}

/* The blobs of decompress_batch, each to decode to exactly its slot (set before), of its group
 * when groups is not None. */
static int set_blobs(codec_object *c, batch *b, PyObject *seq, PyObject *groups) {
    uint32_t *group = NULL;
    if (groups != Py_None && !c->tables) {
        PyErr_SetString(PyExc_TypeError, "groups: this codec has no tables");
        return -1;
    }
    if (groups != Py_None) group = PyMem_Calloc(b->n ? (size_t)b->n : 1, sizeof *group);
    if (groups != Py_None && !group) return PyErr_NoMemory(), -1;
    int failed = group && parse_groups(groups, b->n, group);
    for (Py_ssize_t i = 0; !failed && i < b->n; i++) {
        char name[64];
        emz_block_info info;
        snprintf(name, sizeof name, "blobs[%zd]", i);
        Py_buffer *v = hold(b, PySequence_Fast_GET_ITEM(seq, i), 0, name);
        failed =
            !v || block_header(v, name, &info) || (group && check_group(c, i, &info, group[i]));
        if (failed) break;
        set_slot(b, i, 0, v->buf, (size_t)v->len);
        if (info.original_size == b->jobs[i].dst_capacity) continue;
        emz_py_raise_detail(EMZ_ERROR_INVALID_ARGUMENT,
                            "%s decodes to %llu bytes; its slot in out has %zu", name,
                            (unsigned long long)info.original_size, b->jobs[i].dst_capacity);
        failed = 1;
    }
    PyMem_Free(group);
    return failed ? -1 : 0;
}

static PyObject *codec_decompress_batch(codec_object *c, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"blobs", "out", "offsets", "size", "groups", NULL};
    PyObject *blobs, *out, *offsets = Py_None, *groups = Py_None;
    Py_ssize_t size = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|On$O:decompress_batch", names, &blobs, &out,
                                     &offsets, &size, &groups))
        return NULL;
    PyObject *seq = PySequence_Fast(blobs, "blobs: expected a list of bytes-like objects");
    if (!seq) return NULL;
    batch b;
    int failed = batch_init(&b, PySequence_Fast_GET_SIZE(seq)) ||
                 set_slots(&b, out, offsets, size, 1) || set_blobs(c, &b, seq, groups);
    if (!failed) {
        op o = {.kind = DECOMPRESS_BATCH, .jobs = b.jobs, .count = (size_t)b.n};
        failed = run(c, &o);
    }
    batch_release(&b);
    Py_DECREF(seq);
    if (failed) return NULL;
    Py_RETURN_NONE;
}

static PyObject *codec_get(codec_object *c, void *field) {
    if (field) return PyLong_FromLongLong((long long)c->threads);
    return Py_NewRef(c->tables ? c->tables : Py_None);
}

static PyGetSetDef codec_getset[] = {
    {"tables", (getter)codec_get, NULL, "The Tables blocks are coded with (or None).", NULL},
    {"threads", (getter)codec_get, NULL, "Threads of the batch calls (0: one per processor).",
     (void *)1},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef codec_methods[] = {
    {"compress", (PyCFunction)(void (*)(void))codec_compress, METH_VARARGS | METH_KEYWORDS,
     "compress(data, dtype, group=0) -> bytes: one block of 1 byte to 16 MiB."},
    {"decompress", (PyCFunction)(void (*)(void))codec_decompress, METH_VARARGS | METH_KEYWORDS,
     "decompress(blob, out=None) -> bytes, or out with its first original-size bytes written."},
    {"compress_batch", (PyCFunction)(void (*)(void))codec_compress_batch,
     METH_VARARGS | METH_KEYWORDS,
     "compress_batch(src, dtype, groups, offsets=None, size=0) -> list of bytes: src is a list "
     "of buffers, or with offsets one buffer holding a size-byte block at each offset; groups "
     "an int or a list."},
    {"decompress_batch", (PyCFunction)(void (*)(void))codec_decompress_batch,
     METH_VARARGS | METH_KEYWORDS,
     "decompress_batch(blobs, out, offsets=None, size=0, *, groups=None): out is a list of "
     "writable buffers, or with offsets one writable buffer with a size-byte slot at each "
     "(disjoint) offset; each blob must decode to exactly its slot, and with groups be of that "
     "group's table set. On failure the slots' contents are unspecified (others untouched)."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject emz_py_block_codec_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "emzip._core.BlockCodec",
    .tp_basicsize = sizeof(codec_object),
    .tp_dealloc = (destructor)codec_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "BlockCodec(tables=None, *, threads=None, checksum=False, verify=True, impl=None, "
              "block_size=0): compresses and decompresses blocks (emz_block_ctx). Calls from "
              "several threads on one codec run one at a time.",
    .tp_methods = codec_methods,
    .tp_getset = codec_getset,
    .tp_new = codec_new,
};

static PyObject *py_block_info(PyObject *self, PyObject *blob) {
    (void)self;
    Py_buffer in;
    emz_block_info info;
    if (emz_py_input(blob, &in, "blob")) return NULL;
    int failed = block_header(&in, "blob", &info);
    PyBuffer_Release(&in);
    if (failed) return NULL;
    return Py_BuildValue("{s:s,s:K,s:k,s:O,s:O}", "dtype", emz_type_name(info.type),
                         "original_size", (unsigned long long)info.original_size, "set_tag",
                         (unsigned long)info.set_tag, "has_tables",
                         info.has_tables ? Py_True : Py_False, "has_checksum",
                         info.has_checksum ? Py_True : Py_False);
}

/* For the Python layer's own checks: the same emzip.Error as the library's statuses give. */
static PyObject *py_raise_error(PyObject *self, PyObject *args) {
    (void)self;
    const char *name, *detail;
    if (!PyArg_ParseTuple(args, "ss:raise_error", &name, &detail)) return NULL;
    for (int code = 1; code < 64; code++)
        if (strcmp(emz_error_name((emz_status)code), name) == 0)
            return emz_py_raise((emz_status)code, detail);
    return PyErr_Format(PyExc_ValueError, "raise_error: no status named '%.100s'", name);
}

PyMethodDef emz_py_kv_methods[] = {
    {"block_info", py_block_info, METH_O,
     "block_info(blob) -> dict: dtype, original_size, set_tag, has_tables, has_checksum."},
    {"raise_error", py_raise_error, METH_VARARGS,
     "raise_error(status, detail): raises emzip.Error for a status name ('wrong_tables'...)."},
    {NULL, NULL, 0, NULL},
};
