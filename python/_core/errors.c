/* errors.c - emzip.Error: the library's status name and message, and the context's detail. */
#include "core.h"

#include <stdarg.h>
#include <stdio.h>

PyObject *emz_py_error;

PyObject *emz_py_raise(emz_status status, const char *detail) {
    if (!detail) detail = "";
    const char *message = emz_error_message(status);
    PyObject *text =
        detail[0] ? PyUnicode_FromFormat("%s: %s", message, detail) : PyUnicode_FromString(message);
    if (!text) return NULL;
    PyObject *exc = PyObject_CallOneArg(emz_py_error, text);
    Py_DECREF(text);
    if (!exc) return NULL;
    /* The status name is what scripts test (e.g. "checksum"); the rest is for people. */
    PyObject *name = PyUnicode_FromString(emz_error_name(status));
    PyObject *code = PyLong_FromLong((long)status);
    PyObject *msg = PyUnicode_FromString(message);
    PyObject *det = PyUnicode_FromString(detail);
    if (name && code && msg && det && PyObject_SetAttrString(exc, "status", name) == 0 &&
        PyObject_SetAttrString(exc, "code", code) == 0 &&
        PyObject_SetAttrString(exc, "message", msg) == 0 &&
        PyObject_SetAttrString(exc, "detail", det) == 0)
        PyErr_SetObject(emz_py_error, exc);
    Py_XDECREF(name);
    Py_XDECREF(code);
    Py_XDECREF(msg);
    Py_XDECREF(det);
    Py_DECREF(exc);
    return NULL;
}

PyObject *emz_py_raise_detail(emz_status status, const char *format, ...) {
    char detail[512];
    va_list args;
    va_start(args, format);
    vsnprintf(detail, sizeof detail, format, args);
    va_end(args);
    return emz_py_raise(status, detail);
}
