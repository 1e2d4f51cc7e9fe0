/* base.c - the base checkpoint of a delta, given from Python (compress_safetensors(base=),
 * Reader.set_base, load_torch(base=)): a Reader of the compressed base, a buffer holding the
 * base's bytes (bytes, a mmap, a numpy array), or a file descriptor read with pread. The object
 * is kept alive, and a buffer's view held, for as long as the library may read it. */
#include "core.h"

#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>

int emz_py_base_open(PyObject *obj, emz_py_base *base) {
    *base = (emz_py_base){0};
    emz_reader *reader = emz_py_reader_use(obj);
    if (reader) {
        base->reader = 1; /* not closed while in use: emz_py_base_release lets it go */
        emz_reader_source(reader, &base->src);
    } else if (PyLong_Check(obj) && !PyBool_Check(obj)) {
        long n = PyLong_AsLong(obj);
        if (n == -1 && PyErr_Occurred()) return -1;
        if (n < 0 || n > INT_MAX) return PyErr_SetString(PyExc_ValueError, "base: bad fd"), -1;
        struct stat st;
        if (fstat((int)n, &st) != 0) return PyErr_SetFromErrno(PyExc_OSError), -1;
        base->src = (emz_source){emz_py_fd_read, (void *)(intptr_t)n, (uint64_t)st.st_size};
    } else if (PyObject_CheckBuffer(obj)) {
        if (emz_py_input(obj, &base->view, "base")) return -1;
        base->src = (emz_source){emz_py_memory_read, base->view.buf, (uint64_t)base->view.len};
        base->memory = 1;
    } else if (PyErr_Occurred()) {
        return -1; /* a closed Reader */
    } else {
        PyErr_Format(PyExc_TypeError,
                     "base must be an emzip Reader, a buffer of the base's bytes or a file "
                     "descriptor, not %.100s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    Py_INCREF(obj);
    base->obj = obj;
    return 0;
}

emz_status emz_py_base_attach(const emz_py_base *base, emz_reader *reader) {
    return base->memory ? emz_reader_set_base_memory(reader, base->view.buf, (size_t)base->view.len)
                        : emz_reader_set_base(reader, &base->src);
}

void emz_py_base_release(emz_py_base *base) {
    if (base->view.obj) PyBuffer_Release(&base->view);
    if (base->reader) emz_py_reader_unuse(base->obj);
    Py_CLEAR(base->obj);
    *base = (emz_py_base){0};
}
