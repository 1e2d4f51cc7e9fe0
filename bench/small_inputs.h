/* small_inputs.h - decompression speed of small frames (bench only).
 *
 * A caller that decompresses one 4 KiB tensor pays the per-frame costs (header, index,
 * checksum, decoder tables) on 4 KiB of output; on a whole-model frame they vanish. This
 * section cuts one group's data into consecutive slices of 4 KiB, 64 KiB and 1 MiB, compresses
 * each slice as its own frame, and times decompressing all of them, beside one frame of the
 * whole group, per implementation (interleaved). */
#ifndef EMZIP_BENCH_SMALL_INPUTS_H
#define EMZIP_BENCH_SMALL_INPUTS_H

#include "results.h"

/* Measures type t's data[0..size) (one group's tensors, concatenated) and appends one
 * small_row per implementation to fr->srows. Every implementation's round trip of every frame
 * is checked first; a failure is printed and returns -1. */
int small_bench_group(file_result *fr, int group, const uint8_t *data, size_t size, emz_type t,
                      const bench_opts *o);

#endif
