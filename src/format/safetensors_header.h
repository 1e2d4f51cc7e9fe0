/* safetensors_header.h - parsing and checking the JSON header of a safetensors file. */
#ifndef EMZ_SAFETENSORS_HEADER_H
#define EMZ_SAFETENSORS_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "emzip.h" /* emz_type, emz_status */

#define EMZ_ST_MAX_HEADER ((uint64_t)100 << 20) /* safetensors' own limit: 100 MB */
#define EMZ_ST_MAX_DIMS 16

typedef struct emz_st_tensor {
    char *name;     /* unescaped UTF-8, NUL-terminated (a \u0000 in a name is refused) */
    char dtype[12]; /* as spelled in the header, e.g. "BF16" */
    unsigned dims;
    uint64_t shape[EMZ_ST_MAX_DIMS];
    uint64_t begin, end; /* data_offsets, relative to the data region */
    emz_type type;       /* how emzip stores it: emz_st_storage_type(name, dtype) */
} emz_st_tensor;

typedef struct emz_st_header {
    uint64_t json_size;  /* N */
    uint64_t data_start; /* 8 + N */
    size_t count;
    emz_st_tensor *tensors; /* sorted by begin (ties: by end, then by name) */
} emz_st_header;

/* Parses json (json_size bytes, the N bytes after the 8-byte length) of a file whose data region
 * holds data_size bytes. The JSON must be an object of tensors (plus an optional "__metadata__"
 * of any JSON value, nested at most 64 deep), followed by whitespace only. Each tensor needs
 * exactly "dtype", "shape" and "data_offsets"; its size must match its offsets, which must lie
 * in the data region; tensor names are unique and non-empty ranges do not overlap. Gaps between
 * tensors are allowed.
 *
 * On failure returns EMZ_ERROR_BAD_SAFETENSORS, leaves *out empty (nothing to free) and writes a
 * one-line message of at most why_cap bytes (NUL-terminated, why may be NULL) that names the
 * tensor and the problem, e.g.
 *   tensor "model.layers.0.mlp.w": data_offsets [0, 100] end beyond the data region (96 bytes)
 *   tensor "a": shape [2, 3] of BF16 is 12 bytes but data_offsets span 10
 *   tensor "a": unknown dtype "Q4"
 *   tensors "a" and "b" overlap: [0, 64] and [32, 96]
 *   header is not valid JSON at byte 17: expected ',' or '}'  (0-based, from the first JSON byte)
 *   header is not a JSON object
 * (No file name: the caller prefixes it.) Names are shown JSON-escaped, long ones as head...tail.
 * EMZ_ERROR_NO_MEMORY on allocation failure, EMZ_ERROR_INVALID_ARGUMENT if out is NULL or json
 * is NULL with json_size > 0. On success why (if given) is "". Linear time in json_size, plus
 * O(n log n) in the number of tensors. */
emz_status emz_st_parse(const uint8_t *json, size_t json_size, uint64_t data_size,
                        emz_st_header *out, char *why, size_t why_cap);
/* Frees what emz_st_parse allocated and empties *h; h may be NULL or already empty. */
void emz_st_free(emz_st_header *h);

/* The official safetensors dtypes and their bits per element (BOOL 8 ... F4 4, F6_* 6, C64 64);
 * exact, case-sensitive spelling. EMZ_ERROR_BAD_SAFETENSORS if unknown. */
emz_status emz_st_dtype_bits(const char *dtype, unsigned *bits);
/* How emzip stores a tensor: BF16, F16, F32, F8_E4M3, F8_E5M2 and F4 as their emzip types; U8
 * named "*.blocks" (MXFP4 as in gpt-oss: two E2M1 values per byte) as EMZ_TYPE_FP4_E2M1;
 * everything else, including F8_E8M0 and U8 "*.scales", as EMZ_TYPE_BYTES. */
emz_type emz_st_storage_type(const char *name, const char *dtype);

#endif
