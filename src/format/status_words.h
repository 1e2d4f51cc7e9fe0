/* status_words.h - a status in a word or two, for the detail messages of format and engine
 * code (the sentences of api/errors.c belong to the api layer, which they may not call:
 * scripts/check-structure.py). */
#ifndef EMZ_STATUS_WORDS_H
#define EMZ_STATUS_WORDS_H

#include "emzip.h"

const char *emz_status_words(emz_status status);

#endif
