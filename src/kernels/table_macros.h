/* table_macros.h - constant tables spelled by formula, for the SIMD kernels' permute and shift
 * tables: X64(F, a) expands to F(a, 0), F(a, 1), ..., F(a, 63); X32 stops at F(a, 31). */
#ifndef EMZ_TABLE_MACROS_H
#define EMZ_TABLE_MACROS_H

#define X8(F, a, b)                                                                                \
    F(a, b), F(a, b + 1), F(a, b + 2), F(a, b + 3), F(a, b + 4), F(a, b + 5), F(a, b + 6),         \
        F(a, b + 7)
#define X32(F, a) X8(F, a, 0), X8(F, a, 8), X8(F, a, 16), X8(F, a, 24)
#define X64(F, a)                                                                                  \
    X8(F, a, 0), X8(F, a, 8), X8(F, a, 16), X8(F, a, 24), X8(F, a, 32), X8(F, a, 40),              \
        X8(F, a, 48), X8(F, a, 56)

/* The rows of a table indexed by a symbol width 1..7 (row 0 unused): {{0}, {X(F, 1)}, ...}. */
// clang-format off
#define WIDTH_ROWS(X, F) \
    {{0}, {X(F, 1)}, {X(F, 2)}, {X(F, 3)}, {X(F, 4)}, {X(F, 5)}, {X(F, 6)}, {X(F, 7)}}
// clang-format on

#endif
