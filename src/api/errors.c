/* errors.c - status names and messages, and the version string. */
#include "emzip.h"

static const char *const status_names[] = {
    [EMZ_OK] = "ok",
    [EMZ_ERROR_INVALID_ARGUMENT] = "invalid_argument",
    [EMZ_ERROR_DST_TOO_SMALL] = "dst_too_small",
    [EMZ_ERROR_NO_MEMORY] = "no_memory",
    [EMZ_ERROR_NOT_EMZIP] = "not_emzip",
    [EMZ_ERROR_UNSUPPORTED_VERSION] = "unsupported_version",
    [EMZ_ERROR_TRUNCATED] = "truncated",
    [EMZ_ERROR_CORRUPT] = "corrupt",
    [EMZ_ERROR_CHECKSUM] = "checksum",
    [EMZ_ERROR_RANGE] = "range",
    [EMZ_ERROR_IMPL_UNAVAILABLE] = "impl_unavailable",
    [EMZ_ERROR_BAD_SAFETENSORS] = "bad_safetensors",
    [EMZ_ERROR_IO] = "io",
    [EMZ_ERROR_CANCELLED] = "cancelled",
};

static const char *const status_messages[] = {
    [EMZ_OK] = "success",
    [EMZ_ERROR_INVALID_ARGUMENT] = "invalid argument",
    [EMZ_ERROR_DST_TOO_SMALL] = "output buffer too small",
    [EMZ_ERROR_NO_MEMORY] = "out of memory",
    [EMZ_ERROR_NOT_EMZIP] = "not an emzip frame (bad magic number)",
    [EMZ_ERROR_UNSUPPORTED_VERSION] = "emzip format version not supported by this library",
    [EMZ_ERROR_TRUNCATED] = "input is truncated",
    [EMZ_ERROR_CORRUPT] = "compressed data is corrupt or truncated",
    [EMZ_ERROR_CHECKSUM] = "checksum mismatch: decompressed data is corrupt",
    [EMZ_ERROR_RANGE] = "requested range lies outside the data",
    [EMZ_ERROR_IMPL_UNAVAILABLE] = "implementation not available on this CPU or build",
    [EMZ_ERROR_BAD_SAFETENSORS] = "the input is not a valid safetensors file",
    [EMZ_ERROR_IO] = "reading the input or writing the output failed",
    [EMZ_ERROR_CANCELLED] = "the operation was cancelled",
};

#define STATUS_COUNT (sizeof status_names / sizeof status_names[0])
_Static_assert(sizeof status_messages == sizeof status_names, "a name and a message per status");

const char *emz_error_name(emz_status status) {
    return (unsigned)status < STATUS_COUNT ? status_names[status] : "unknown";
}

const char *emz_error_message(emz_status status) {
    return (unsigned)status < STATUS_COUNT ? status_messages[status] : "unknown error";
}

const char *emz_version_string(void) {
    return EMZ_VERSION_STRING;
}
