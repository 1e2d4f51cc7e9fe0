/* cli_train_samples.h - the SAMPLE files of emzip train, checked and cut into the library's
 * training samples (emz_tables_sample).
 *
 * A safetensors file holds K/V caches in vLLM's paged layout: per layer one tensor of shape
 * (2, blocks, block_size, heads, head_dim), [0] the K cache and [1] the V cache. Its tensors,
 * in natural order of their names (layer2 before layer10), give the groups: tensor i's K half
 * is group 2i, its V half group 2i + 1. Every sample file must hold the same tensor names,
 * all of the trained type and of one layout (heads, head_dim): --layout's, or the first
 * tensor's. Any other file is raw data of the type: group 0, or with --groups N cut into N
 * parts of equal size, part g for group g. The samples are all of one kind.
 *
 * Regular files are mapped, not read (the library trains on all samples at once); standard
 * input is read into memory.
 */
#ifndef EMZIP_CLI_TRAIN_SAMPLES_H
#define EMZIP_CLI_TRAIN_SAMPLES_H

#include "cli_args.h"
#include "cli_input.h"
#include "cli_safetensors.h"

#include <emzip.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cli_train_file {
    cli_input input;
    const unsigned char *bytes; /* the whole file: mapped, or the loaded input's data */
    uint64_t size;
    void *map; /* the mapping (from the file's start, base included), or NULL */
    size_t map_size;
    bool is_safetensors;
    cli_st_header header; /* safetensors: the tensors, in natural order of their names */
} cli_train_file;

typedef struct cli_train_set {
    cli_train_file *files; /* one per SAMPLE operand */
    int file_count;
    emz_tables_sample *samples;
    size_t sample_count;
    uint64_t sample_bytes;      /* all samples together */
    emz_tables_options options; /* type, groups, layout and block size to train with */
    bool kv;                    /* the samples are K/V caches of safetensors files */
} cli_train_set;

/* Opens the SAMPLE operands of options, checks them (against each other and the options)
 * and fills set. Returns false after printing one error line naming the file and the
 * problem; cli_train_samples_release is safe to call either way. */
bool cli_train_samples_load(const cli_options *options, cli_train_set *set);

void cli_train_samples_release(cli_train_set *set);

/* Compares two names in natural order: runs of digits by their value, so that "layer2" comes
 * before "layer10"; names equal so (e.g. "l01", "l1") by their bytes. */
int cli_natural_compare(const char *a, const char *b);

#endif /* EMZIP_CLI_TRAIN_SAMPLES_H */
