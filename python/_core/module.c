/* module.c - the emzip._core module: gathers the functions of codec.c, files.c, load.c,
 * load_buffer.c and kv.c, the Reader type of reader.c, the LoadBuffer type of load_buffer.c, the
 * Tables and BlockCodec types of kv_tables.c and kv.c, and creates emzip.Error. The Python
 * package emzip/ is the public face. */
#include "core.h"

#include <string.h>

static PyMethodDef module_methods[16];

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "emzip._core",
    .m_doc = "The C layer of emzip: frames, containers and readers (see the emzip package).",
    .m_size = -1,
    .m_methods = module_methods,
};

/* Concatenates the files' method tables (each ends with a zeroed entry); -1 with SystemError
 * when they do not fit module_methods (a method would be missing from the module). */
static int gather_methods(void) {
    const PyMethodDef *tables[] = {emz_py_codec_methods, emz_py_file_methods, emz_py_load_methods,
                                   emz_py_load_buffer_methods, emz_py_kv_methods};
    size_t n = 0;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const PyMethodDef *m = tables[t]; m->ml_name; m++) {
            if (n + 1 == sizeof module_methods / sizeof module_methods[0]) {
                PyErr_SetString(PyExc_SystemError, "emzip._core: module_methods is too small");
                return -1;
            }
            module_methods[n++] = *m;
        }
    memset(&module_methods[n], 0, sizeof module_methods[n]);
    return 0;
}

PyMODINIT_FUNC PyInit__core(void) {
    if (gather_methods() < 0) return NULL;
    if (PyType_Ready(&emz_py_reader_type) < 0 || PyType_Ready(&emz_py_tables_type) < 0 ||
        PyType_Ready(&emz_py_block_codec_type) < 0 || emz_py_load_buffer_ready() < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
    /* Class-level defaults, for the errors the Python layer raises without a status. */
    PyObject *defaults = Py_BuildValue("{s:O,s:O,s:s,s:s}", "status", Py_None, "code", Py_None,
                                       "message", "", "detail", "");
    if (!defaults) return Py_DECREF(m), NULL;
    emz_py_error = PyErr_NewExceptionWithDoc(
        "emzip.Error",
        "An emzip failure: .status is the library's status name (e.g. 'checksum'), .code its "
        "number, .message the library's sentence, .detail what the context adds (a tensor "
        "name...).",
        PyExc_ValueError, defaults);
    Py_DECREF(defaults);
    if (!emz_py_error || PyModule_AddObjectRef(m, "Error", emz_py_error) < 0 ||
        PyModule_AddObjectRef(m, "Reader", (PyObject *)&emz_py_reader_type) < 0 ||
        PyModule_AddObjectRef(m, "Tables", (PyObject *)&emz_py_tables_type) < 0 ||
        PyModule_AddObjectRef(m, "BlockCodec", (PyObject *)&emz_py_block_codec_type) < 0 ||
        PyModule_AddObjectRef(m, "LoadBuffer", (PyObject *)&emz_py_load_buffer_type) < 0 ||
        PyModule_AddStringConstant(m, "library_version", emz_version_string()) < 0 ||
        PyModule_AddStringConstant(m, "impl", emz_impl_name(emz_impl_default())) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
