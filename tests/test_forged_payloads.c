/* test_forged_payloads.c - chunk payloads from the independent writer (frame_writer.h): valid
 * ones, of every layout of versions 1 and 2, must decode (with every implementation); each with
 * exactly one field or one layout rule forged must be rejected as corrupt. */
#include "hostile_common.h"

/* ---- the independent writer's frames decode (conformance of the decoder) ---- */

Test(payloads, independent_writer_frames_decode, .timeout = 120) {
    /* sizes over 60000 use 32 KiB chunks, so streams reach 16 lanes */
    static const size_t sizes[] = {NDATA, NDATA + 3, CHUNK + 10, CHUNK + 7, 2 * CHUNK + 1,  1,
                                   2,     3,         5,          31,        2 * 32768 + 101};
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type t = all_types[k];
        for (unsigned si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            size_t n = sizes[si];
            uint8_t *data = tu_xmalloc(n);
            for (int variant = 0; variant < 6; variant++) {
                if (variant == 3)
                    tu_fill_random(data, n, 100 + n);
                else
                    tu_fill_smooth(data, n, t, 200 + n + (uint64_t)variant);
                if (variant ==
                    4) /* low-entropy exponents for the skewed code: few distinct values */
                    for (size_t i = 0; i < n; i++)
                        data[i] = (uint8_t)((i * 7 + i / 13) % 11 + (i % 3) * 16);
                fw_copt o = fw_default_copt();
                char what[128];
                switch (variant) {
                case 0:
                    break; /* automatic: HUFFMAN where possible */
                case 1:
                    fw_copt_modes(&o, FW_RAW);
                    break;
                case 2:
                    o.s[0].code = o.s[1].code = FW_CODE_SKEWED;
                    break;
                case 3:
                    break;
                case 4:
                    o.s[0].code = o.s[1].code = FW_CODE_SKEWED;
                    break;
                case 5:
                    if (t == EMZ_TYPE_FP8_E4M3 || t == EMZ_TYPE_FP8_E5M2 ||
                        t == EMZ_TYPE_FP4_E2M1 || t == EMZ_TYPE_BYTES)
                        o.layout = 1; /* WHOLE */
                    else
                        o.s[1].mode = FW_RAW;
                    o.s[0].code = FW_CODE_SKEWED;
                    break;
                }
                snprintf(what, sizeof what, "independent frame type %s size %zu variant %d",
                         emz_type_name(t), n, variant);
                fw_spec sp = {t, n > 60000 ? 15 : 12, SIZE_MAX, NULL, &o, NULL, NULL, 2};
                size_t fsize;
                uint8_t *frame = fw_build(&sp, data, n, &fsize);
                expect_decodes(what, frame, fsize, data, n);
                free(frame);
            }
            free(data);
        }
    }
}

/* ---- forged payloads from the independent writer ---- */

typedef struct {
    int kind;
    int stream;
    uint32_t value;
} edit_t;

enum {
    ED_NONE,
    ED_LEN_SET,        /* set the code length of the first coded symbol to value */
    ED_LEN_DEC,        /* decrement the longest code length: over-subscribed */
    ED_LEN_INC,        /* increment the shortest code length: incomplete */
    ED_LEN_UNUSED,     /* give an unused symbol inside [first,last] a length: over-subscribed */
    ED_FIRST_GT_LAST,  /* first = last + 1 */
    ED_LANE_ADD,       /* lane[value] size += 1000 (the last lane if there are fewer) */
    ED_LANE_SET,       /* lane 3 (or the last) size = value */
    ED_LANE_WRAP,      /* lane 0 += 2^31, lane 1 -= 2^31 */
    ED_LANE_SHIFT,     /* lane 0 += 1, lane 1 -= 1 (sum unchanged) */
    ED_LANE_PAD,       /* lane 0 gets an extra 0 byte (size and payload both grow) */
    ED_LANE_SHORT,     /* lane 0 loses its last byte (size and payload both shrink) */
    ED_LANE_ALL_IN_0,  /* lane 0 size = sum of all, others 0 */
    ED_EXTRA_BYTE,     /* one byte appended to the payload */
    ED_DROP_LAST,      /* the payload's last byte removed */
    ED_RAW_PAD_BIT,    /* set an unused bit of a RAW stream's last byte */
    ED_LANE_PAD_BIT,   /* set a padding bit of lane 0 */
    ED_LEN_PAD_NIBBLE, /* set the unused final nibble of the lengths */
    ED_TABLE_PAD_BIT,  /* set the highest bit of the code table's last byte */
    ED_TABLE_CUT,      /* end the payload after the first byte of a compact table's bits */
    ED_MODE,           /* overwrite the stream's mode byte with value */
    ED_LEB_OVERLONG,   /* lane 0's LEB128 size with superfluous zero groups */
    ED_LEB_BIG,        /* lane 0's LEB128 size >= 2^32 */
    ED_DROP_STREAM,    /* the stream removed */
    ED_DUP_STREAM,     /* the stream written twice */
    ED_STREAM_SHORT,   /* the stream's last byte removed (sizes in it unchanged) */
};

static void apply_edit(fw_buf *pl, const fw_ploc *loc, void *ctx) {
    const edit_t *e = ctx;
    const fw_sloc *s = &loc->s[e->stream];
    uint8_t *p = pl->p;
    switch (e->kind) {
    case ED_NONE:
        break;
    case ED_MODE:
        p[s->mode_off] = (uint8_t)e->value;
        break;
    case ED_LEN_SET:
    case ED_LEN_DEC:
    case ED_LEN_INC: {
        int target = -1, best = e->kind == ED_LEN_INC ? 99 : -1;
        for (int sym = s->first; sym <= s->last; sym++) {
            int l = s->lengths[sym];
            if (!l) continue;
            if (e->kind == ED_LEN_SET) {
                target = sym;
                break;
            }
            if (e->kind == ED_LEN_DEC && l > best && l > 1) {
                best = l;
                target = sym;
            }
            if (e->kind == ED_LEN_INC && l < best && l < 11) {
                best = l;
                target = sym;
            }
        }
        cr_assert(target >= 0, "no symbol to edit");
        unsigned nl = e->kind == ED_LEN_SET   ? e->value
                      : e->kind == ED_LEN_DEC ? (unsigned)best - 1
                                              : (unsigned)best + 1;
        size_t at = s->lens_off + (size_t)(target - s->first) / 2;
        int shift = ((target - s->first) & 1) * 4;
        p[at] = (uint8_t)((p[at] & ~(15 << shift)) | (nl & 15) << shift);
        break;
    }
    case ED_LEN_UNUSED: {
        int target = -1;
        for (int sym = s->first; sym <= s->last; sym++)
            if (!s->lengths[sym]) {
                target = sym;
                break;
            }
        cr_assert(target >= 0, "no unused symbol in range");
        size_t at = s->lens_off + (size_t)(target - s->first) / 2;
        int shift = ((target - s->first) & 1) * 4;
        p[at] = (uint8_t)(p[at] | (unsigned)e->value << shift);
        break;
    }
    case ED_FIRST_GT_LAST:
        if (s->last < 255)
            p[s->table_off] = (uint8_t)(s->last + 1);
        else if (s->first > 0)
            p[s->table_off + 1] = (uint8_t)(s->first - 1);
        else {
            p[s->table_off] = 1;
            p[s->table_off + 1] = 0;
        }
        cr_assert(p[s->table_off] > p[s->table_off + 1]);
        break;
    case ED_LANE_ADD:
    case ED_LANE_SET:
    case ED_LANE_WRAP:
    case ED_LANE_SHIFT:
    case ED_LANE_ALL_IN_0: {
        uint64_t sz[16];
        unsigned L = s->nlanes;
        for (unsigned k = 0; k < L; k++)
            sz[k] = s->lane_size[k];
        if (e->kind == ED_LANE_ADD) sz[e->value < L ? e->value : L - 1] += 1000;
        if (e->kind == ED_LANE_SET) sz[L > 3 ? 3 : L - 1] = e->value;
        if (e->kind == ED_LANE_WRAP || e->kind == ED_LANE_SHIFT || e->kind == ED_LANE_ALL_IN_0)
            cr_assert(L >= 2, "edit needs two lanes");
        if (e->kind == ED_LANE_WRAP) {
            sz[0] = (sz[0] + 0x80000000u) & 0xFFFFFFFFu;
            sz[1] = (sz[1] - 0x80000000u) & 0xFFFFFFFFu;
        }
        if (e->kind == ED_LANE_SHIFT) {
            sz[0]++;
            sz[1]--;
        }
        if (e->kind == ED_LANE_ALL_IN_0)
            for (unsigned k = 1; k < L; k++) {
                sz[0] += sz[k];
                sz[k] = 0;
            }
        uint8_t tab[16 * 10];
        size_t tn = 0;
        for (unsigned k = 0; k < L; k++)
            tn += fw_leb128(tab + tn, sz[k]);
        fw_remove(pl, s->lane_tab_off, s->lanes_off - s->lane_tab_off);
        fw_insert(pl, s->lane_tab_off, tn, 0);
        memcpy(pl->p + s->lane_tab_off, tab, tn);
        break;
    }
    case ED_LEB_OVERLONG: /* lane 0's size with `value` superfluous zero groups */
    case ED_LEB_BIG: {    /* lane 0's size + 2^32 (5 bytes, value too large) */
        uint8_t tab[16];
        size_t tn =
            fw_leb128(tab, s->lane_size[0] + (e->kind == ED_LEB_BIG ? (uint64_t)1 << 32 : 0));
        if (e->kind == ED_LEB_OVERLONG) {
            for (uint32_t z = 0; z < e->value; z++) {
                tab[tn - 1] |= 0x80;
                tab[tn++] = 0;
            }
        }
        size_t old = fw_leb128((uint8_t[10]){0}, s->lane_size[0]);
        fw_remove(pl, s->lane_tab_off, old);
        fw_insert(pl, s->lane_tab_off, tn, 0);
        memcpy(pl->p + s->lane_tab_off, tab, tn);
        break;
    }
    case ED_LANE_PAD: {
        uint8_t tab[10];
        size_t old = fw_leb128(tab, s->lane_size[0]), nw = fw_leb128(tab, s->lane_size[0] + 1);
        fw_insert(pl, s->lanes_off + s->lane_size[0], 1, 0);
        fw_remove(pl, s->lane_tab_off, old);
        fw_insert(pl, s->lane_tab_off, nw, 0);
        memcpy(pl->p + s->lane_tab_off, tab, nw);
        break;
    }
    case ED_LANE_SHORT: {
        cr_assert(s->lane_size[0] > 0);
        uint8_t tab[10];
        size_t old = fw_leb128(tab, s->lane_size[0]), nw = fw_leb128(tab, s->lane_size[0] - 1);
        fw_remove(pl, s->lanes_off + s->lane_size[0] - 1, 1);
        fw_remove(pl, s->lane_tab_off, old);
        fw_insert(pl, s->lane_tab_off, nw, 0);
        memcpy(pl->p + s->lane_tab_off, tab, nw);
        break;
    }
    case ED_DROP_STREAM:
        fw_remove(pl, s->mode_off, s->end - s->mode_off);
        break;
    case ED_DUP_STREAM:
        fw_insert(pl, s->end, s->end - s->mode_off, 0);
        memcpy(pl->p + s->end, pl->p + s->mode_off, s->end - s->mode_off);
        break;
    case ED_STREAM_SHORT:
        cr_assert(s->end > s->body_off, "empty stream body");
        fw_remove(pl, s->end - 1, 1);
        break;
    case ED_EXTRA_BYTE:
        fw_u8(pl, 0);
        break;
    case ED_DROP_LAST:
        pl->n--;
        break;
    case ED_RAW_PAD_BIT:
        p[s->end - 1] |= 0x80;
        break;
    case ED_LANE_PAD_BIT: {
        uint32_t l0 = s->lane_size[0];
        cr_assert(l0 > 0);
        p[s->lanes_off + l0 - 1] |= 0x80;
        break;
    }
    case ED_TABLE_PAD_BIT:
        p[s->lane_tab_off - 1] |= 0x80;
        break;
    case ED_TABLE_CUT:
        cr_assert(s->form == FW_FORM_COMPACT && s->lane_tab_off - s->lens_off >= 2);
        pl->n = s->lens_off + 1;
        break;
    case ED_LEN_PAD_NIBBLE: {
        cr_assert(((s->last - s->first + 1) & 1) == 1, "no unused nibble");
        p[s->lens_off + (size_t)(s->last - s->first) / 2] |= 0x10;
        break;
    }
    }
}

/* Builds a frame of the given version of `data` (3 chunks of 4 KiB for NDATA bytes) with chunk 1
 * forged, checks it is rejected. The same frame without the edit must decode (so the forgery,
 * not the writer, causes the rejection). */
static uint8_t *build_forged(unsigned version, const char *what, emz_type type, const uint8_t *data,
                             size_t n, const fw_copt *o, edit_t e, int expect_valid_without_edit,
                             size_t *fsize) {
    fw_spec sp = {type, 12, 1, o, NULL, apply_edit, &e, version};
    if (expect_valid_without_edit) {
        edit_t none = {ED_NONE, 0, 0};
        sp.edit_ctx = &none;
        uint8_t *ok = fw_build(&sp, data, n, fsize);
        char w2[160];
        snprintf(w2, sizeof w2, "%s (unforged control)", what);
        expect_decodes(w2, ok, *fsize, data, n);
        free(ok);
        sp.edit_ctx = &e;
    }
    return fw_build(&sp, data, n, fsize);
}

static void forge_v(unsigned version, const char *what, emz_type type, const uint8_t *data,
                    size_t n, const fw_copt *o, edit_t e, int expect_valid_without_edit) {
    size_t fsize;
    uint8_t *frame =
        build_forged(version, what, type, data, n, o, e, expect_valid_without_edit, &fsize);
    expect_corrupt(what, frame, fsize, data, n, 1, 1);
    free(frame);
}

/* Edits of the nibble form's bytes are made in version 1 frames, where every table has that
 * form (version 2 writes it only where the compact form is not smaller); the compact form has
 * forgeries of its own (compact_code_tables). */
static void forge(const char *what, emz_type type, const uint8_t *data, size_t n, const fw_copt *o,
                  edit_t e, int expect_valid_without_edit) {
    int nibbles = e.kind == ED_LEN_SET || e.kind == ED_LEN_DEC || e.kind == ED_LEN_INC ||
                  e.kind == ED_LEN_UNUSED || e.kind == ED_LEN_PAD_NIBBLE;
    forge_v(nibbles ? 1 : 2, what, type, data, n, o, e, expect_valid_without_edit);
}

Test(payloads, forged_payloads, .timeout = 300) {
    uint8_t *data = smooth_bf16(NDATA, 6);
    fw_copt huff = fw_default_copt();
    huff.s[0].mode = huff.s[1].mode = FW_HUFFMAN;
    fw_copt o;

    /* layout */
    o = huff;
    o.layout_byte = 2;
    forge("layout byte 2", EMZ_TYPE_BF16, data, NDATA, &o, (edit_t){ED_NONE, 0, 0}, 0);
    o = huff;
    o.layout_byte = 255;
    forge("layout byte 255", EMZ_TYPE_BF16, data, NDATA, &o, (edit_t){ED_NONE, 0, 0}, 0);
    static const emz_type no_whole[] = {EMZ_TYPE_BF16, EMZ_TYPE_FP16, EMZ_TYPE_FP32};
    for (int i = 0; i < 3; i++) { /* version 1: WHOLE only for the 1-byte types and FP4 */
        uint8_t *d2 = tu_xmalloc(NDATA);
        tu_fill_smooth(d2, NDATA, no_whole[i], 60 + (uint64_t)i);
        o = fw_default_copt();
        o.layout = 1;
        char what[64];
        snprintf(what, sizeof what, "version 1: WHOLE layout for %s", emz_type_name(no_whole[i]));
        forge_v(1, what, no_whole[i], d2, NDATA, &o, (edit_t){ED_NONE, 0, 0}, 0);
        free(d2);
    }
    { /* SPLIT for bytes: a SPLIT layout byte in front of a WHOLE body */
        uint8_t *d2 = tu_xmalloc(NDATA);
        tu_fill_smooth(d2, NDATA, EMZ_TYPE_BYTES, 61);
        o = fw_default_copt();
        o.layout_byte = 0;
        forge("SPLIT layout for bytes", EMZ_TYPE_BYTES, d2, NDATA, &o, (edit_t){ED_NONE, 0, 0}, 0);
        free(d2);
    }

    /* stream modes */
    for (int s = 0; s < 2; s++) {
        static const unsigned modes[] = {1, 2, 4, 0x80, 0xFF};
        for (int m = 0; m < 4; m++) {
            char what[64];
            snprintf(what, sizeof what, "stream %d mode %u", s, modes[m]);
            forge(what, EMZ_TYPE_BF16, data, NDATA, &huff, (edit_t){ED_MODE, s, modes[m]}, m == 0);
            fw_copt raw = fw_default_copt();
            raw.s[0].mode = raw.s[1].mode = FW_RAW;
            snprintf(what, sizeof what, "RAW stream %d mode %u", s, modes[m]);
            forge(what, EMZ_TYPE_BF16, data, NDATA, &raw, (edit_t){ED_MODE, s, modes[m]}, m == 0);
        }
    }

    /* Huffman code tables */
    for (int s = 0; s < 2; s++) {
        char what[96];
        for (unsigned l = 12; l <= 15; l++) {
            snprintf(what, sizeof what, "stream %d: code length %u", s, l);
            forge(what, EMZ_TYPE_BF16, data, NDATA, &huff, (edit_t){ED_LEN_SET, s, l},
                  s == 0 && l == 12);
        }
        snprintf(what, sizeof what, "stream %d: over-subscribed code", s);
        forge(what, EMZ_TYPE_BF16, data, NDATA, &huff, (edit_t){ED_LEN_DEC, s, 0}, 0);
        snprintf(what, sizeof what, "stream %d: incomplete code", s);
        forge(what, EMZ_TYPE_BF16, data, NDATA, &huff, (edit_t){ED_LEN_INC, s, 0}, 0);
        { /* first/last must be the smallest/largest symbols with codes */
            fw_copt o2 = huff;
            o2.s[s].first =
                0; /* smooth BF16 chunk 1: no exponent 0; the sign+mantissa stream may have one */
            snprintf(what, sizeof what, "stream %d: first symbol without a code", s);
            if (s == 0) forge(what, EMZ_TYPE_BF16, data, NDATA, &o2, (edit_t){ED_NONE, 0, 0}, 0);
            o2 = huff;
            o2.s[0].last = 255;
            snprintf(what, sizeof what, "stream 0: last symbol without a code");
            if (s == 0) forge(what, EMZ_TYPE_BF16, data, NDATA, &o2, (edit_t){ED_NONE, 0, 0}, 0);
        }
        snprintf(what, sizeof what, "stream %d: first > last", s);
        forge(what, EMZ_TYPE_BF16, data, NDATA, &huff, (edit_t){ED_FIRST_GT_LAST, s, 0}, 0);
    }
    { /* an unused symbol inside [first, last] given a length: over-subscribed */
        uint8_t *d2 = tu_xmalloc(NDATA);
        memcpy(d2, data, NDATA);
        for (size_t i = CHUNK; i < 2 * CHUNK; i += 2)
            tu_put16(d2 + i, (uint16_t)((i & 64 ? 0x3C : 0x40) << 7 | (i & 0x7F)));
        fw_copt o2 = huff;
        static uint8_t lens[256];
        memset(lens, 0, sizeof lens);
        /* exponents of chunk 1 are 0x3C and 0x40: give them 1-bit codes, leave the gap unused */
        lens[0x3C] = 1;
        lens[0x40] = 1;
        o2.s[0].lengths = lens;
        forge("unused symbol with a length (over-subscribed)", EMZ_TYPE_BF16, d2, NDATA, &o2,
              (edit_t){ED_LEN_UNUSED, 0, 3}, 1);
        /* codes that are not complete but still encode this data consistently: a decoder that
         * skips the Kraft check would decode these lanes without noticing */
        static uint8_t inc[256], over[256];
        memset(inc, 0, sizeof inc);
        inc[0x3C] = 1;
        inc[0x40] = 2; /* Kraft sum 3/4 */
        o2.s[0].lengths = inc;
        forge("incomplete code used consistently", EMZ_TYPE_BF16, d2, NDATA, &o2,
              (edit_t){ED_NONE, 0, 0}, 0);
        memset(over, 0, sizeof over);
        over[0x3C] = 1;
        over[0x40] = 1;
        over[0x3D] =
            11; /* unused, Kraft sum 1 + 1/2048; the codes of 0x3C and 0x40 are unchanged */
        o2.s[0].lengths = over;
        forge("over-subscribed code (extra unused 11-bit symbol)", EMZ_TYPE_BF16, d2, NDATA, &o2,
              (edit_t){ED_NONE, 0, 0}, 0);
        over[0x3D] = 0;
        over[0x3E] = 1; /* three 1-bit codes: the third's code overflows */
        forge("over-subscribed code (three 1-bit codes)", EMZ_TYPE_BF16, d2, NDATA, &o2,
              (edit_t){ED_NONE, 0, 0}, 0);
        /* a single-symbol table: only one symbol has a code */
        for (size_t i = CHUNK; i < 2 * CHUNK; i += 2)
            tu_put16(d2 + i, (uint16_t)(0x78 << 7 | (i & 0x7F)));
        static uint8_t one[256];
        memset(one, 0, sizeof one);
        one[0x78] = 1;
        o2.s[0].lengths = one;
        forge("single-symbol Huffman table (length 1)", EMZ_TYPE_BF16, d2, NDATA, &o2,
              (edit_t){ED_NONE, 0, 0}, 0);
        one[0x78] = 0;
        forge("Huffman table without codes", EMZ_TYPE_BF16, d2, NDATA, &o2, (edit_t){ED_NONE, 0, 0},
              0);
        free(d2);
    }
    { /* last >= 2^w: FP8 E4M3 exponents have w = 4, FP4 exponents w = 2 */
        static const emz_type ts[] = {EMZ_TYPE_FP8_E4M3, EMZ_TYPE_FP4_E2M1, EMZ_TYPE_FP8_E5M2};
        static const int lim[] = {16, 4, 32};
        for (int i = 0; i < 3; i++) {
            uint8_t *d2 = tu_xmalloc(NDATA);
            tu_fill_smooth(d2, NDATA, ts[i], 70 + (uint64_t)i);
            fw_copt o2 = huff;
            o2.s[0].last = lim[i];
            char what[64];
            snprintf(what, sizeof what, "%s: exponent code last = %d", emz_type_name(ts[i]),
                     lim[i]);
            forge(what, ts[i], d2, NDATA, &o2, (edit_t){ED_NONE, 0, 0}, 0);
            o2 = huff;
            o2.s[1].last = 255;
            snprintf(what, sizeof what, "%s: sign+mantissa code last = 255", emz_type_name(ts[i]));
            forge(what, ts[i], d2, NDATA, &o2, (edit_t){ED_NONE, 0, 0}, 0);
            free(d2);
        }
    }
    { /* HUFFMAN for w > 8: version 1 sign+mantissa streams of FP16 and FP32 */
        uint8_t *d2 = tu_xmalloc(NDATA);
        tu_fill_smooth(d2, NDATA, EMZ_TYPE_FP16, 80);
        fw_copt o2 = fw_default_copt();
        o2.s[1].mode =
            FW_HUFFMAN; /* w = 11: the writer emits a RAW body behind the HUFFMAN mode byte */
        forge_v(1, "version 1: HUFFMAN on an 11-bit stream", EMZ_TYPE_FP16, d2, NDATA, &o2,
                (edit_t){ED_NONE, 0, 0}, 0);
        tu_fill_smooth(d2, NDATA, EMZ_TYPE_FP32, 81);
        forge_v(1, "version 1: HUFFMAN on a 24-bit stream", EMZ_TYPE_FP32, d2, NDATA, &o2,
                (edit_t){ED_NONE, 0, 0}, 0);
        free(d2);
    }

    /* lanes: BF16 chunks of 4 KiB have 2048 symbols a stream (1 lane), FP8 ones 4096 (4 lanes) */
    {
        uint8_t *e4 = tu_xmalloc(NDATA);
        tu_fill_smooth(e4, NDATA, EMZ_TYPE_FP8_E4M3, 66);
        for (int ty = 0; ty < 2; ty++) {
            emz_type t = ty ? EMZ_TYPE_FP8_E4M3 : EMZ_TYPE_BF16;
            const uint8_t *d = ty ? e4 : data;
            for (int s = 0; s < 2; s++) {
                char what[96];
                static const struct {
                    int kind;
                    uint32_t v;
                    int multi;
                    const char *n;
                } le[] = {
                    {ED_LANE_ADD, 0, 0, "lane 0 + 1000"},
                    {ED_LANE_ADD, 15, 0, "last lane + 1000"},
                    {ED_LANE_SET, 0xFFFFFFFFu, 0, "lane 3 = 2^32-1"},
                    {ED_LANE_SET, 0x80000000u, 0, "lane 3 = 2^31"},
                    {ED_LANE_SET, 0, 0, "lane 3 = 0"},
                    {ED_LANE_WRAP, 0, 1, "lanes wrap mod 2^32"},
                    {ED_LANE_SHIFT, 0, 1, "lane 0 + 1, lane 1 - 1"},
                    {ED_LANE_PAD, 0, 0, "lane 0 one byte too long"},
                    {ED_LANE_SHORT, 0, 0, "lane 0 one byte short"},
                    {ED_LANE_ALL_IN_0, 0, 1, "all lanes in lane 0"},
                    {ED_LEB_OVERLONG, 1, 0, "LEB128 with a superfluous zero group"},
                    {ED_LEB_OVERLONG, 3, 0, "LEB128 of 5+ bytes"},
                    {ED_LEB_BIG, 0, 0, "LEB128 >= 2^32"},
                };
                for (unsigned i = 0; i < sizeof le / sizeof le[0]; i++) {
                    if (le[i].multi && !ty) continue;
                    snprintf(what, sizeof what, "%s stream %d: %s", emz_type_name(t), s, le[i].n);
                    forge(what, t, d, NDATA, &huff, (edit_t){le[i].kind, s, le[i].v}, i == 0);
                }
            }
        }
        free(e4);
    }

    /* CONSTANT values out of range */
    {
        static const struct {
            emz_type t;
            int stream;
            int64_t v;
            unsigned version;
        } cv[] = {
            {EMZ_TYPE_FP8_E4M3, 0, 16, 2},   {EMZ_TYPE_FP8_E4M3, 1, 16, 2},
            {EMZ_TYPE_FP8_E5M2, 0, 32, 2},   {EMZ_TYPE_FP8_E5M2, 1, 8, 2},
            {EMZ_TYPE_FP4_E2M1, 0, 4, 2},    {EMZ_TYPE_FP4_E2M1, 1, 4, 2},
            {EMZ_TYPE_FP16, 0, 32, 2},       {EMZ_TYPE_FP16, 2, 8, 2},
            {EMZ_TYPE_FP16, 2, 0xFF, 2},     {EMZ_TYPE_FP16, 0, 32, 1},
            {EMZ_TYPE_FP16, 1, 2048, 1},     {EMZ_TYPE_FP16, 1, 0xFFFF, 1},
            {EMZ_TYPE_BF16, 1, 0xFF + 1, 2},
        };
        for (unsigned i = 0; i < sizeof cv / sizeof cv[0]; i++) {
            uint8_t *d2 = tu_xmalloc(NDATA);
            tu_fill_smooth(d2, NDATA, cv[i].t, 90 + i);
            fw_copt o2 = fw_default_copt();
            o2.s[cv[i].stream].mode = FW_CONSTANT;
            o2.s[cv[i].stream].const_value = cv[i].v;
            char what[80];
            snprintf(what, sizeof what, "version %u: %s stream %d CONSTANT %lld", cv[i].version,
                     emz_type_name(cv[i].t), cv[i].stream, (long long)cv[i].v);
            if (cv[i].t == EMZ_TYPE_BF16) { /* w = 8 holds any byte value: nothing to forge */
                free(d2);
                continue;
            }
            forge_v(cv[i].version, what, cv[i].t, d2, NDATA, &o2, (edit_t){ED_NONE, 0, 0}, 0);
            free(d2);
        }
    }

    /* payload length */
    forge("payload with an extra byte", EMZ_TYPE_BF16, data, NDATA, &huff,
          (edit_t){ED_EXTRA_BYTE, 0, 0}, 0);
    forge("payload missing its last byte", EMZ_TYPE_BF16, data, NDATA, &huff,
          (edit_t){ED_DROP_LAST, 1, 0}, 0);
    {
        fw_copt raw = fw_default_copt();
        raw.s[0].mode = raw.s[1].mode = FW_RAW;
        forge("RAW payload with an extra byte", EMZ_TYPE_BF16, data, NDATA, &raw,
              (edit_t){ED_EXTRA_BYTE, 0, 0}, 0);
        forge("RAW payload missing its last byte", EMZ_TYPE_BF16, data, NDATA, &raw,
              (edit_t){ED_DROP_LAST, 0, 0}, 1);
        fw_copt cst = fw_default_copt();
        uint8_t *d2 = tu_xmalloc(NDATA);
        memset(d2, 0x3F, NDATA);
        forge("CONSTANT payload with an extra byte", EMZ_TYPE_BF16, d2, NDATA, &cst,
              (edit_t){ED_EXTRA_BYTE, 0, 0}, 1);
        forge("CONSTANT payload missing its last byte", EMZ_TYPE_BF16, d2, NDATA, &cst,
              (edit_t){ED_DROP_LAST, 0, 0}, 0);
        free(d2);
    }
    free(data);
}

/* Code tables of the compact form (FORMAT.md, "Code table") in version 2 frames: the exponents
 * of chunk 1 cycle through eight neighbours, 0x3C..0x43, so that the compact form of their
 * table is smaller than the nibble form (11 bits against 4 bytes for eight 3-bit codes); each
 * invalid table is refused. */
Test(payloads, compact_code_tables, .timeout = 120) {
    uint8_t *d2 = smooth_bf16(NDATA, 8);
    for (size_t i = CHUNK; i < 2 * CHUNK; i += 2)
        tu_put16(d2 + i, (uint16_t)((0x3C + ((i - CHUNK) / 2) % 8) << 7 | (i & 0x7F)));
    fw_copt o = fw_default_copt();
    o.s[0].mode = o.s[1].mode = FW_HUFFMAN;
    static uint8_t lens[256];
    memset(lens, 0, sizeof lens);
    memset(lens + 0x3C, 3, 8);
    o.s[0].lengths = lens;
    o.s[0].form = FW_FORM_COMPACT;
    forge_v(2, "compact table: a nonzero padding bit", EMZ_TYPE_BF16, d2, NDATA, &o,
            (edit_t){ED_TABLE_PAD_BIT, 0, 0}, 1);
    o.s[0].form = FW_FORM_NIBBLE;
    forge_v(2, "nibble table where the compact form is smaller", EMZ_TYPE_BF16, d2, NDATA, &o,
            (edit_t){ED_NONE, 0, 0}, 0);
    o.s[0].form = FW_FORM_COMPACT;
    lens[0x43] = 4;
    forge_v(2, "compact table: incomplete code", EMZ_TYPE_BF16, d2, NDATA, &o,
            (edit_t){ED_NONE, 0, 0}, 0);
    lens[0x43] = 3, lens[0x3C] = 2;
    forge_v(2, "compact table: over-complete code", EMZ_TYPE_BF16, d2, NDATA, &o,
            (edit_t){ED_NONE, 0, 0}, 0);
    lens[0x3C] = 3, lens[0x43] = 12;
    forge_v(2, "compact table: a length of 12 (escape)", EMZ_TYPE_BF16, d2, NDATA, &o,
            (edit_t){ED_NONE, 0, 0}, 0);
    lens[0x43] = 3;
    { /* one symbol with a code, and last (0x43) without one */
        fw_copt o2 = o;
        static uint8_t one[256];
        memset(one, 0, sizeof one);
        one[0x3C] = 1;
        o2.s[0].lengths = one;
        o2.s[0].last = 0x43;
        uint8_t *d3 = tu_xmalloc(NDATA);
        memcpy(d3, d2, NDATA);
        for (size_t i = CHUNK; i < 2 * CHUNK; i += 2)
            tu_put16(d3 + i, (uint16_t)(0x3C << 7 | (i & 0x7F)));
        forge_v(2, "compact table: one symbol", EMZ_TYPE_BF16, d3, NDATA, &o2,
                (edit_t){ED_NONE, 0, 0}, 0);
        /* two 1-bit codes, 0x3C and 0x3D: 5 bits, one byte either way, so only the nibble form */
        one[0x3D] = 1;
        o2.s[0].last = -1;
        for (size_t i = CHUNK; i < 2 * CHUNK; i += 2)
            tu_put16(d3 + i, (uint16_t)((0x3C + (i / 2 & 1)) << 7 | (i & 0x7F)));
        forge_v(2, "compact table not smaller than the nibble form", EMZ_TYPE_BF16, d3, NDATA, &o2,
                (edit_t){ED_NONE, 0, 0}, 0);
        o2.s[0].form = FW_FORM_AUTO;
        size_t fsize;
        uint8_t *ok = build_forged(2, "two 1-bit codes, nibble form", EMZ_TYPE_BF16, d3, NDATA, &o2,
                                   (edit_t){ED_NONE, 0, 0}, 1, &fsize);
        free(ok);
        free(d3);
    }
    /* the payload ending inside the exponents' compact table (11 bits, 2 bytes: cut after 1) */
    o.s[0].form = FW_FORM_AUTO;
    forge_v(2, "compact table cut by the end of the payload", EMZ_TYPE_BF16, d2, NDATA, &o,
            (edit_t){ED_TABLE_CUT, 0, 0}, 1);
    o.s[0].form = FW_FORM_COMPACT;
    /* the same tables are nibble tables in version 1: a compact one is invalid there */
    forge_v(1, "version 1: a compact table", EMZ_TYPE_BF16, d2, NDATA, &o, (edit_t){ED_NONE, 0, 0},
            0);
    free(d2);
}

/* A frame whose only chunk holds no whole element (m = 0): the streams are empty. SPLIT (one
 * sign+mantissa stream in version 1, planes in version 2) and BYTES (version 2). */
Test(payloads, empty_streams) {
    static const emz_type ts[] = {EMZ_TYPE_BF16, EMZ_TYPE_FP16, EMZ_TYPE_FP32};
    for (int i = 0; i < 3; i++)
        for (int lv = 0; lv < 3; lv++) {
            unsigned version = lv == 0 ? 1 : 2;
            uint8_t d[3] = {0xAB, 0xCD, 0xEF};
            size_t n = tu_elem_bytes(ts[i]) - 1;
            fw_copt o = fw_default_copt();
            o.layout = lv == 2 ? FW_BYTES : FW_SPLIT;
            fw_copt_modes(&o, FW_RAW);
            size_t sn[FW_MAX_STREAMS], tail;
            unsigned sw[FW_MAX_STREAMS];
            int count = fw_chunk_streams(ts[i], version, &o, d, n, NULL, sn, sw, &tail);
            cr_assert(tail == n && sn[0] == 0);
            fw_spec sp = {ts[i], 12, SIZE_MAX, NULL, &o, NULL, NULL, version};
            size_t fsize;
            uint8_t *frame = fw_build(&sp, d, n, &fsize);
            cr_assert(fsize == 32 + 1 + (size_t)count + n + 12, "writer: %zu", fsize);
            char what[96];
            snprintf(what, sizeof what, "version %u %s layout %d: tail-only chunk, RAW streams",
                     version, emz_type_name(ts[i]), o.layout);
            expect_decodes(what, frame, fsize, d, n);
            free(frame);
            for (int s = 0; s < count; s++)
                for (int mode = FW_CONSTANT; mode; mode = mode == FW_CONSTANT ? FW_HUFFMAN : 0) {
                    fw_copt o2 = o;
                    o2.s[s].mode = mode;
                    sp.all = &o2;
                    frame = fw_build(&sp, d, n, &fsize);
                    snprintf(what, sizeof what, "version %u %s layout %d: %s stream %d with n = 0",
                             version, emz_type_name(ts[i]), o.layout,
                             mode == FW_CONSTANT ? "CONSTANT" : "HUFFMAN", s);
                    expect_corrupt(what, frame, fsize, d, n, 0, 1);
                    free(frame);
                }
            /* tail missing / tail too long */
            sp.all = &o;
            frame = fw_build(&sp, d, n, &fsize);
            fw_layout L = fw_parse(frame, fsize);
            uint8_t *f2 = tu_xmalloc(fsize + 1);
            /* drop the tail's last byte: payload size - 1 */
            memcpy(f2, frame, 32 + L.payload_size[0] - 1);
            memcpy(f2 + 32 + L.payload_size[0] - 1, frame + L.index_off, 12);
            tu_put32(f2 + 32 + L.payload_size[0] - 1, L.payload_size[0] - 1);
            fw_fix_index(f2, fsize - 1);
            expect_corrupt("tail one byte short", f2, fsize - 1, d, n, 0, 1);
            free(f2);
            free(frame);
        }
}

/* Fields the format says are zero: padding bits and nibbles. A decoder that ignores them
 * accepts frames that are not valid; FORMAT.md asks for rejection of any invalid frame. */
Test(payloads, zero_padding_enforced) {
    uint8_t *data = tu_xmalloc(NDATA + 1);
    tu_fill_smooth(data, NDATA + 1, EMZ_TYPE_FP8_E4M3, 7);
    fw_copt o = fw_default_copt();
    o.s[0].mode = FW_RAW;
    /* chunk 1 has an even number of 4-bit symbols: use 3 chunks + 1 so that the last one is odd */
    {
        uint8_t small[CHUNK + 1];
        memcpy(small, data, sizeof small);
        fw_spec sp = {EMZ_TYPE_FP8_E4M3, 12, 1, &o, NULL, apply_edit, NULL, 2};
        edit_t e = {ED_RAW_PAD_BIT, 0, 0};
        sp.edit_ctx = &e;
        size_t fsize;
        uint8_t *frame = fw_build(&sp, small, sizeof small, &fsize);
        expect_corrupt("RAW stream with a nonzero padding bit", frame, fsize, small, sizeof small,
                       1, 1);
        free(frame);
    }
    fw_copt h = fw_default_copt();
    h.s[0].mode = h.s[1].mode = FW_HUFFMAN;
    uint8_t *b = smooth_bf16(NDATA, 8);
    /* chunk 1's exponents cycle through 0x78, 0x79, 0x7A with code lengths 1, 2, 2: lane 0 holds
     * 128 symbols, 43 of length 1 and 85 of length 2: 213 bits, so bits 5..7 of its last byte
     * are padding; 3 lengths leave an unused final nibble */
    static uint8_t lens[256];
    memset(lens, 0, sizeof lens);
    lens[0x78] = 1;
    lens[0x79] = 2;
    lens[0x7A] = 2;
    fw_copt h2 = h;
    h2.s[0].lengths = lens;
    uint8_t *d2 = tu_xmalloc(NDATA);
    memcpy(d2, b, NDATA);
    for (size_t i = CHUNK; i < 2 * CHUNK; i += 2)
        tu_put16(d2 + i, (uint16_t)((0x78 + ((i - CHUNK) / 2) % 3) << 7 | (i & 0x7F)));
    forge("Huffman lane with a nonzero padding bit", EMZ_TYPE_BF16, d2, NDATA, &h2,
          (edit_t){ED_LANE_PAD_BIT, 0, 0}, 1);
    forge("nonzero unused nibble after the code lengths", EMZ_TYPE_BF16, d2, NDATA, &h2,
          (edit_t){ED_LEN_PAD_NIBBLE, 0, 0}, 0);
    free(d2);
    free(b);
    free(data);
}

/* ---- the layouts of versions 2 and 1, with every implementation ---- */

static const int stream_modes[3] = {FW_RAW, FW_CONSTANT, FW_HUFFMAN};

/* The layouts a version allows for a type. */
static int valid_layouts(emz_type t, unsigned version, int layouts[3]) {
    int k = 0;
    if (t != EMZ_TYPE_BYTES) layouts[k++] = FW_SPLIT;
    if (version >= 2 || fw_tp(t).esize <= 1) layouts[k++] = FW_WHOLE;
    if (version >= 2 && fw_tp(t).esize >= 2) layouts[k++] = FW_BYTES;
    return k;
}

/* The independent reader's layout counter for a layout (frame_reader.h). */
static int reader_layout_index(emz_type t, unsigned version, const fw_copt *o) {
    int layout = fw_layout_of(t, o);
    return layout == FW_WHOLE ? 2 : layout == FW_BYTES ? 3 : fw_has_planes(t, version, o);
}

/* Makes stream i of every chunk hold one value: clears its bits in every element (the tail
 * excluded), or for WHOLE sets every byte to one value. */
static void make_stream_constant(uint8_t *data, size_t n, emz_type t, unsigned version,
                                 const fw_copt *o, int i) {
    uint32_t bits = fw_stream_bits(t, version, o, i);
    fw_tparams tp = fw_tp(t);
    if (!bits)
        memset(data, 0x3C, n);
    else if (t == EMZ_TYPE_FP4_E2M1)
        for (size_t j = 0; j < n; j++)
            data[j] &= (uint8_t) ~(bits | bits << 4);
    else
        for (size_t j = 0; j + tp.esize <= n; j += tp.esize)
            for (unsigned k = 0; k < tp.esize; k++)
                data[j + k] &= (uint8_t) ~(bits >> (8 * k));
}

/* Decodes with every implementation this CPU runs, checksums verified and not, whole and a
 * range inside chunk 1. */
static void expect_decodes_every_impl(const char *what, const uint8_t *frame, size_t fsize,
                                      const uint8_t *orig, size_t n) {
    char err[256];
    cr_assert(reader_accepts(frame, fsize, err, sizeof err), "test bug: '%s' is invalid: %s", what,
              err);
    int impls = 0;
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        impls++;
        for (int v = 1; v >= 0; v--) {
            emz_dctx *d = dctx_verify(v);
            cr_assert(emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl) == EMZ_OK);
            uint8_t *out = NULL;
            size_t os = 0;
            emz_status st = decode_guarded(d, frame, fsize, n, &out, &os);
            cr_assert(st == EMZ_OK, "%s (%s, verify %d): %s", what, emz_impl_name((emz_impl)impl),
                      v, emz_error_name(st));
            cr_assert(os == n && (n == 0 || memcmp(out, orig, n) == 0),
                      "%s (%s): decoded data differ", what, emz_impl_name((emz_impl)impl));
            if (n > CHUNK + 5) {
                size_t len = n - CHUNK - 5 < 300 ? n - CHUNK - 5 : 300;
                st = emz_decompress_range(d, out, n, frame, fsize, CHUNK + 5, len);
                cr_assert(st == EMZ_OK && memcmp(out, orig + CHUNK + 5, len) == 0,
                          "%s (%s): range: %s", what, emz_impl_name((emz_impl)impl),
                          emz_error_name(st));
            }
            free(out);
            emz_dctx_free(d);
        }
    }
    cr_assert(impls >= 1);
}

/* Every layout of every type, in version 2 and in version 1, with every combination of stream
 * modes (the streams to be CONSTANT made constant in the data), decodes to the original. */
Test(payloads, every_layout_type_and_mode_decodes, .timeout = 600) {
    const size_t n =
        NDATA + 11; /* 4 chunks, the last of 11 bytes (a tail for 2- and 4-byte types) */
    const size_t big = 2 * 32768 + 101; /* 32 KiB chunks: streams of 4 and 16 lanes */
    unsigned frames = 0, layouts_total[4] = {0};
    for (unsigned version = 2; version >= 1; version--)
        for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
            emz_type t = all_types[k];
            int layouts[3], nl = valid_layouts(t, version, layouts);
            for (int li = 0; li < nl; li++) {
                fw_copt o = fw_default_copt();
                o.layout = layouts[li];
                size_t sn[FW_MAX_STREAMS], tail;
                unsigned sw[FW_MAX_STREAMS];
                int count = fw_chunk_streams(t, version, &o, NULL, 0, NULL, sn, sw, &tail);
                int combos = 1;
                for (int i = 0; i < count; i++)
                    combos *= 3;
                for (int c = 0; c < combos + 3; c++) {
                    /* combos: every mix on n bytes; then all RAW, CONSTANT, HUFFMAN on big */
                    size_t size = c < combos ? n : big;
                    int skip = 0;
                    for (int i = 0, r = c; i < count; i++, r /= 3) {
                        o.s[i].mode = stream_modes[c < combos ? r % 3 : c - combos];
                        o.s[i].code = (c + i) % 2 ? FW_CODE_SKEWED : FW_CODE_FLAT;
                        if (o.s[i].mode == FW_HUFFMAN && sw[i] > 8) skip = 1;
                    }
                    if (skip) continue; /* version 1: no HUFFMAN for 11- and 24-bit symbols */
                    uint8_t *data = tu_xmalloc(size);
                    tu_fill_smooth(data, size, t, 1000 + 100 * (uint64_t)k + (uint64_t)c);
                    for (int i = 0; i < count; i++)
                        if (o.s[i].mode == FW_CONSTANT)
                            make_stream_constant(data, size, t, version, &o, i);
                    fw_spec sp = {t, size > n ? 15 : 12, SIZE_MAX, NULL, &o, NULL, NULL, version};
                    size_t fsize;
                    uint8_t *frame = fw_build(&sp, data, size, &fsize);
                    char what[160];
                    int m = snprintf(what, sizeof what, "version %u %s layout %d size %zu modes",
                                     version, emz_type_name(t), o.layout, size);
                    for (int i = 0; i < count && m > 0 && (size_t)m < sizeof what; i++)
                        m += snprintf(what + m, sizeof what - (size_t)m, " %d", o.s[i].mode);
                    /* the writer wrote the layout and the modes asked for */
                    uint8_t *out = NULL;
                    size_t on;
                    unsigned modes[3] = {0}, seen[4] = {0};
                    char err[256] = "";
                    cr_assert(
                        fr_decode_layouts(frame, fsize, &out, &on, err, sizeof err, modes, seen),
                        "test bug: %s: %s", what, err);
                    free(out);
                    fw_layout L = fw_parse(frame, fsize);
                    cr_assert(seen[reader_layout_index(t, version, &o)] == L.chunk_count,
                              "test bug: %s: not the layout asked for", what);
                    for (int i = 0; i < count; i++)
                        cr_assert(modes[fr_mode_index((unsigned)o.s[i].mode)] > 0,
                                  "test bug: %s: mode %d not written", what, o.s[i].mode);
                    for (int l = 0; l < 4; l++)
                        layouts_total[l] += seen[l];
                    expect_decodes_every_impl(what, frame, fsize, data, size);
                    free(frame);
                    free(data);
                    frames++;
                }
            }
        }
    cr_assert(layouts_total[0] && layouts_total[1] && layouts_total[2] && layouts_total[3]);
    cr_log_info("%u frames of every layout decoded", frames);
}

/* ---- hostile layouts: refused as CORRUPT by every implementation, naming the chunk ---- */

/* The forged frame (chunk `forged` forged, `orig` its original) is refused: as expect_corrupt
 * checks, and then by every implementation, checksums verified or not, always with CORRUPT
 * (a layout rule is broken, so no decoder may get as far as a checksum), with an error detail
 * that names the chunk's original bytes. */
static void expect_refused_every_impl(const char *what, const uint8_t *frame, size_t fsize,
                                      const uint8_t *orig, size_t n, size_t forged) {
    expect_corrupt(what, frame, fsize, orig, n, forged, 1);
    char want[64];
    size_t lo = forged * CHUNK, hi = lo + CHUNK < n ? lo + CHUNK : n;
    snprintf(want, sizeof want, "original bytes %zu..%zu", lo, hi);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        for (int v = 1; v >= 0; v--) {
            emz_dctx *d = dctx_verify(v);
            cr_assert(emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl) == EMZ_OK);
            emz_status st = decode_guarded(d, frame, fsize, n, NULL, NULL);
            cr_assert(st == EMZ_ERROR_CORRUPT, "%s (%s, verify %d): got %s, expected corrupt", what,
                      emz_impl_name((emz_impl)impl), v, emz_error_name(st));
            const char *detail = emz_dctx_error_detail(d);
            cr_assert(detail && strstr(detail, want),
                      "%s (%s): the error detail \"%s\" does not name the chunk (%s)", what,
                      emz_impl_name((emz_impl)impl), detail ? detail : "(null)", want);
            emz_dctx_free(d);
        }
    }
}

static void refuse_v(unsigned version, const char *what, emz_type type, const uint8_t *data,
                     size_t n, const fw_copt *o, edit_t e, int expect_valid_without_edit) {
    size_t fsize;
    uint8_t *frame =
        build_forged(version, what, type, data, n, o, e, expect_valid_without_edit, &fsize);
    expect_refused_every_impl(what, frame, fsize, data, n, 1);
    free(frame);
}

Test(payloads, hostile_layouts, .timeout = 600) {
    edit_t none = {ED_NONE, 0, 0};
    char what[160];
    uint8_t *data[EMZ_TYPE_COUNT];
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        data[all_types[k]] = tu_xmalloc(NDATA);
        tu_fill_smooth(data[all_types[k]], NDATA, all_types[k], 500 + (uint64_t)k);
    }
    static const emz_type wide[] = {EMZ_TYPE_BF16, EMZ_TYPE_FP16, EMZ_TYPE_FP32};
    static const emz_type narrow[] = {EMZ_TYPE_BYTES, EMZ_TYPE_FP8_E4M3, EMZ_TYPE_FP8_E5M2,
                                      EMZ_TYPE_FP4_E2M1};

    /* layout byte 2 is invalid in every version, in front of any body */
    for (unsigned version = 1; version <= 2; version++)
        for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
            emz_type t = all_types[k];
            int layouts[3], nl = valid_layouts(t, version, layouts);
            for (int li = 0; li < nl; li++) {
                fw_copt o = fw_default_copt();
                o.layout = layouts[li];
                o.layout_byte = 2;
                snprintf(what, sizeof what, "version %u %s: layout byte 2 before a layout %d body",
                         version, emz_type_name(t), layouts[li]);
                refuse_v(version, what, t, data[t], NDATA, &o, none, 0);
            }
        }

    /* BYTES for the 1-byte types and FP4 (one stream of every byte: a WHOLE body), any
     * version; and in version 1 for every type */
    for (unsigned version = 1; version <= 2; version++)
        for (int mi = 0; mi < 3; mi += 2) {
            for (int i = 0; i < 4; i++) {
                fw_copt o = fw_default_copt();
                o.layout = FW_BYTES;
                fw_copt_modes(&o, stream_modes[mi]);
                snprintf(what, sizeof what, "version %u: BYTES layout for %s, mode %d", version,
                         emz_type_name(narrow[i]), stream_modes[mi]);
                refuse_v(version, what, narrow[i], data[narrow[i]], NDATA, &o, none, 0);
            }
            if (version == 1)
                for (int i = 0; i < 3; i++) {
                    fw_copt o = fw_default_copt();
                    o.layout = FW_BYTES;
                    fw_copt_modes(&o, stream_modes[mi]);
                    snprintf(what, sizeof what, "version 1: BYTES layout for %s, mode %d",
                             emz_type_name(wide[i]), stream_modes[mi]);
                    refuse_v(1, what, wide[i], data[wide[i]], NDATA, &o, none, 0);
                }
        }

    /* BYTES with one stream too few or too many; chunk 1 whole, or the last with a tail */
    for (int i = 0; i < 3; i++)
        for (int mi = 0; mi < 3; mi += 2)
            for (int tailed = 0; tailed < 2; tailed++) {
                emz_type t = wide[i];
                size_t n = tailed ? CHUNK + 2 * fw_tp(t).esize + 1 : NDATA;
                fw_copt o = fw_default_copt();
                o.layout = FW_BYTES;
                fw_copt_modes(&o, stream_modes[mi]);
                int B = (int)fw_tp(t).esize;
                static const struct {
                    int kind, last;
                    const char *name;
                } se[] = {{ED_DROP_STREAM, 1, "last stream missing"},
                          {ED_DROP_STREAM, 0, "stream 0 missing"},
                          {ED_DUP_STREAM, 1, "last stream twice"},
                          {ED_DUP_STREAM, 0, "stream 0 twice"}};
                for (int j = 0; j < 4; j++) {
                    snprintf(what, sizeof what, "BYTES %s (mode %d, size %zu): %s",
                             emz_type_name(t), stream_modes[mi], n, se[j].name);
                    refuse_v(2, what, t, data[t], n, &o,
                             (edit_t){se[j].kind, se[j].last ? B - 1 : 0, 0}, j == 0);
                }
            }

    /* planes: out-of-range symbols of the 3-bit FP16 plane, nonzero RAW padding (FP16 chunk 1
     * is the last one, of 5 elements: 25 exponent bits and 15 plane bits) */
    {
        const emz_type t = EMZ_TYPE_FP16;
        static const int64_t bad[] = {8, 9, 0xF0, 0xFF};
        for (int i = 0; i < 4; i++) {
            fw_copt o = fw_default_copt();
            o.s[2].mode = FW_CONSTANT;
            o.s[2].const_value = bad[i];
            snprintf(what, sizeof what, "FP16 planes: 3-bit plane CONSTANT %lld",
                     (long long)bad[i]);
            refuse_v(2, what, t, data[t], NDATA, &o, none, 0);
        }
        fw_copt o = fw_default_copt();
        o.s[2].mode = FW_HUFFMAN;
        o.s[2].last = 8;
        refuse_v(2, "FP16 planes: 3-bit plane HUFFMAN table up to 8", t, data[t], NDATA, &o, none,
                 0);
        o = fw_default_copt();
        fw_copt_modes(&o, FW_RAW);
        const size_t n = CHUNK + 10;
        refuse_v(2, "FP16 planes: RAW 3-bit plane with a nonzero padding bit", t, data[t], n, &o,
                 (edit_t){ED_RAW_PAD_BIT, 2, 0}, 1);
        refuse_v(2, "FP16 planes: RAW exponents with a nonzero padding bit", t, data[t], n, &o,
                 (edit_t){ED_RAW_PAD_BIT, 0, 0}, 0);
    }

    /* a stream of SPLIT with planes (FP16, FP32) or of BYTES one byte short */
    for (int i = 1; i < 3; i++)
        for (int layout = FW_SPLIT; layout <= FW_BYTES; layout += FW_BYTES)
            for (int mi = 0; mi < 3; mi += 2) {
                emz_type t = wide[i];
                fw_copt o = fw_default_copt();
                o.layout = layout;
                fw_copt_modes(&o, stream_modes[mi]);
                size_t sn[FW_MAX_STREAMS], tail;
                unsigned sw[FW_MAX_STREAMS];
                int count = fw_chunk_streams(t, 2, &o, NULL, 0, NULL, sn, sw, &tail);
                for (int s = 0; s < count; s++) {
                    snprintf(what, sizeof what, "%s layout %d mode %d: stream %d one byte short",
                             emz_type_name(t), layout, stream_modes[mi], s);
                    refuse_v(2, what, t, data[t], NDATA, &o, (edit_t){ED_STREAM_SHORT, s, 0},
                             s == 0);
                }
            }

    /* version 1: WHOLE only for the 1-byte types and FP4; FP16/FP32 SPLIT has one RAW or
     * CONSTANT sign+mantissa stream (no HUFFMAN, no planes); and version 2 FP16/FP32 SPLIT has
     * planes, not one stream */
    for (int i = 0; i < 3; i++)
        for (int mi = 0; mi < 3; mi += 2) {
            fw_copt o = fw_default_copt();
            o.layout = FW_WHOLE;
            fw_copt_modes(&o, stream_modes[mi]);
            snprintf(what, sizeof what, "version 1: WHOLE layout for %s, mode %d",
                     emz_type_name(wide[i]), stream_modes[mi]);
            refuse_v(1, what, wide[i], data[wide[i]], NDATA, &o, none, 0);
        }
    for (int i = 1; i < 3; i++) {
        emz_type t = wide[i];
        fw_copt o = fw_default_copt();
        o.s[1].mode = FW_HUFFMAN; /* the writer puts a RAW body behind the HUFFMAN mode byte */
        snprintf(what, sizeof what, "version 1: %s SPLIT with a HUFFMAN sign+mantissa stream",
                 emz_type_name(t));
        refuse_v(1, what, t, data[t], NDATA, &o, none, 0);
        for (int mi = 0; mi < 3; mi++) {
            o = fw_default_copt();
            o.planes = 1;
            fw_copt_modes(&o, stream_modes[mi]);
            uint8_t *d2 = tu_xmalloc(NDATA);
            memcpy(d2, data[t], NDATA);
            if (stream_modes[mi] == FW_CONSTANT)
                for (int s = 0; s < (t == EMZ_TYPE_FP16 ? 3 : 4); s++)
                    make_stream_constant(d2, NDATA, t, 1, &o, s);
            snprintf(what, sizeof what, "version 1: %s SPLIT with planes, mode %d",
                     emz_type_name(t), stream_modes[mi]);
            refuse_v(1, what, t, d2, NDATA, &o, none, 0);
            if (stream_modes[mi] != FW_HUFFMAN) {
                o.planes = 0;
                snprintf(what, sizeof what,
                         "version 2: %s SPLIT with one sign+mantissa stream, mode %d",
                         emz_type_name(t), stream_modes[mi]);
                refuse_v(2, what, t, d2, NDATA, &o, none, 0);
            }
            free(d2);
        }
    }
    for (int k = 0; k < EMZ_TYPE_COUNT; k++)
        free(data[all_types[k]]);
}
