/* pipeline.h - items produced in parallel, consumed in order (chunks encoded or decoded by
 * workers, written out in file order by the calling thread). */
#ifndef EMZ_PIPELINE_H
#define EMZ_PIPELINE_H

#include "emzip.h"

#include <stdint.h>

/* Produces item into slot (item % slots) on worker (0..workers-1; no two concurrent calls
 * share a worker). */
typedef emz_status (*emz_produce_fn)(void *ctx, unsigned worker, uint64_t item, unsigned slot);
/* Consumes item from its slot; called on the calling thread, items in increasing order. */
typedef emz_status (*emz_consume_fn)(void *ctx, uint64_t item, unsigned slot);

/* Runs produce for items 0..items-1 on workers-1 threads plus the calling thread, and consume
 * for each in order on the calling thread as soon as it is produced. At most `slots` items are
 * produced ahead of the next one to consume, so memory is bounded by the slots whatever the
 * item count. The calling thread consumes when it can and produces otherwise, so no core idles
 * while the writer waits and no writer waits while a core could write. Each worker takes the
 * next item under one mutex: a few hundred nanoseconds against tens of microseconds of work per
 * chunk. The first error stops the run and is returned. */
emz_status emz_pipeline_run(unsigned workers, uint64_t items, unsigned slots,
                            emz_produce_fn produce, emz_consume_fn consume, void *ctx);

#endif
