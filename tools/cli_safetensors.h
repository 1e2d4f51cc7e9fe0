/* cli_safetensors.h - the tensor list of an uncompressed safetensors file, for emzip train.
 *
 * The library reads safetensors headers itself when it compresses a checkpoint, but has no
 * call that hands out the tensor list of a plain file; train needs one (names, dtypes, shapes
 * and where the data is) to cut K/V caches into samples, so this parses the header's JSON:
 * an object of tensor name -> {"dtype", "shape", "data_offsets"}, and "__metadata__", which is
 * skipped. Strings are decoded (escapes, \uXXXX with surrogate pairs, into UTF-8).
 */
#ifndef EMZIP_CLI_SAFETENSORS_H
#define EMZIP_CLI_SAFETENSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CLI_ST_MAX_DIMS = 16, CLI_ST_DTYPE_MAX = 16 };

typedef struct cli_st_tensor {
    char *name;                   /* UTF-8, owned */
    char dtype[CLI_ST_DTYPE_MAX]; /* as spelled in the header, e.g. "BF16" */
    unsigned dims;
    uint64_t shape[CLI_ST_MAX_DIMS];
    uint64_t begin, end; /* data_offsets: bytes from data_start, begin <= end <= data_size */
} cli_st_tensor;

typedef struct cli_st_header {
    uint64_t data_start; /* 8 + the header's length */
    uint64_t data_size;  /* bytes after data_start */
    cli_st_tensor *tensors;
    size_t count;
} cli_st_header;

/* Parses the header of the safetensors file held in file[0 .. file_size). On failure writes
 * a message (naming the tensor where there is one) into error and returns false; the header
 * holds nothing then. */
bool cli_st_parse(const unsigned char *file, uint64_t file_size, cli_st_header *header, char *error,
                  size_t error_size);

void cli_st_free(cli_st_header *header);

#endif /* EMZIP_CLI_SAFETENSORS_H */
