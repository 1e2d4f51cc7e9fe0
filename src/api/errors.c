/* errors.c - status names and messages, and the version string. */
#include "emzip.h"

/* One row per status: its name (for logs and scripts) and its message (for people). */
static const struct {
    const char *name, *message;
} statuses[] = {
    [EMZ_OK] = {"ok", "success"},
    [EMZ_ERROR_INVALID_ARGUMENT] = {"invalid_argument", "invalid argument"},
    [EMZ_ERROR_DST_TOO_SMALL] = {"dst_too_small", "output buffer too small"},
    [EMZ_ERROR_NO_MEMORY] = {"no_memory", "out of memory"},
    [EMZ_ERROR_NOT_EMZIP] = {"not_emzip", "not an emzip frame (bad magic number)"},
    [EMZ_ERROR_UNSUPPORTED_VERSION] = {"unsupported_version",
                                       "emzip format version not supported by this library"},
    [EMZ_ERROR_TRUNCATED] = {"truncated", "input is truncated"},
    [EMZ_ERROR_CORRUPT] = {"corrupt", "compressed data is corrupt or truncated"},
    [EMZ_ERROR_CHECKSUM] = {"checksum", "checksum mismatch: decompressed data is corrupt"},
    [EMZ_ERROR_RANGE] = {"range", "requested range lies outside the data"},
    [EMZ_ERROR_IMPL_UNAVAILABLE] = {"impl_unavailable",
                                    "implementation not available on this CPU or build"},
    [EMZ_ERROR_BAD_SAFETENSORS] = {"bad_safetensors", "the input is not a valid safetensors file"},
    [EMZ_ERROR_IO] = {"io", "reading the input or writing the output failed"},
    [EMZ_ERROR_CANCELLED] = {"cancelled", "the operation was cancelled"},
    [EMZ_ERROR_LIMIT] = {"limit", "a memory or output size limit would be exceeded"},
    [EMZ_ERROR_WRONG_TABLES] = {"wrong_tables",
                                "the data was coded with other tables, or the tables are for "
                                "another type or layout"},
    [EMZ_ERROR_WRONG_BASE] = {"wrong_base",
                              "the file is a delta: it needs the base checkpoint it was "
                              "compressed against, and that base was not given or differs"},
};

#define STATUS_COUNT (sizeof statuses / sizeof statuses[0])

const char *emz_error_name(emz_status status) {
    return (unsigned)status < STATUS_COUNT ? statuses[status].name : "unknown";
}

const char *emz_error_message(emz_status status) {
    return (unsigned)status < STATUS_COUNT ? statuses[status].message : "unknown error";
}

const char *emz_version_string(void) {
    return EMZ_VERSION_STRING;
}
