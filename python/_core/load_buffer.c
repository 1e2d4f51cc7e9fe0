/* load_buffer.c - the memory a whole checkpoint is decoded into (load_file): mapped pages,
 * kept for the next load when the caller frees the tensors, instead of malloc's.
 *
 * Why not malloc: fresh memory is costly to fault in. Here 12.5 MB of new 4 KiB pages took
 * 33 ms to touch, eight times the 4 ms the decode takes; glibc reuses its main heap's pages
 * for the next load, but the heaps of other threads hand theirs back on free, so two Python
 * threads loading at once faulted in every buffer again (0.25x the speed of loading one after
 * the other). Kept pages cost nothing the next time, whichever thread loads; new ones are
 * advised for huge pages (6 ms for the same 12.5 MB), as numpy does for its large arrays.
 *
 * What is kept is bounded: at most POOL_SLOTS buffers of at most POOL_MAX_BYTES each, freed by
 * release_buffers(). The pool is touched only with the GIL held (a buffer is freed when its
 * last tensor is, and dlpack.c's deleter takes the GIL first). */
#include "core.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define POOL_SLOTS 2
#define POOL_MAX_BYTES ((size_t)256 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

typedef struct {
    void *map;  /* the mapping, as mmap returned it */
    size_t len; /* its length */
    uint8_t *data;
    size_t cap; /* usable bytes from data */
} region;

typedef struct {
    PyObject_HEAD region r;
    Py_ssize_t size; /* bytes exported */
} load_buffer;

static region pool[POOL_SLOTS];

static void region_unmap(region *r) {
    if (r->map) munmap(r->map, r->len);
    *r = (region){0};
}

/* A mapping of at least size bytes; from 2 MiB on, started at a huge-page boundary and advised
 * for huge pages (a kernel without them ignores the advice). */
static int region_map(region *r, size_t size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t huge = size >= HUGE_PAGE ? HUGE_PAGE : 0;
    size_t cap = (size + page - 1) / page * page;
    if (cap < size || cap + huge < cap) return -1;
    size_t len = cap + huge;
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) return -1;
    uint8_t *data = map;
    if (huge) {
        data = (uint8_t *)(((uintptr_t)map + huge - 1) & ~(uintptr_t)(huge - 1));
#ifdef MADV_HUGEPAGE
        madvise(data, cap, MADV_HUGEPAGE);
#endif
    }
    *r = (region){map, len, data, cap};
    return 0;
}

/* The smallest kept region that holds size bytes, taken out of the pool (1); else 0, with every
 * kept region moved into `small` for the caller to unmap before it maps a new one (a load of a
 * larger checkpoint would otherwise leave the memory of the smaller ones idle beside its own). */
static int region_take(region *r, size_t size, region small[POOL_SLOTS]) {
    int best = -1;
    for (int i = 0; i < POOL_SLOTS; i++)
        if (pool[i].map && pool[i].cap >= size && (best < 0 || pool[i].cap < pool[best].cap))
            best = i;
    if (best >= 0) {
        *r = pool[best];
        pool[best] = (region){0};
        return 1;
    }
    for (int i = 0; i < POOL_SLOTS; i++) {
        small[i] = pool[i];
        pool[i] = (region){0};
    }
    return 0;
}

/* Keeps r for the next load when it is small enough, in a free slot or in place of the smallest
 * kept region if r is larger. Returns what is not kept (r, or the region it displaced; zeroed
 * when none), for the caller to unmap without the GIL. */
static region region_give(region *r) {
    region out = *r;
    *r = (region){0};
    if (!out.map || out.cap > POOL_MAX_BYTES) return out;
    int slot = 0;
    for (int i = 0; i < POOL_SLOTS; i++) {
        if (!pool[i].map) {
            slot = i;
            break;
        }
        if (pool[i].cap < pool[slot].cap) slot = i;
    }
    if (pool[slot].map && pool[slot].cap >= out.cap) return out;
    region displaced = pool[slot];
    pool[slot] = out;
    return displaced;
}

/* Unmapping hundreds of MiB takes milliseconds: other Python threads run meanwhile. */
static void region_unmap_released(region *r) {
    if (!r->map) return;
    Py_BEGIN_ALLOW_THREADS;
    region_unmap(r);
    Py_END_ALLOW_THREADS;
}

static void load_buffer_dealloc(load_buffer *b) {
    region unused = region_give(&b->r);
    Py_TYPE(b)->tp_free((PyObject *)b);
    region_unmap_released(&unused);
}

/* A view holds a reference to the buffer, so the memory stays while any view does. */
static int load_buffer_get(load_buffer *b, Py_buffer *view, int flags) {
    return PyBuffer_FillInfo(view, (PyObject *)b, b->r.data, b->size, 0, flags);
}

static PyBufferProcs load_buffer_procs = {.bf_getbuffer = (getbufferproc)load_buffer_get};

PyTypeObject emz_py_load_buffer_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "emzip._core.LoadBuffer",
    .tp_basicsize = sizeof(load_buffer),
    .tp_dealloc = (destructor)load_buffer_dealloc,
    .tp_as_buffer = &load_buffer_procs,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "LoadBuffer(size): size writable bytes (their content undefined) for a checkpoint to "
              "be decoded into; its pages are kept for the next load once it is freed.",
};

PyObject *emz_py_load_buffer(Py_ssize_t size) {
    if (size < 0) {
        PyErr_SetString(PyExc_ValueError, "LoadBuffer: negative size");
        return NULL;
    }
    load_buffer *b = PyObject_New(load_buffer, &emz_py_load_buffer_type);
    if (!b) return NULL;
    b->size = size;
    b->r = (region){0};
    region small[POOL_SLOTS];
    size_t need = size ? (size_t)size : 1;
    if (region_take(&b->r, need, small)) return (PyObject *)b;
    int failed;
    Py_BEGIN_ALLOW_THREADS; /* munmap and mmap (with madvise) need no GIL */
    for (int i = 0; i < POOL_SLOTS; i++)
        region_unmap(&small[i]);
    failed = region_map(&b->r, need);
    Py_END_ALLOW_THREADS;
    if (failed) {
        b->r = (region){0};
        Py_DECREF(b);
        return PyErr_NoMemory();
    }
    return (PyObject *)b;
}

static PyObject *load_buffer_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    (void)type;
    Py_ssize_t size;
    static char *names[] = {"size", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "n:LoadBuffer", names, &size)) return NULL;
    return emz_py_load_buffer(size);
}

static PyObject *release_buffers(PyObject *self, PyObject *unused) {
    (void)self, (void)unused;
    region taken[POOL_SLOTS];
    size_t freed = 0;
    for (int i = 0; i < POOL_SLOTS; i++) {
        freed += pool[i].cap;
        taken[i] = pool[i];
        pool[i] = (region){0};
    }
    Py_BEGIN_ALLOW_THREADS; /* unmapping hundreds of MiB takes a while: not under the GIL */
    for (int i = 0; i < POOL_SLOTS; i++)
        region_unmap(&taken[i]);
    Py_END_ALLOW_THREADS;
    return PyLong_FromSize_t(freed);
}

PyMethodDef emz_py_load_buffer_methods[] = {
    {"release_buffers", release_buffers, METH_NOARGS,
     "release_buffers() -> int: unmaps the memory load_file keeps from loads whose tensors were "
     "freed (at most two buffers of up to 256 MiB each), returning how many bytes that was."},
    {NULL, NULL, 0, NULL},
};

int emz_py_load_buffer_ready(void) {
    emz_py_load_buffer_type.tp_new = load_buffer_new;
    return PyType_Ready(&emz_py_load_buffer_type);
}
