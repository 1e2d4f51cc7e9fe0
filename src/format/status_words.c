/* status_words.c - the words of status_words.h. */
#include "format/status_words.h"

const char *emz_status_words(emz_status status) {
    switch (status) {
    case EMZ_ERROR_NOT_EMZIP:
        return "bad magic";
    case EMZ_ERROR_UNSUPPORTED_VERSION:
        return "unsupported version";
    case EMZ_ERROR_TRUNCATED:
        return "truncated";
    case EMZ_ERROR_CORRUPT:
        return "corrupt";
    case EMZ_ERROR_CHECKSUM:
        return "checksum mismatch";
    case EMZ_ERROR_NO_MEMORY:
        return "out of memory";
    default:
        return "invalid";
    }
}
