/* delta_plan.h - which segments of a checkpoint are stored against a base checkpoint
 * (emz_compress_safetensors_delta; FORMAT.md, "Delta segments"), and the safetensors header
 * of a source. */
#ifndef EMZ_DELTA_PLAN_H
#define EMZ_DELTA_PLAN_H

#include "emzip.h"
#include "engine/writer.h"
#include "format/safetensors_header.h"

/* Reads and parses the safetensors header of src into h; a malformed one fails with
 * EMZ_ERROR_BAD_SAFETENSORS and says why in detail (EMZ_DETAIL_SIZE bytes). */
emz_status emz_st_read_source(const emz_source *src, emz_st_header *h, char *detail);

/* For each segment of a tensor of h (the new checkpoint, read from src) whose base (base,
 * header bh) has a tensor of the same name, dtype and shape: SAME when its bytes are the
 * base's, else DIFF; with the base tensor's offset and digest. Other segments stay NONE. */
emz_status emz_delta_plan(const emz_st_header *h, const emz_source *src, const emz_st_header *bh,
                          const emz_source *base, emz_segment *seg, size_t n,
                          emz_delta_summary *summary);

#endif
