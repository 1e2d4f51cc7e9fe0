/* safetensors_scan.h - a small, bounds-checked reader of safetensors headers (bench only).
 *
 * A safetensors file is: an 8-byte little-endian header length N, N bytes of JSON (an object
 * mapping tensor names to {"dtype", "shape", "data_offsets"}, plus an optional "__metadata__"
 * object), then the data; data_offsets are [begin, end) relative to byte 8 + N.
 * st_scan() reads only what the benchmark needs (name, dtype, shape, offsets) and checks every
 * offset against the bytes actually present. It never reads outside [buf, buf + size).
 */
#ifndef EMZIP_BENCH_SAFETENSORS_SCAN_H
#define EMZIP_BENCH_SAFETENSORS_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct st_tensor {
    char *name;          /* NUL-terminated, escapes decoded (UTF-8) */
    char dtype[16];      /* as written in the header, e.g. "BF16" */
    uint64_t begin, end; /* byte offsets relative to the data section */
    uint64_t elements;   /* product of the shape (1 for a scalar) */
    int shape_ok;        /* 1 if elements * dtype size == end - begin (known dtypes only) */
} st_tensor;

typedef struct st_file {
    uint64_t header_len;     /* N */
    const uint8_t *header;   /* points into the caller's buffer: the N JSON bytes */
    const uint8_t *data;     /* start of the data section (buf + 8 + N) */
    uint64_t data_size;      /* bytes after the header */
    st_tensor *tensors;
    size_t count;
} st_file;

/* Parses the header of the safetensors image buf[0..size). Returns 0 on success; on failure
 * returns -1 and writes a message to err (if errlen > 0). out->tensors is allocated; release
 * it with st_free (also safe after a failure). */
int st_scan(const uint8_t *buf, size_t size, st_file *out, char *err, size_t errlen);
void st_free(st_file *f);

/* Bytes per element of a safetensors dtype name ("F32" -> 4, "BOOL" -> 1, ...); 0 if unknown. */
unsigned st_dtype_size(const char *dtype);

#endif
