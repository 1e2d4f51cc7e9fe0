/* bytegroup_file.h - byte-group Huffman beside emzip on one file: the baseline per tensor, per
 * dtype stream and for the whole checkpoint, and the size of emzip's container (bench only). */
#ifndef EMZIP_BENCH_BYTEGROUP_FILE_H
#define EMZIP_BENCH_BYTEGROUP_FILE_H

#include "bytegroup.h"
#include "format/safetensors_header.h"
#include "results.h"
#include "stream_mode.h"

typedef struct bg_file {
    bg_set tensors; /* one unit per tensor, typed like emzip's per-tensor frames (timed) */
    bg_set streams; /* one unit per emzip-stream buffer (timed) */
    bg_set rest;    /* the 8 + N header bytes and any bytes between or after the tensors */
} bg_file;

/* Builds the three sets over the file image buf (header h, streams ss), round-trips each once
 * and fills fr's byte-group figures (bg_tensor_bytes, bg_stream_bytes, bg_checkpoint_bytes,
 * streams[].bg_bytes). -1 with a message in err if a round trip fails. */
int bg_file_setup(bg_file *b, const uint8_t *buf, size_t size, const emz_st_header *h,
                  const stream_set *ss, file_result *fr, char *err, size_t errlen);
void bg_file_free(bg_file *b);

/* What `emzip compress FILE` writes: the container of buf made with cctx
 * (emz_compress_safetensors), loaded back with dctx and compared with buf. Fills
 * fr->container_bytes; -1 with a message in err on any failure. */
int container_measure(emz_cctx *cctx, emz_dctx *dctx, const uint8_t *buf, size_t size,
                      file_result *fr, char *err, size_t errlen);

#endif
