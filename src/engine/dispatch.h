/* dispatch.h - which kernel table a call runs with (dispatch.c). */
#ifndef EMZ_DISPATCH_H
#define EMZ_DISPATCH_H

#include "emzip.h"
#include "kernels/kernels.h"

/* The table for a requested implementation (EMZ_IMPL_AUTO: the process default), or
 * EMZ_ERROR_IMPL_UNAVAILABLE. */
emz_status emz_kernels_resolve(emz_impl requested, const emz_kernels **kernels);

/* Validates a value for EMZ_PARAM_IMPL: AUTO, or an implementation that can run here. */
emz_status emz_impl_param_check(int64_t value);

#endif
