"""Element types: safetensors dtype names, emzip's codec types, numpy and torch dtypes.

numpy has no bfloat16, float8 or float4, and torch 1.13 has no float8 or float4: tensors of
those dtypes come back as integer views of the same bits (BF16 as uint16 / int16, FP8 and FP4
as uint8) tagged with their real dtype in the attribute ``emzip_dtype`` (a safetensors name such
as "BF16"); ``save_file`` reads the tag back, so such arrays round-trip.
"""

import functools
import sys

# safetensors dtype -> (emzip codec type for compress(), numpy dtype or None, torch dtype name
# or None: the torch dtype when this torch has it, tried in order).
_TABLE = {
    "BF16": ("bf16", "<u2", ("bfloat16",)),
    "F16": ("fp16", "<f2", ("float16",)),
    "F32": ("fp32", "<f4", ("float32",)),
    "F64": ("bytes", "<f8", ("float64",)),
    "F8_E4M3": ("e4m3", "u1", ("float8_e4m3fn",)),
    "F8_E5M2": ("e5m2", "u1", ("float8_e5m2",)),
    "F8_E8M0": ("bytes", "u1", ("float8_e8m0fnu",)),
    "F4": ("fp4", "u1", ()),
    "BOOL": ("bytes", "?", ("bool",)),
    "U8": ("bytes", "u1", ("uint8",)),
    "I8": ("bytes", "i1", ("int8",)),
    "I16": ("bytes", "<i2", ("int16",)),
    "U16": ("bytes", "<u2", ("uint16",)),
    "I32": ("bytes", "<i4", ("int32",)),
    "U32": ("bytes", "<u4", ("uint32",)),
    "I64": ("bytes", "<i8", ("int64",)),
    "U64": ("bytes", "<u8", ("uint64",)),
}
# dtypes numpy lacks: returned as the integer view above, tagged.
NUMPY_TAGGED = {"BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4"}
# Integer views for torch when it lacks the dtype (torch 1.13 has no unsigned 16/32/64).
_TORCH_FALLBACK = {2: "int16", 4: "int32", 8: "int64", 1: "uint8"}
_ITEMSIZE = {"BF16": 2, "F16": 2, "F32": 4, "F64": 8, "I16": 2, "U16": 2, "I32": 4, "U32": 4,
             "I64": 8, "U64": 8}
# emzip's own type names and the extra spellings compress() accepts.
_CODEC_NAMES = {"bf16": "bf16", "bfloat16": "bf16", "fp16": "fp16", "f16": "fp16",
                "float16": "fp16", "half": "fp16", "fp32": "fp32", "f32": "fp32",
                "float32": "fp32", "float": "fp32", "e4m3": "e4m3", "float8_e4m3fn": "e4m3",
                "e5m2": "e5m2", "float8_e5m2": "e5m2", "fp4": "fp4", "bytes": "bytes",
                "uint8": "bytes", "u8": "bytes"}


def itemsize(st_dtype):
    """Bytes per element of a safetensors dtype (1 for the byte and sub-byte types)."""
    return _ITEMSIZE.get(st_dtype, 1)


@functools.lru_cache(maxsize=None)
def numpy_dtype(st_dtype):
    """The numpy dtype holding a safetensors dtype (an integer view for the tagged ones)."""
    import numpy as np

    return np.dtype(_TABLE[st_dtype][1]) if st_dtype in _TABLE else np.dtype("u1")


@functools.lru_cache(maxsize=None)
def torch_dtype(st_dtype):
    """(torch dtype, tagged, element size): the torch dtype, or an integer view of the same
    width, tagged. Cached: load_file asks once per tensor."""
    import torch

    for name in _TABLE.get(st_dtype, ("bytes", "u1", ()))[2]:
        if hasattr(torch, name):
            kind = getattr(torch, name)
            return kind, False, torch.empty((), dtype=kind).element_size()
    kind = getattr(torch, _TORCH_FALLBACK[itemsize(st_dtype)])
    return kind, True, torch.empty((), dtype=kind).element_size()


def _torch_module():
    return sys.modules.get("torch")


def is_torch_tensor(obj):
    """True for a torch.Tensor; never imports torch (no tensor exists before it is imported)."""
    torch = _torch_module()
    return torch is not None and isinstance(obj, torch.Tensor)


def st_dtype_of(obj):
    """The safetensors dtype of a numpy array or torch tensor (its emzip_dtype tag first)."""
    tag = getattr(obj, "emzip_dtype", None)
    if tag is not None:
        return tag
    if is_torch_tensor(obj):
        name = str(obj.dtype).replace("torch.", "")
        for st, (_, _, names) in _TABLE.items():
            if name in names:
                return st
        raise TypeError(f"torch dtype {obj.dtype} has no safetensors name")
    dtype = getattr(obj, "dtype", None)
    if dtype is None:
        raise TypeError(f"expected a numpy array or torch tensor, got {type(obj).__name__}")
    import numpy as np

    dtype = np.dtype(dtype).newbyteorder("<") if np.dtype(dtype).byteorder == ">" else dtype
    for st, (_, np_name, _) in _TABLE.items():
        if st not in NUMPY_TAGGED and np.dtype(np_name) == np.dtype(dtype):
            return st
    raise TypeError(f"numpy dtype {dtype} has no safetensors name")


def codec_type(dtype, data=None):
    """emzip's codec type name for compress(): from a name ("bf16", "BF16", "F8_E4M3"...), a
    torch or numpy dtype, or, when dtype is None, from the data's own dtype."""
    if dtype is None:
        if data is None or (not hasattr(data, "dtype") and not is_torch_tensor(data)):
            raise TypeError("dtype: required for data without a dtype (bytes, bytearray...)")
        return _TABLE[st_dtype_of(data)][0]
    if isinstance(dtype, str):
        if dtype in _TABLE:
            return _TABLE[dtype][0]
        return _CODEC_NAMES.get(dtype.lower(), dtype)  # an unknown name: the C layer says so
    text = str(dtype).replace("torch.", "")
    if text in _CODEC_NAMES:
        return _CODEC_NAMES[text]
    raise TypeError(f"dtype: expected a str, torch dtype or numpy dtype, got {dtype!r}")
