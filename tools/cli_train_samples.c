/* cli_train_samples.c - the sample files of emzip train (see cli_train_samples.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli_train_samples.h"

#include "cli_diag.h"
#include "cli_names.h"
#include "cli_units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Groups a table file may hold, so K/V tensors a sample file may hold (two groups each). */
enum { GROUPS_MAX = 65535, KV_TENSORS_MAX = GROUPS_MAX / 2 };

/* Values of a token a table file's layout may have (heads x head_dim). */
#define LAYOUT_MAX (UINT64_C(1) << 24)

/* Bytes emz_is_safetensors looks at. */
enum { SNIFF_SIZE = 16 };

static bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}

int cli_natural_compare(const char *a, const char *b) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x != '\0' && *y != '\0') {
        if (!is_digit(*x) || !is_digit(*y)) {
            if (*x != *y) return *x < *y ? -1 : 1;
            x++, y++;
            continue;
        }
        while (*x == '0')
            x++;
        while (*y == '0')
            y++;
        size_t nx = 0, ny = 0;
        while (is_digit(x[nx]))
            nx++;
        while (is_digit(y[ny]))
            ny++;
        if (nx != ny) return nx < ny ? -1 : 1;
        int order = memcmp(x, y, nx);
        if (order != 0) return order < 0 ? -1 : 1;
        x += nx, y += ny;
    }
    if (*x != *y) return *x == '\0' ? -1 : 1;
    return strcmp(a, b);
}

static int compare_tensors(const void *a, const void *b) {
    return cli_natural_compare(((const cli_st_tensor *)a)->name, ((const cli_st_tensor *)b)->name);
}

/* The file's bytes: a regular file mapped (from its start, so that a base inside stdin's file
 * works too), anything else loaded. */
static bool map_file(cli_train_file *file) {
    cli_input *input = &file->input;
    if (!input->seekable) {
        if (!cli_input_load(input)) return false;
        file->bytes = input->data;
        file->size = input->data_size;
        return true;
    }
    uint64_t length = input->base + input->size;
    if (length > SIZE_MAX) {
        cli_error(input->display_name, "too large to map into memory");
        return false;
    }
    file->map_size = (size_t)length;
    file->map = mmap(NULL, file->map_size, PROT_READ, MAP_PRIVATE, input->fd, 0);
    if (file->map == MAP_FAILED) {
        file->map = NULL;
        cli_error(input->display_name, "cannot map into memory: %s", strerror(errno));
        return false;
    }
    file->bytes = (const unsigned char *)file->map + input->base;
    file->size = input->size;
    return true;
}

/* Opens, maps and recognizes one sample file; a safetensors file's header is parsed. */
static bool open_file(const cli_options *options, const char *path, cli_train_file *file) {
    if (!cli_input_open(path, &file->input, options->force) || !map_file(file)) return false;
    const char *name = file->input.display_name;
    if (file->size == 0) {
        cli_error(name, "is empty: a sample needs data");
        return false;
    }
    size_t sniff = file->size < SNIFF_SIZE ? (size_t)file->size : SNIFF_SIZE;
    /* A file named *.safetensors is parsed even when it does not look like one, so that the
     * error says what is wrong with its header (as compress does), not that it is raw data. */
    file->is_safetensors = emz_is_safetensors(file->bytes, sniff, file->size) != 0 ||
                           cli_ends_with(path, ".safetensors");
    if (!file->is_safetensors) return true;
    char error[512];
    if (!cli_st_parse(file->bytes, file->size, &file->header, error, sizeof error)) {
        cli_error(name, "%s", error);
        return false;
    }
    if (file->header.count == 0) {
        cli_error(name, "a safetensors file without tensors: no K/V cache to train on");
        return false;
    }
    qsort(file->header.tensors, file->header.count, sizeof *file->header.tensors, compare_tensors);
    for (size_t i = 1; i < file->header.count; i++) {
        if (strcmp(file->header.tensors[i - 1].name, file->header.tensors[i].name) == 0) {
            cli_error(name, "tensor \"%s\" appears twice", file->header.tensors[i].name);
            return false;
        }
    }
    return true;
}

/* Bytes the tensor's shape holds of type; false on overflow. */
static bool shape_bytes(const cli_st_tensor *t, emz_type type, uint64_t *bytes) {
    uint64_t elements = 1;
    for (unsigned d = 0; d < t->dims; d++) {
        if (t->shape[d] != 0 && elements > UINT64_MAX / 8 / t->shape[d]) return false;
        elements *= t->shape[d];
    }
    *bytes = elements * emz_type_bits(type) / 8;
    return true;
}

/* One K/V tensor against the type and the layout (set->options; set from this tensor when
 * not given yet, layout_source then naming it). */
static bool check_tensor(const cli_train_file *file, const cli_st_tensor *t, cli_train_set *set,
                         char *layout_source, size_t source_size) {
    const char *name = file->input.display_name;
    emz_tables_options *o = &set->options;
    emz_type dtype;
    char shape[CLI_ST_MAX_DIMS * 22 + 4];
    cli_format_shape(shape, sizeof shape, t->dims, t->shape);
    uint64_t bytes = 0;
    if (emz_type_from_name(t->dtype, &dtype) != EMZ_OK || dtype != o->type) {
        cli_error(name,
                  "tensor \"%s\" is %s, not %s (-t): every K/V tensor must be of the type "
                  "trained",
                  t->name, t->dtype, emz_type_name(o->type));
        return false;
    }
    if (t->dims != 5 || t->shape[0] != 2) {
        cli_error(name,
                  "tensor \"%s\" has shape %s, not a paged K/V cache (2, blocks, "
                  "block_size, heads, head_dim)",
                  t->name, shape);
        return false;
    }
    if (!shape_bytes(t, o->type, &bytes) || bytes != t->end - t->begin) {
        cli_error(name,
                  "tensor \"%s\": shape %s does not match its data_offsets (%" PRIu64 " bytes)",
                  t->name, shape, t->end - t->begin);
        return false;
    }
    if (o->heads == 0) {
        if (t->shape[3] == 0 || t->shape[4] == 0 || t->shape[3] > LAYOUT_MAX ||
            t->shape[4] > LAYOUT_MAX / t->shape[3]) {
            cli_error(name,
                      "tensor \"%s\" has heads x head_dim %" PRIu64 " x %" PRIu64
                      ": a layout is 1 to 2^24 values a token",
                      t->name, t->shape[3], t->shape[4]);
            return false;
        }
        o->heads = (uint32_t)t->shape[3];
        o->head_dim = (uint32_t)t->shape[4];
        snprintf(layout_source, source_size, "as tensor \"%s\" of %s", t->name, name);
    }
    if (t->shape[3] != o->heads || t->shape[4] != o->head_dim) {
        cli_error(name,
                  "tensor \"%s\" has heads x head_dim %" PRIu64 " x %" PRIu64 ", not %" PRIu32
                  " x %" PRIu32 " (%s)",
                  t->name, t->shape[3], t->shape[4], o->heads, o->head_dim, layout_source);
        return false;
    }
    return true;
}

/* The tensor names of file against those of the first file. */
static bool same_names(const cli_train_file *first, const cli_train_file *file) {
    const cli_st_header *a = &first->header, *b = &file->header;
    size_t i = 0;
    while (i < a->count && i < b->count && strcmp(a->tensors[i].name, b->tensors[i].name) == 0)
        i++;
    if (i == a->count && i == b->count) return true;
    const char *name = file->input.display_name, *first_name = first->input.display_name;
    bool extra = i == a->count ||
                 (i < b->count && cli_natural_compare(b->tensors[i].name, a->tensors[i].name) < 0);
    if (extra)
        cli_error(name, "tensor \"%s\" is not in %s: every sample must hold the same tensors",
                  b->tensors[i].name, first_name);
    else
        cli_error(name, "has no tensor \"%s\" (%s has): every sample must hold the same tensors",
                  a->tensors[i].name, first_name);
    return false;
}

/* The K and V halves of every tensor of a safetensors file, as groups 2i and 2i + 1. */
static bool add_kv_samples(cli_train_set *set, const cli_train_file *file, char *layout_source,
                           size_t source_size) {
    if (file != &set->files[0] && !same_names(&set->files[0], file)) return false;
    if (file->header.count > KV_TENSORS_MAX) {
        cli_error(file->input.display_name,
                  "%zu K/V tensors: a table file holds at most %d (two groups each)",
                  file->header.count, KV_TENSORS_MAX);
        return false;
    }
    for (size_t i = 0; i < file->header.count; i++) {
        const cli_st_tensor *t = &file->header.tensors[i];
        if (!check_tensor(file, t, set, layout_source, source_size)) return false;
        size_t half = (size_t)((t->end - t->begin) / 2);
        const unsigned char *k = file->bytes + file->header.data_start + t->begin;
        set->samples[set->sample_count++] = (emz_tables_sample){k, half, (uint32_t)(2 * i)};
        set->samples[set->sample_count++] =
            (emz_tables_sample){k + half, half, (uint32_t)(2 * i + 1)};
        set->sample_bytes += 2 * (uint64_t)half;
    }
    set->options.groups = (uint32_t)(2 * file->header.count);
    return true;
}

/* A raw file in options->groups parts of equal size (whole elements; the last takes what is
 * left over). */
static bool add_raw_samples(cli_train_set *set, const cli_options *options,
                            const cli_train_file *file) {
    const char *name = file->input.display_name, *type = emz_type_name(options->type);
    unsigned bits = emz_type_bits(options->type);
    uint64_t unit = bits >= 8 ? bits / 8 : 1; /* FP4: two elements a byte */
    uint32_t parts = options->groups_given ? options->groups : 1;
    if (file->size % unit != 0) {
        cli_error(name,
                  "%" PRIu64 " bytes: not a whole number of %s elements (%" PRIu64 " bytes each)",
                  file->size, type, unit);
        return false;
    }
    uint64_t part = file->size / unit / parts * unit;
    if (part == 0 || part > SIZE_MAX) {
        cli_error(name, "%" PRIu64 " bytes of %s cannot be cut into %" PRIu32 " groups", file->size,
                  type, parts);
        return false;
    }
    for (uint32_t g = 0; g < parts; g++) {
        uint64_t at = g * part, size = g + 1 < parts ? part : file->size - at;
        set->samples[set->sample_count++] = (emz_tables_sample){file->bytes + at, (size_t)size, g};
    }
    set->sample_bytes += file->size;
    set->options.groups = parts;
    return true;
}

/* Samples of one kind; --groups only for raw ones. */
static bool check_kinds(const cli_options *options, const cli_train_set *set) {
    const cli_train_file *first = &set->files[0];
    for (int i = 0; i < set->file_count; i++) {
        const cli_train_file *file = &set->files[i];
        if (file->is_safetensors != first->is_safetensors) {
            cli_error(file->input.display_name,
                      "%s, but %s is %s: the samples must all be K/V caches "
                      "(safetensors) or all raw data",
                      file->is_safetensors ? "a safetensors file" : "raw data",
                      first->input.display_name,
                      first->is_safetensors ? "a safetensors file" : "raw data");
            return false;
        }
        if (file->is_safetensors && options->groups_given) {
            cli_error(file->input.display_name,
                      "a safetensors file: its groups are its tensors' K and V halves "
                      "(--groups cuts raw samples)");
            return false;
        }
    }
    return true;
}

/* Every group has data: a tensor of no blocks in every file would leave two groups empty. */
static bool check_groups_have_data(const cli_train_set *set) {
    unsigned char *has_data = calloc(set->options.groups, 1);
    if (has_data == NULL) {
        cli_error_errno(NULL, ENOMEM);
        return false;
    }
    for (size_t i = 0; i < set->sample_count; i++)
        has_data[set->samples[i].group] |= set->samples[i].size > 0;
    uint32_t g = 0;
    while (g < set->options.groups && has_data[g])
        g++;
    free(has_data);
    if (g == set->options.groups) return true;
    const cli_train_file *first = &set->files[0];
    cli_error(first->input.display_name, "tensor \"%s\" holds no data in any sample (0 blocks)",
              first->header.tensors[g / 2].name);
    return false;
}

/* Room for every sample: the first file's count of tensors or parts in each file. */
static bool allocate_samples(const cli_options *options, cli_train_set *set) {
    const cli_train_file *first = &set->files[0];
    size_t per_file = first->is_safetensors   ? 2 * first->header.count
                      : options->groups_given ? options->groups
                                              : 1;
    set->samples = calloc(per_file * (size_t)set->file_count, sizeof *set->samples);
    if (set->samples == NULL) cli_error_errno(NULL, ENOMEM);
    return set->samples != NULL;
}

bool cli_train_samples_load(const cli_options *options, cli_train_set *set) {
    memset(set, 0, sizeof *set);
    set->options = (emz_tables_options){options->type, 0, options->heads, options->head_dim,
                                        (uint32_t)options->block_size};
    set->files = calloc((size_t)options->input_count, sizeof *set->files);
    if (set->files == NULL) {
        cli_error_errno(NULL, ENOMEM);
        return false;
    }
    for (int i = 0; i < options->input_count; i++) {
        set->files[i].input.fd = -1;
        set->file_count = i + 1;
        if (!open_file(options, options->inputs[i], &set->files[i])) return false;
    }
    if (!check_kinds(options, set) || !allocate_samples(options, set)) return false;
    set->kv = set->files[0].is_safetensors;
    char layout_source[600];
    snprintf(layout_source, sizeof layout_source, "--layout kv:%" PRIu32 ":%" PRIu32,
             options->heads, options->head_dim);
    for (int i = 0; i < set->file_count; i++) {
        bool ok = set->kv ? add_kv_samples(set, &set->files[i], layout_source, sizeof layout_source)
                          : add_raw_samples(set, options, &set->files[i]);
        if (!ok) return false;
    }
    return !set->kv || check_groups_have_data(set);
}

void cli_train_samples_release(cli_train_set *set) {
    for (int i = 0; i < set->file_count; i++) {
        cli_train_file *file = &set->files[i];
        cli_st_free(&file->header);
        if (file->map != NULL) munmap(file->map, file->map_size);
        cli_input_release(&file->input);
    }
    free(set->files);
    free(set->samples);
    memset(set, 0, sizeof *set);
}
