/* test_safetensors_header.c - the safetensors header parser: valid headers (synthetic and the
 * real corpus), every refusal with its message, JSON syntax at the edges, escapes in names,
 * the dtype table and the storage-type mapping. Inputs are copied into buffers of their exact
 * size, so that a read past the end shows under AddressSanitizer. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emzip.h"
#include "format/safetensors_header.h"
#include "test_corpus.h"
#include "test_util.h"

static emz_status parse_n(const char *json, size_t n, uint64_t data_size, emz_st_header *h,
                          char *why, size_t cap) {
    uint8_t *copy = tu_xmalloc(n);
    if (n) memcpy(copy, json, n);
    emz_status st = emz_st_parse(copy, n, data_size, h, why, cap);
    free(copy);
    return st;
}

/* JSON written with ' for " (test headers stay readable); a \' stays a '. */
static char *dq(const char *s) {
    char *o = tu_xmalloc(strlen(s) + 1), *p = o;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] == '\'')
            *p++ = *++s;
        else if (s[0] == '\\' && s[1])
            *p++ = *s++, *p++ = *s; /* \\ and the others stay */
        else
            *p++ = *s == '\'' ? '"' : *s;
    }
    *p = '\0';
    return o;
}

static emz_status parse_q(const char *json_sq, uint64_t data_size, emz_st_header *h, char *why,
                          size_t cap) {
    char *j = dq(json_sq);
    emz_status st = parse_n(j, strlen(j), data_size, h, why, cap);
    free(j);
    return st;
}

static void ok_q(const char *json_sq, uint64_t data_size, emz_st_header *h) {
    char why[512];
    emz_status st = parse_q(json_sq, data_size, h, why, sizeof why);
    cr_assert(st == EMZ_OK, "refused %s: %s (%s)", json_sq, why, emz_error_name(st));
    cr_assert_str_eq(why, "");
}

static void check_refused(const char *label, emz_status st, const emz_st_header *h, const char *why,
                          va_list frags) {
    cr_assert(st == EMZ_ERROR_BAD_SAFETENSORS, "%s: accepted or %s", label, emz_error_name(st));
    cr_assert(h->count == 0 && h->tensors == NULL && h->json_size == 0, "%s: output not empty",
              label);
    cr_assert(why[0] != '\0' && strchr(why, '\n') == NULL, "%s: message \"%s\"", label, why);
    for (const char *f; (f = va_arg(frags, const char *)) != NULL;)
        cr_assert(strstr(why, f) != NULL, "%s: message \"%s\" lacks \"%s\"", label, why, f);
}

/* json_sq (' for ") is refused, the output left empty, and the message holds every fragment
 * given (the list ends with NULL). */
static void refused_q(const char *json_sq, uint64_t data_size, ...) {
    emz_st_header h;
    char why[512];
    emz_status st = parse_q(json_sq, data_size, &h, why, sizeof why);
    va_list ap;
    va_start(ap, data_size);
    check_refused(json_sq, st, &h, why, ap);
    va_end(ap);
}

/* The same for json taken literally, n bytes. */
static void refused_n(const char *json, size_t n, uint64_t data_size, ...) {
    emz_st_header h;
    char why[512];
    emz_status st = parse_n(json, n, data_size, &h, why, sizeof why);
    va_list ap;
    va_start(ap, data_size);
    check_refused(json, st, &h, why, ap);
    va_end(ap);
}

static void expect_message(const char *json_sq, uint64_t data_size, const char *message) {
    emz_st_header h;
    char why[512];
    emz_status st = parse_q(json_sq, data_size, &h, why, sizeof why);
    cr_assert(st == EMZ_ERROR_BAD_SAFETENSORS, "%s: %s", json_sq, emz_error_name(st));
    cr_assert_str_eq(why, message);
}

static void check_sorted(const emz_st_header *h) {
    for (size_t i = 1; i < h->count; i++) {
        const emz_st_tensor *a = &h->tensors[i - 1], *b = &h->tensors[i];
        cr_assert(a->begin < b->begin || (a->begin == b->begin && a->end < b->end) ||
                      (a->begin == b->begin && a->end == b->end && strcmp(a->name, b->name) < 0),
                  "tensors %zu (%s) and %zu (%s) out of order", i - 1, a->name, i, b->name);
    }
}

/* ---- valid headers ---- */

static const char valid_header[] =
    "{'w2':{'shape':[4],'data_offsets':[32,40],'dtype':'BF16'},\n"
    " '__metadata__':{'format':'pt','nested':{'x':[1,-2.5e3,0,true,false,null,'s\\u00e9\\n']}},\n"
    " 'w0' : { 'dtype' : 'F32' , 'data_offsets' : [ 0 , 24 ] , 'shape' : [ 2 , 3 ] } ,\n"
    "\t'e':{'data_offsets':[24,24],'dtype':'U8','shape':[0,5]},\r\n"
    " 'scalar':{'dtype':'F16','shape':[],'data_offsets':[24,26]},"
    "'w1.blocks':{'dtype':'U8','shape':[1,4],'data_offsets':[26,30]},"
    "'w1.scales':{'shape':[2],'dtype':'U8','data_offsets':[30,32]}}      ";

Test(valid, shuffled_keys_metadata_padding) {
    emz_st_header h;
    ok_q(valid_header, 48, &h);
    char *j = dq(valid_header);
    cr_assert_eq(h.json_size, strlen(j));
    cr_assert_eq(h.data_start, 8 + strlen(j));
    free(j);
    cr_assert_eq(h.count, 6);
    static const struct {
        const char *name, *dtype;
        unsigned dims;
        uint64_t shape0, begin, end;
        emz_type type;
    } want[] = {
        {"w0", "F32", 2, 2, 0, 24, EMZ_TYPE_FP32},
        {"e", "U8", 2, 0, 24, 24, EMZ_TYPE_BYTES},
        {"scalar", "F16", 0, 0, 24, 26, EMZ_TYPE_FP16},
        {"w1.blocks", "U8", 2, 1, 26, 30, EMZ_TYPE_FP4_E2M1},
        {"w1.scales", "U8", 1, 2, 30, 32, EMZ_TYPE_BYTES},
        {"w2", "BF16", 1, 4, 32, 40, EMZ_TYPE_BF16},
    };
    for (size_t i = 0; i < 6; i++) {
        const emz_st_tensor *t = &h.tensors[i];
        cr_assert_str_eq(t->name, want[i].name);
        cr_assert_str_eq(t->dtype, want[i].dtype);
        cr_assert_eq(t->dims, want[i].dims, "%s dims %u", t->name, t->dims);
        if (t->dims) cr_assert_eq(t->shape[0], want[i].shape0, "%s", t->name);
        cr_assert_eq(t->begin, want[i].begin, "%s", t->name);
        cr_assert_eq(t->end, want[i].end, "%s", t->name);
        cr_assert_eq(t->type, want[i].type, "%s type %d", t->name, (int)t->type);
    }
    cr_assert_eq(h.tensors[0].shape[1], 3);
    cr_assert_eq(h.tensors[1].shape[1], 5);
    emz_st_free(&h);
    cr_assert(h.count == 0 && h.tensors == NULL);
    emz_st_free(&h); /* twice is harmless */
    emz_st_free(NULL);
}

Test(valid, empty_and_metadata_only) {
    emz_st_header h;
    ok_q("{}", 0, &h);
    cr_assert(h.count == 0 && h.tensors == NULL && h.json_size == 2 && h.data_start == 10);
    ok_q(" \t\r\n{ }  \n", 100, &h);
    cr_assert_eq(h.count, 0);
    ok_q("{'__metadata__':{'a':'b'}}", 0, &h);
    cr_assert_eq(h.count, 0);
}

Test(valid, metadata_of_any_value) {
    static const char *const values[] = {
        "1",         "-0",
        "0.5e-3",    "1E+2",
        "-12.25E-7", "'s\\u00e9\\ud83d\\ude00\\\\\\'\\/'",
        "''",        "[]",
        "{}",        "[[],{}]",
        "true",      "false",
        "null",      "{'a':{'b':[1,{'c':null}]},'d':[]}",
        "[ 1 , 2 ]", "{ 'k' : 'v' , 'l' : [ ] }",
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char json[256];
        snprintf(json, sizeof json,
                 "{'__metadata__':%s,'t':{'dtype':'U8','shape':[1],'data_offsets':[0,1]}}",
                 values[i]);
        emz_st_header h;
        ok_q(json, 1, &h);
        cr_assert_eq(h.count, 1, "%s", json);
        emz_st_free(&h);
    }
}

Test(valid, ties_sort_by_end_then_name) {
    emz_st_header h;
    ok_q("{'z':{'dtype':'U8','shape':[0],'data_offsets':[8,8]},"
         "'x':{'dtype':'U8','shape':[8],'data_offsets':[8,16]},"
         "'y':{'dtype':'U8','shape':[0],'data_offsets':[8,8]},"
         "'a':{'dtype':'U8','shape':[8],'data_offsets':[0,8]},"
         "'in':{'dtype':'U8','shape':[0],'data_offsets':[4,4]}}",
         16, &h);
    const char *order[] = {"a", "in", "y", "z", "x"};
    cr_assert_eq(h.count, 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert_str_eq(h.tensors[i].name, order[i]);
    emz_st_free(&h);
}

Test(valid, gaps_sizes_and_extremes) {
    emz_st_header h;
    /* sub-byte and odd widths; a gap at 0..2 and at the end */
    ok_q("{'f4':{'dtype':'F4','shape':[2,3],'data_offsets':[2,5]},"
         "'f6':{'dtype':'F6_E2M3','shape':[4],'data_offsets':[5,8]},"
         "'c':{'dtype':'C64','shape':[1,1,1],'data_offsets':[8,16]}}",
         20, &h);
    cr_assert_eq(h.count, 3);
    cr_assert_eq(h.tensors[0].type, EMZ_TYPE_FP4_E2M1);
    cr_assert_eq(h.tensors[1].type, EMZ_TYPE_BYTES);
    emz_st_free(&h);
    /* the largest integer, and a 0 dimension next to huge ones (0 elements, no overflow) */
    ok_q("{'big':{'dtype':'U8','shape':[18446744073709551615],"
         "'data_offsets':[0,18446744073709551615]},"
         "'none':{'dtype':'F64','shape':[18446744073709551615,0,4294967296],'data_offsets':[7,7]}}",
         UINT64_MAX, &h);
    cr_assert_str_eq(h.tensors[0].name, "big");
    cr_assert_eq(h.tensors[0].end, UINT64_MAX);
    cr_assert_eq(h.tensors[0].shape[0], UINT64_MAX);
    emz_st_free(&h);
    /* 16 dimensions is the limit */
    ok_q("{'d':{'dtype':'U8','shape':[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2],'data_offsets':[0,2]}}", 2,
         &h);
    cr_assert_eq(h.tensors[0].dims, 16);
    emz_st_free(&h);
    /* every dtype in the table parses */
    static const char *const dtypes[] = {
        "BOOL", "U8",  "I8",   "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4",  "F6_E2M3", "F6_E3M2", "I16",
        "U16",  "F16", "BF16", "I32",     "U32",     "F32",     "I64", "U64",     "F64",     "C64"};
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++) {
        unsigned bits = 0;
        cr_assert_eq(emz_st_dtype_bits(dtypes[i], &bits), EMZ_OK);
        char json[160];
        snprintf(json, sizeof json, "{'t':{'dtype':'%s','shape':[8],'data_offsets':[0,%u]}}",
                 dtypes[i], bits);
        ok_q(json, 64, &h);
        cr_assert_str_eq(h.tensors[0].dtype, dtypes[i]);
        emz_st_free(&h);
    }
}

/* ---- refusals with their exact messages ---- */

Test(messages, documented_examples) {
    expect_message("{'model.layers.0.mlp.w':{'dtype':'BF16','shape':[50],'data_offsets':[0,100]}}",
                   96,
                   "tensor \"model.layers.0.mlp.w\": data_offsets [0, 100] end beyond the data "
                   "region (96 bytes)");
    expect_message("{'a':{'dtype':'BF16','shape':[2,3],'data_offsets':[0,10]}}", 96,
                   "tensor \"a\": shape [2, 3] of BF16 is 12 bytes but data_offsets span 10");
    expect_message("{'a':{'dtype':'Q4','shape':[2,3],'data_offsets':[0,10]}}", 96,
                   "tensor \"a\": unknown dtype \"Q4\"");
    expect_message("{'a':{'dtype':'U8','shape':[64],'data_offsets':[0,64]},"
                   "'b':{'dtype':'U8','shape':[64],'data_offsets':[32,96]}}",
                   96, "tensors \"a\" and \"b\" overlap: [0, 64] and [32, 96]");
    expect_message("{'__metadata__':1x}", 0,
                   "header is not valid JSON at byte 17: expected ',' or '}'");
    expect_message("[1]", 0, "header is not a JSON object");
}

Test(refuse, not_json) {
    static const char *const cases[] = {
        "{",
        "{'a'",
        "{'a':",
        "{,}",
        "{'a' 1}",
        "{} x",
        "{}}",
        "{}{}",
        "{'__metadata__':1,}",
        "{'__metadata__':[1,]}",
        "{'__metadata__':{'k'}}",
        "{'__metadata__':{'k':}}",
        "{'__metadata__':{,}}",
        "{'__metadata__':[,1]}",
        "{'__metadata__':{1:2}}",
        "{'__metadata__':01}",
        "{'__metadata__':1.}",
        "{'__metadata__':.5}",
        "{'__metadata__':-}",
        "{'__metadata__':1e}",
        "{'__metadata__':1e+}",
        "{'__metadata__':+1}",
        "{'__metadata__':tru}",
        "{'__metadata__':nul}",
        "{'__metadata__':True}",
        "{'__metadata__':NaN}",
        "{'__metadata__':Infinity}",
        "{'__metadata__':'a\\x'}",
        "{'__metadata__':'\\u12G4'}",
        "{'__metadata__':'\\u12'}",
        "{'__metadata__':'\\ud800'}",
        "{'__metadata__':'\\udc00'}",
        "{'__metadata__':'\\ud800\\u0041'}",
        "{'__metadata__':'\\ud800x'}",
        "{'__metadata__':[1 2]}",
        "{'__metadata__':{'a':1 'b':2}}",
        "{'__metadata__':[1}",
        "{'__metadata__':{'a':1]}",
        "{\\'a\\':{}}",
        "{'a':{'dtype':'U8' 'shape':[1]}}",
        "{'a':{'dtype':'U8','shape':[1 1]}}",
        "{'a':{'dtype':'U8','shape':[1,]}}",
        "{'a':{'dtype':'U8','shape':[01]}}",
        "{'a':{'dtype':'U8','shape':[1],}}",
        "{'a':{'dtype' 'U8'}}",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        refused_q(cases[i], 100, "header is not valid JSON at byte ", NULL);
}

Test(refuse, bad_bytes_in_strings) {
    static const char *const cases[] = {
        "{\"\x01\":{}}",             /* control character */
        "{\"\t\":{}}",               /* tab must be escaped */
        "{\"\xC3\x28\":{}}",         /* bad continuation */
        "{\"\xC0\xAF\":{}}",         /* overlong */
        "{\"\xE0\x80\xAF\":{}}",     /* overlong, 3 bytes */
        "{\"\xED\xA0\x80\":{}}",     /* surrogate */
        "{\"\xF4\x90\x80\x80\":{}}", /* above U+10FFFF */
        "{\"\xF8\x88\x80\x80\x80\":{}}",
        "{\"\x80\":{}}",     /* lone continuation */
        "{\"\xE2\x82\":{}}", /* cut sequence */
        "{\"\xE2\x82",       /* cut by the end */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        refused_n(cases[i], strlen(cases[i]), 100, "header is not valid JSON at byte 2", NULL);
    refused_n("{\"a\0\":{}}", 9, 100, "header is not valid JSON at byte 3", NULL);
}

Test(refuse, not_an_object) {
    refused_q("", 0, "header is empty", NULL);
    refused_q("    ", 0, "header is empty", NULL);
    static const char *const cases[] = {"[1]", "'x'", "1", "null", "]", "\xEF\xBB\xBF{}"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        refused_q(cases[i], 0, "header is not a JSON object", NULL);
    refused_q("{'a':[1]}", 0, "tensor \"a\": not an object", NULL);
    refused_q("{'a':'BF16'}", 0, "tensor \"a\": not an object", NULL);
}

Test(refuse, unknown_dtype) {
    static const char *const dtypes[] = {
        "Q4",          "bf16",       "BF16 ", " BF16", "F8_E4M3FN", "", "F8", "BOOLEANVERYLONGNAME",
        "BF16\\u0000", "U8\\u0000x", "I4"};
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++) {
        char json[160];
        snprintf(json, sizeof json, "{'my.w':{'dtype':'%s','shape':[1],'data_offsets':[0,1]}}",
                 dtypes[i]);
        refused_q(json, 10, "tensor \"my.w\": unknown dtype \"", NULL);
    }
    refused_q("{'t':{'dtype':16,'shape':[1],'data_offsets':[0,2]}}", 10,
              "tensor \"t\": dtype is not a string", NULL);
    refused_q("{'t':{'dtype':'BF16\\n','shape':[1],'data_offsets':[0,2]}}", 10,
              "unknown dtype \"BF16\\n\"", NULL);
}

Test(refuse, size_mismatch) {
    refused_q("{'t':{'dtype':'F32','shape':[2,2],'data_offsets':[0,15]}}", 100,
              "tensor \"t\": shape [2, 2] of F32 is 16 bytes but data_offsets span 15", NULL);
    refused_q("{'t':{'dtype':'F32','shape':[],'data_offsets':[0,8]}}", 100,
              "shape [] of F32 is 4 bytes but data_offsets span 8", NULL);
    refused_q("{'t':{'dtype':'U8','shape':[0],'data_offsets':[0,1]}}", 100,
              "shape [0] of U8 is 0 bytes but data_offsets span 1", NULL);
    refused_q("{'t':{'dtype':'F4','shape':[3],'data_offsets':[0,2]}}", 100,
              "tensor \"t\": shape [3] of F4 (3 elements of 4 bits) is not a whole number of bytes",
              NULL);
    refused_q("{'t':{'dtype':'F6_E3M2','shape':[3],'data_offsets':[0,3]}}", 100,
              "(3 elements of 6 bits) is not a whole number of bytes", NULL);
    refused_q("{'t':{'dtype':'U8','shape':[4294967296,4294967296],'data_offsets':[0,0]}}", 100,
              "tensor \"t\": shape [4294967296, 4294967296] holds more than 2^64-1 elements", NULL);
    refused_q("{'t':{'dtype':'F32','shape':[4611686018427387904],'data_offsets':[0,0]}}", 100,
              "tensor \"t\": shape [4611686018427387904] of F32 is more than 2^64-1 bytes", NULL);
    refused_q(
        "{'t':{'dtype':'U8','shape':[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],'data_offsets':[0,1]}}",
        100, "tensor \"t\": shape holds more than 16 values", NULL);
}

Test(refuse, offsets) {
    refused_q("{'t':{'dtype':'U8','shape':[5],'data_offsets':[10,5]}}", 100,
              "tensor \"t\": data_offsets [10, 5] begin after end", NULL);
    refused_q("{'t':{'dtype':'U8','shape':[5],'data_offsets':[96,101]}}", 100,
              "tensor \"t\": data_offsets [96, 101] end beyond the data region (100 bytes)", NULL);
    refused_q("{'t':{'dtype':'U8','shape':[0],'data_offsets':[1,1]}}", 0, "end beyond", NULL);
    refused_q("{'t':{'dtype':'U8','shape':[1],'data_offsets':[1]}}", 100,
              "tensor \"t\": data_offsets holds 1 values, not 2", NULL);
    refused_q("{'t':{'dtype':'U8','shape':[1],'data_offsets':[]}}", 100, "holds 0 values, not 2",
              NULL);
    refused_q("{'t':{'dtype':'U8','shape':[1],'data_offsets':[0,1,2]}}", 100,
              "tensor \"t\": data_offsets holds more than 2 values", NULL);
    refused_q("{'t':{'dtype':'U8','shape':[1],'data_offsets':{'0':1}}}", 100,
              "tensor \"t\": data_offsets is not an array", NULL);
    refused_q("{'t':{'dtype':'U8','shape':2,'data_offsets':[0,2]}}", 100,
              "tensor \"t\": shape is not an array", NULL);
}

Test(refuse, overlap) {
    const char *same = "{'b':{'dtype':'U8','shape':[8],'data_offsets':[0,8]},"
                       "'a':{'dtype':'U8','shape':[8],'data_offsets':[0,8]}}";
    refused_q(same, 100, "tensors \"a\" and \"b\" overlap: [0, 8] and [0, 8]", NULL);
    /* contained, and found although a disjoint tensor sorts between them by name */
    refused_q("{'outer':{'dtype':'U8','shape':[100],'data_offsets':[0,100]},"
              "'m':{'dtype':'U8','shape':[0],'data_offsets':[50,50]},"
              "'inner':{'dtype':'U8','shape':[10],'data_offsets':[10,20]}}",
              100, "tensors \"outer\" and \"inner\" overlap: [0, 100] and [10, 20]", NULL);
    /* one byte of overlap after a zero-length tensor */
    refused_q("{'a':{'dtype':'U8','shape':[8],'data_offsets':[0,8]},"
              "'z':{'dtype':'U8','shape':[0],'data_offsets':[7,7]},"
              "'b':{'dtype':'U8','shape':[8],'data_offsets':[7,15]}}",
              100, "tensors \"a\" and \"b\" overlap: [0, 8] and [7, 15]", NULL);
    /* adjacent, and empty ranges anywhere: fine */
    emz_st_header h;
    ok_q("{'a':{'dtype':'U8','shape':[8],'data_offsets':[0,8]},"
         "'e':{'dtype':'U8','shape':[0],'data_offsets':[4,4]},"
         "'f':{'dtype':'U8','shape':[0],'data_offsets':[8,8]},"
         "'b':{'dtype':'U8','shape':[8],'data_offsets':[8,16]}}",
         16, &h);
    cr_assert_eq(h.count, 4);
    emz_st_free(&h);
}

Test(refuse, duplicates) {
    refused_q("{'a':{'dtype':'U8','shape':[1],'data_offsets':[0,1]},"
              "'a':{'dtype':'U8','shape':[1],'data_offsets':[1,2]}}",
              100, "tensor \"a\" appears twice", NULL);
    /* the same name spelled differently */
    refused_q("{'a\\u00e9':{'dtype':'U8','shape':[1],'data_offsets':[0,1]},"
              "'x':{'dtype':'U8','shape':[1],'data_offsets':[2,3]},"
              "'\\u0061\xC3\xA9':{'dtype':'U8','shape':[1],'data_offsets':[1,2]}}",
              100, "tensor \"a\xC3\xA9\" appears twice", NULL);
    refused_q("{'__metadata__':{},'__metadata__':{}}", 100, "__metadata__ appears twice", NULL);
}

/* Many names sharing a long prefix (the set of names grows past its first size and probes):
 * all distinct parse; the same with one name repeated far from its first use is refused,
 * wherever the repeat is. */
Test(refuse, duplicates_among_many) {
    enum { N = 700 };
    size_t cap = (size_t)N * 96 + 16;
    char *json = tu_xmalloc(cap);
    for (int dup = -1; dup < N; dup += 233) {
        size_t n = 0;
        n += (size_t)snprintf(json + n, cap - n, "{");
        for (int i = 0; i < N; i++) {
            int id = i == N - 1 && dup >= 0 ? dup : i; /* the last name repeats name dup */
            n += (size_t)snprintf(json + n, cap - n,
                                  "%s\"model.layers.%d.self_attn.q_proj.weight\":{\"dtype\":"
                                  "\"U8\",\"shape\":[1],\"data_offsets\":[%d,%d]}",
                                  i ? "," : "", id, i, i + 1);
        }
        n += (size_t)snprintf(json + n, cap - n, "}");
        emz_st_header h;
        char why[512];
        emz_status st = parse_n(json, n, N, &h, why, sizeof why);
        if (dup < 0) {
            cr_assert_eq(st, EMZ_OK, "distinct names refused: %s", why);
            cr_assert_eq(h.count, N);
            check_sorted(&h);
            emz_st_free(&h);
        } else {
            char expect[128];
            snprintf(expect, sizeof expect,
                     "tensor \"model.layers.%d.self_attn.q_proj.weight\" appears twice", dup);
            cr_assert_eq(st, EMZ_ERROR_BAD_SAFETENSORS, "name %d repeated, accepted", dup);
            cr_assert_str_eq(why, expect);
        }
    }
    free(json);
}

Test(refuse, fields) {
    refused_q("{'t':{'dtype':'U8','shape':[1],'data_offsets':[0,1],'offsets':[0,1]}}", 100,
              "tensor \"t\": unexpected field \"offsets\"", NULL);
    refused_q("{'t':{'Dtype':'U8','shape':[1],'data_offsets':[0,1]}}", 100,
              "tensor \"t\": unexpected field \"Dtype\"", NULL);
    refused_q("{'t':{'dtype\\u0000':'U8'}}", 100, "unexpected field \"dtype\\u0000\"", NULL);
    refused_q("{'t':{'dtype':'U8','shape':[1],'dtype':'U8','data_offsets':[0,1]}}", 100,
              "tensor \"t\": field \"dtype\" appears twice", NULL);
    refused_q("{'t':{'shape':[1],'data_offsets':[0,1]}}", 100,
              "tensor \"t\": missing field \"dtype\"", NULL);
    refused_q("{'t':{'dtype':'U8','data_offsets':[0,1]}}", 100,
              "tensor \"t\": missing field \"shape\"", NULL);
    refused_q("{'t':{'dtype':'U8','shape':[1]}}", 100,
              "tensor \"t\": missing field \"data_offsets\"", NULL);
    refused_q("{'t':{}}", 100, "tensor \"t\": missing field \"dtype\"", NULL);
    /* escaped field names are the same fields */
    emz_st_header h;
    ok_q("{'t':{'\\u0064type':'U8','sha\\u0070e':[1],'data_offsets':[0,1]}}", 100, &h);
    emz_st_free(&h);
}

Test(refuse, integers) {
    static const struct {
        const char *value, *message;
    } cases[] = {
        {"-1", "holds -1, a negative number"},
        {"-0", "holds -0, a negative number"},
        {"2.0", "holds 2.0, not an integer"},
        {"1e3", "holds 1e3, not an integer"},
        {"10E0", "holds 10E0, not an integer"},
        {"18446744073709551616", "holds 18446744073709551616, above 2^64-1"},
        {"99999999999999999999999", "above 2^64-1"},
        {"'2'", "holds a non-number"},
        {"null", "holds a non-number"},
        {"[2]", "holds a non-number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[200];
        snprintf(json, sizeof json, "{'t':{'dtype':'U8','shape':[%s],'data_offsets':[0,2]}}",
                 cases[i].value);
        refused_q(json, 100, "tensor \"t\": shape ", cases[i].message, NULL);
        snprintf(json, sizeof json, "{'t':{'dtype':'U8','shape':[2],'data_offsets':[0,%s]}}",
                 cases[i].value);
        refused_q(json, 100, "tensor \"t\": data_offsets ", cases[i].message, NULL);
    }
}

static char *nested(const char *open, const char *close, unsigned depth) {
    size_t lo = strlen(open), lc = strlen(close);
    char *s = tu_xmalloc(64 + depth * (lo + lc));
    char *p = s + sprintf(s, "{\"__metadata__\":");
    for (unsigned i = 0; i < depth; i++)
        memcpy(p, open, lo), p += lo;
    *p++ = '1';
    for (unsigned i = 0; i < depth; i++)
        memcpy(p, close, lc), p += lc;
    strcpy(p, "}");
    return s;
}

Test(refuse, nesting) {
    emz_st_header h;
    char why[256];
    const char *kinds[][2] = {{"[", "]"}, {"{\"k\":", "}"}, {"[{\"k\":", "}]"}};
    for (int k = 0; k < 3; k++) {
        unsigned per = k == 2 ? 2 : 1; /* levels each repetition opens */
        char *ok = nested(kinds[k][0], kinds[k][1], 64 / per);
        cr_assert_eq(parse_n(ok, strlen(ok), 0, &h, why, sizeof why), EMZ_OK, "%s: %s", ok, why);
        free(ok);
        char *deep = nested(kinds[k][0], kinds[k][1], 64 / per + 1);
        refused_n(deep, strlen(deep), 0, "__metadata__ nests deeper than 64 levels", NULL);
        free(deep);
    }
    /* very deep: refused without recursion, and unterminated deep input too */
    char *deep = nested("[", "]", 1000000);
    refused_n(deep, strlen(deep), 0, "deeper than 64", NULL);
    refused_n(deep, 1000000, 0, "deeper than 64", NULL);
    free(deep);
}

/* Every proper prefix of a valid header (one that stops before its closing brace) is refused,
 * cleanly; with the padding, prefixes that keep the brace are valid. */
Test(refuse, every_truncation) {
    char *j = dq(valid_header);
    size_t n = strlen(j), close = strrchr(j, '}') - j;
    emz_st_header h;
    char why[512];
    for (size_t k = 0; k <= close; k++) {
        emz_status st = parse_n(j, k, 48, &h, why, sizeof why);
        cr_assert(st == EMZ_ERROR_BAD_SAFETENSORS, "prefix of %zu bytes: %s", k,
                  emz_error_name(st));
        cr_assert(h.count == 0 && h.tensors == NULL && why[0], "prefix of %zu bytes", k);
    }
    for (size_t k = close + 1; k <= n; k++) {
        cr_assert_eq(parse_n(j, k, 48, &h, why, sizeof why), EMZ_OK, "prefix of %zu: %s", k, why);
        emz_st_free(&h);
    }
    free(j);
}

/* Flipping any one byte to each of a few characters that matter in JSON never crashes, never
 * reads outside the header, and either refuses with a message or returns a consistent header. */
Test(refuse, single_byte_mutations) {
    char *j = dq(valid_header);
    size_t n = strlen(j);
    static const char subst[] = "\"\\{}[],:0-e. x\x80\x01";
    emz_st_header h;
    char why[512];
    for (size_t i = 0; i < n; i++)
        for (size_t s = 0; s < sizeof subst - 1; s++) {
            char save = j[i];
            j[i] = subst[s];
            emz_status st = parse_n(j, n, 48, &h, why, sizeof why);
            if (st == EMZ_OK) {
                check_sorted(&h);
                for (size_t t = 0; t < h.count; t++)
                    cr_assert(h.tensors[t].end <= 48);
                emz_st_free(&h);
            } else {
                cr_assert_eq(st, EMZ_ERROR_BAD_SAFETENSORS);
                cr_assert(why[0] != '\0');
            }
            j[i] = save;
        }
    free(j);
}

Test(refuse, too_large) {
    /* only the size is looked at: a buffer this big is not needed for the refusal */
    emz_st_header h;
    char why[256];
    static const uint8_t one = '{';
    cr_assert_eq(emz_st_parse(&one, (size_t)EMZ_ST_MAX_HEADER + 1, 0, &h, why, sizeof why),
                 EMZ_ERROR_BAD_SAFETENSORS);
    cr_assert(strstr(why, "above the limit of 104857600 bytes") != NULL, "%s", why);
    cr_assert_eq(emz_st_parse(NULL, 1, 0, &h, why, sizeof why), EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert_eq(emz_st_parse(&one, 1, 0, NULL, why, sizeof why), EMZ_ERROR_INVALID_ARGUMENT);
}

/* ---- names ---- */

Test(names, escapes_decode_to_utf8) {
    emz_st_header h;
    ok_q("{'a\\u00e9\\\"b':{'dtype':'U8','shape':[1],'data_offsets':[0,1]},"
         "'\\ud83d\\ude00\\uD83D\\uDE01':{'dtype':'U8','shape':[1],'data_offsets':[1,2]},"
         "'\\/\\b\\f\\n\\r\\t\\\\':{'dtype':'U8','shape':[1],'data_offsets':[2,3]},"
         "'\xE5\x90\x8D\xE5\x89\x8D\\u20AC\\u07ff\\u0800':{'dtype':'U8','shape':[1],'data_offsets':"
         "[3,4]},"
         "'':{'dtype':'U8','shape':[1],'data_offsets':[4,5]}}",
         5, &h);
    cr_assert_eq(h.count, 5);
    cr_assert_str_eq(h.tensors[0].name, "a\xC3\xA9\"b");
    cr_assert_str_eq(h.tensors[1].name, "\xF0\x9F\x98\x80\xF0\x9F\x98\x81");
    cr_assert_str_eq(h.tensors[2].name, "/\b\f\n\r\t\\");
    cr_assert_str_eq(h.tensors[3].name, "\xE5\x90\x8D\xE5\x89\x8D\xE2\x82\xAC\xDF\xBF\xE0\xA0\x80");
    cr_assert_str_eq(h.tensors[4].name, "");
    emz_st_free(&h);
    refused_q("{'a\\u0000b':{'dtype':'U8','shape':[1],'data_offsets':[0,1]}}", 100,
              "tensor \"a\\u0000b\": name holds a NUL character", NULL);
}

/* The scan of plain name bytes goes eight at a time: each byte that needs a look (a quote, a
 * backslash, UTF-8, a control character, DEL which is plain) at every position of a word,
 * with plain bytes on both sides, and at the end of the header. */
Test(names, special_bytes_at_every_position) {
    static const struct {
        const char *json, *decoded; /* what stands in the name, what it decodes to */
        bool ok;
    } specials[] = {
        {"\\\"", "\"", true},           {"\\\\", "\\", true},   {"\\u0041", "A", true},
        {"\xC3\xA9", "\xC3\xA9", true}, {"\x7F", "\x7F", true}, {"\x1F", NULL, false},
        {"\xC3", NULL, false},          {"\x80", NULL, false},
    };
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) {
        for (size_t before = 0; before < 19; before++) {
            char name[64] = "", expect[64] = "", json[256];
            memset(name, 'a', before);
            strcpy(name + before, specials[i].json);
            strcat(name, "bcdefghijk" + before % 10);
            memset(expect, 'a', before);
            if (specials[i].decoded) strcpy(expect + before, specials[i].decoded);
            strcat(expect, "bcdefghijk" + before % 10);
            int n =
                snprintf(json, sizeof json,
                         "{\"%s\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", name);
            emz_st_header h;
            char why[512];
            emz_status st = parse_n(json, (size_t)n, 1, &h, why, sizeof why);
            if (!specials[i].ok) {
                cr_assert_eq(st, EMZ_ERROR_BAD_SAFETENSORS, "special %zu after %zu bytes accepted",
                             i, before);
                continue;
            }
            cr_assert_eq(st, EMZ_OK, "special %zu after %zu bytes: %s", i, before, why);
            cr_assert_str_eq(h.tensors[0].name, expect, "special %zu after %zu bytes", i, before);
            emz_st_free(&h);
        }
    }
    /* an unterminated name ending at every length: the scan stops at the header's end */
    for (size_t len = 0; len < 20; len++) {
        char json[64] = "{\"";
        memset(json + 2, 'a', len);
        refused_n(json, 2 + len, 0, "unexpected end", NULL);
    }
}

Test(names, messages_escape_and_shorten) {
    /* a name with a quote and a newline is shown escaped, on one line */
    refused_q("{'a\\\"\\nb':{'dtype':'Q4','shape':[1],'data_offsets':[0,1]}}", 100,
              "tensor \"a\\\"\\nb\": unknown dtype", NULL);
    /* a long name: head...tail, cut at characters */
    char name[400], json[600], why[512];
    size_t k = 0;
    k += (size_t)sprintf(name, "model.");
    while (k < 300)
        k += (size_t)sprintf(name + k, "\xC3\xA9");
    sprintf(name + k, ".layers.17.self_attn.q_proj.weight");
    snprintf(json, sizeof json, "{'%s':{'dtype':'Q4','shape':[1],'data_offsets':[0,1]}}", name);
    emz_st_header h;
    cr_assert_eq(parse_q(json, 100, &h, why, sizeof why), EMZ_ERROR_BAD_SAFETENSORS);
    cr_assert(strstr(why, "tensor \"model.\xC3\xA9") == why, "%s", why);
    cr_assert(strstr(why, "\xC3\xA9...\xC3\xA9") != NULL, "%s", why);
    cr_assert(strstr(why, ".layers.17.self_attn.q_proj.weight\": unknown dtype \"Q4\"") != NULL,
              "%s", why);
    cr_assert(strlen(why) < 140, "%zu bytes: %s", strlen(why), why);
    for (const unsigned char *p = (const unsigned char *)why; *p;) { /* whole UTF-8 sequences */
        if (*p < 0x80) {
            p++;
            continue;
        }
        cr_assert(p[0] == 0xC3 && p[1] == 0xA9, "broken UTF-8 in %s", why);
        p += 2;
    }
}

Test(names, message_buffer_bounds) {
    const char *json =
        "{'\xC3\xA9\xC3\xA9\xC3\xA9':{'dtype':'Q4','shape':[1],'data_offsets':[0,1]}}";
    emz_st_header h;
    char full[256];
    cr_assert_eq(parse_q(json, 100, &h, full, sizeof full), EMZ_ERROR_BAD_SAFETENSORS);
    for (size_t cap = 0; cap <= strlen(full) + 2; cap++) {
        char why[300];
        memset(why, 0x5A, sizeof why);
        cr_assert_eq(parse_q(json, 100, &h, why, cap), EMZ_ERROR_BAD_SAFETENSORS);
        for (size_t i = cap; i < sizeof why; i++)
            cr_assert_eq(why[i], 0x5A, "cap %zu: byte %zu written", cap, i);
        if (!cap) continue;
        size_t len = strnlen(why, cap);
        cr_assert(len < cap, "cap %zu: not terminated", cap);
        cr_assert(strncmp(why, full, len) == 0, "cap %zu: %s", cap, why);
        /* no partial UTF-8 sequence at the cut: é is 2 bytes */
        size_t hi = 0;
        for (size_t i = 0; i < len; i++)
            hi += ((unsigned char)why[i] & 0xC0) == 0xC0 ? 2 : 0;
        size_t conts = 0;
        for (size_t i = 0; i < len; i++)
            conts += ((unsigned char)why[i] & 0xC0) == 0x80;
        cr_assert_eq(hi, 2 * conts, "cap %zu: cut inside a character: %s", cap, why);
    }
    cr_assert_eq(parse_q(json, 100, &h, NULL, 100), EMZ_ERROR_BAD_SAFETENSORS);
}

/* ---- dtype table and storage types ---- */

Test(dtypes, bits_table) {
    static const struct {
        const char *name;
        unsigned bits;
    } table[] = {{"BOOL", 8},    {"U8", 8},   {"I8", 8},      {"F8_E5M2", 8}, {"F8_E4M3", 8},
                 {"F8_E8M0", 8}, {"F4", 4},   {"F6_E2M3", 6}, {"F6_E3M2", 6}, {"I16", 16},
                 {"U16", 16},    {"F16", 16}, {"BF16", 16},   {"I32", 32},    {"U32", 32},
                 {"F32", 32},    {"I64", 64}, {"U64", 64},    {"F64", 64},    {"C64", 64}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        unsigned bits = 0;
        cr_assert_eq(emz_st_dtype_bits(table[i].name, &bits), EMZ_OK, "%s", table[i].name);
        cr_assert_eq(bits, table[i].bits, "%s: %u", table[i].name, bits);
    }
    static const char *const unknown[] = {"",   "bf16", "Bf16", "F8_E4M3FN", "F8",  "U4",
                                          "I4", "C128", "F128", "BF16 ",     "STR", "U8\n"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        unsigned bits = 77;
        cr_assert_eq(emz_st_dtype_bits(unknown[i], &bits), EMZ_ERROR_BAD_SAFETENSORS, "%s",
                     unknown[i]);
        cr_assert_eq(bits, 77);
    }
}

Test(dtypes, storage_types) {
    static const struct {
        const char *name, *dtype;
        emz_type type;
    } cases[] = {
        {"w", "BF16", EMZ_TYPE_BF16},
        {"w", "F16", EMZ_TYPE_FP16},
        {"w", "F32", EMZ_TYPE_FP32},
        {"w", "F8_E4M3", EMZ_TYPE_FP8_E4M3},
        {"w", "F8_E5M2", EMZ_TYPE_FP8_E5M2},
        {"w", "F4", EMZ_TYPE_FP4_E2M1},
        {"w.blocks", "F4", EMZ_TYPE_FP4_E2M1},
        {"model.layers.0.mlp.experts.gate_up_proj_blocks.blocks", "U8", EMZ_TYPE_FP4_E2M1},
        {".blocks", "U8", EMZ_TYPE_FP4_E2M1},
        {"w.scales", "U8", EMZ_TYPE_BYTES},
        {"w.scales", "F8_E8M0", EMZ_TYPE_BYTES},
        {"w.blocks", "F8_E8M0", EMZ_TYPE_BYTES},
        {"w.blocks", "I8", EMZ_TYPE_BYTES},
        {"w.blocks.x", "U8", EMZ_TYPE_BYTES},
        {"w_blocks", "U8", EMZ_TYPE_BYTES},
        {"blocks", "U8", EMZ_TYPE_BYTES},
        {"w.Blocks", "U8", EMZ_TYPE_BYTES},
        {"w", "U8", EMZ_TYPE_BYTES},
        {"w", "BOOL", EMZ_TYPE_BYTES},
        {"w", "I16", EMZ_TYPE_BYTES},
        {"w", "F64", EMZ_TYPE_BYTES},
        {"w", "C64", EMZ_TYPE_BYTES},
        {"w", "F6_E2M3", EMZ_TYPE_BYTES},
        {"w", "bf16", EMZ_TYPE_BYTES},
        {NULL, "U8", EMZ_TYPE_BYTES},
        {"w", NULL, EMZ_TYPE_BYTES},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(emz_st_storage_type(cases[i].name, cases[i].dtype), cases[i].type, "%s %s",
                     cases[i].name ? cases[i].name : "(null)",
                     cases[i].dtype ? cases[i].dtype : "(null)");
}

/* ---- scale ---- */

/* 200000 tensors listed from the last offset to the first, 8 bytes each: sorting must be
 * O(n log n) (a quadratic pass would take minutes). */
Test(scale, many_tensors, .timeout = 60) {
    const size_t n = 200000;
    char *json = tu_xmalloc(n * 96 + 16), *p = json;
    *p++ = '{';
    for (size_t i = n; i-- > 0;)
        p += sprintf(p,
                     "%s\"model.layers.%zu.w\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_"
                     "offsets\":[%zu,%zu]}",
                     i + 1 < n ? "," : "", i, 8 * i, 8 * i + 8);
    *p++ = '}';
    emz_st_header h;
    char why[256];
    cr_assert_eq(parse_n(json, (size_t)(p - json), 8 * n, &h, why, sizeof why), EMZ_OK, "%s", why);
    cr_assert_eq(h.count, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(h.tensors[i].begin == 8 * i);
    emz_st_free(&h);
    free(json);
}

/* ---- the real corpus ---- */

static bool ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Parses the header of one file and checks it against what make_corpus.py writes. */
static void check_corpus_file(const char *dir, const char *file) {
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    uint8_t len8[8];
    cr_assert_eq(fread(len8, 1, 8, f), 8, "%s: short", path);
    uint64_t n = tu_get64(len8);
    cr_assert(n <= EMZ_ST_MAX_HEADER, "%s: header length %llu", path, (unsigned long long)n);
    uint8_t *json = tu_xmalloc((size_t)n);
    cr_assert_eq(fread(json, 1, (size_t)n, f), n, "%s: short header", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    fclose(f);
    cr_assert(size >= 0 && (uint64_t)size >= 8 + n);
    uint64_t data_size = (uint64_t)size - 8 - n;

    emz_st_header h;
    char why[512];
    emz_status st = emz_st_parse(json, (size_t)n, data_size, &h, why, sizeof why);
    free(json);
    cr_assert_eq(st, EMZ_OK, "%s: %s", path, why);
    cr_assert(h.count > 0, "%s: no tensors", path);
    cr_assert_eq(h.data_start, 8 + n);
    check_sorted(&h);
    uint64_t at = 0; /* make_corpus.py packs tensors back to back */
    for (size_t i = 0; i < h.count; i++) {
        cr_assert_eq(h.tensors[i].begin, at, "%s: %s begins at %llu, not %llu", path,
                     h.tensors[i].name, (unsigned long long)h.tensors[i].begin,
                     (unsigned long long)at);
        at = h.tensors[i].end;
    }
    cr_assert_eq(at, data_size, "%s: tensors end at %llu of %llu", path, (unsigned long long)at,
                 (unsigned long long)data_size);

    static const struct {
        const char *kind, *dtype;
        emz_type type;
    } kinds[] = {{".bf16.", "BF16", EMZ_TYPE_BF16},        {".f16.", "F16", EMZ_TYPE_FP16},
                 {".f32.", "F32", EMZ_TYPE_FP32},          {".e4m3.", "F8_E4M3", EMZ_TYPE_FP8_E4M3},
                 {".e5m2.", "F8_E5M2", EMZ_TYPE_FP8_E5M2}, {".mxfp4.", "U8", EMZ_TYPE_FP4_E2M1}};
    size_t k = 0;
    while (k < 6 && !strstr(file, kinds[k].kind))
        k++;
    cr_assert(k < 6, "%s: unknown kind of corpus file", path);
    bool fp8 = kinds[k].type == EMZ_TYPE_FP8_E4M3 || kinds[k].type == EMZ_TYPE_FP8_E5M2;
    bool mx = kinds[k].type == EMZ_TYPE_FP4_E2M1;
    size_t main_count = 0, side_count = 0;
    for (size_t i = 0; i < h.count; i++) {
        const emz_st_tensor *t = &h.tensors[i];
        cr_assert_eq(t->type, emz_st_storage_type(t->name, t->dtype));
        if (fp8 && ends_with(t->name, ".scale")) { /* the per-tensor FP32 scale */
            cr_assert(strcmp(t->dtype, "F32") == 0 && t->type == EMZ_TYPE_FP32 &&
                          t->end - t->begin == 4,
                      "%s: %s is %s", path, t->name, t->dtype);
            side_count++;
        } else if (mx && ends_with(t->name, ".scales")) { /* E8M0, one per 32 values */
            cr_assert(strcmp(t->dtype, "U8") == 0 && t->type == EMZ_TYPE_BYTES, "%s: %s", path,
                      t->name);
            side_count++;
        } else {
            if (mx) cr_assert(ends_with(t->name, ".blocks"), "%s: %s", path, t->name);
            cr_assert_str_eq(t->dtype, kinds[k].dtype, "%s: %s", path, t->name);
            cr_assert_eq(t->type, kinds[k].type, "%s: %s has type %d", path, t->name, (int)t->type);
            if (mx) cr_assert(t->dims == 2 && t->shape[1] == 16, "%s: %s", path, t->name);
            main_count++;
        }
    }
    cr_assert(main_count > 0, "%s", path);
    if (fp8 || mx)
        cr_assert_eq(side_count, main_count, "%s", path);
    else
        cr_assert_eq(side_count, 0, "%s", path);
    emz_st_free(&h);
}

Test(corpus, real_headers) {
    static const char *kinds[] = {".bf16.", ".f16.", ".f32.", ".e4m3.", ".e5m2.", ".mxfp4."};
    tc_corpora corpora = tc_corpora_get();
    for (size_t c = 0; c < corpora.n; c++) {
        size_t n;
        char **files = tc_files_of(&corpora.c[c], &n);
        bool kinds_seen[6] = {false}; /* each corpus has every kind */
        for (size_t i = 0; i < n; i++) {
            const char *name = strrchr(files[i], '/') + 1;
            check_corpus_file(corpora.c[c].dir, name);
            for (unsigned k = 0; k < 6; k++)
                kinds_seen[k] |= strstr(name, kinds[k]) != NULL;
        }
        tc_free_files(files, n);
        for (unsigned k = 0; k < 6; k++)
            cr_assert(kinds_seen[k], "no %ssafetensors file in %s", kinds[k], corpora.c[c].dir);
    }
}
