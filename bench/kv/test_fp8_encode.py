#!/usr/bin/env python3
"""test_fp8_encode.py: checks kvformat's FP8 (and BF16/FP16) encoders against decoders written
here from the format definitions, over all 256 codes of each FP8 format, the midpoints between
neighbouring codes (ties to even), subnormals and saturation. Exit status non-zero on failure.

    /usr/bin/python3 bench/kv/test_fp8_encode.py
"""
import math
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kvformat  # noqa: E402


def decode(code, ebits, mbits, fn):
    """One FP8 code -> Python float, straight from the definition: sign, biased exponent,
    fraction; exponent 0 is subnormal. E4M3FN: S.1111.111 is NaN, no infinities. E5M2 (IEEE-like):
    exponent all ones is inf with fraction 0, NaN otherwise."""
    s = -1.0 if code & 0x80 else 1.0
    e = (code >> mbits) & ((1 << ebits) - 1)
    f = code & ((1 << mbits) - 1)
    bias = (1 << (ebits - 1)) - 1
    top = (1 << ebits) - 1
    if fn and e == top and f == (1 << mbits) - 1:
        return math.copysign(math.nan, s)
    if not fn and e == top:
        return s * math.inf if f == 0 else math.copysign(math.nan, s)
    if e == 0:
        return s * f * 2.0 ** (1 - bias - mbits)
    return s * (1 + f / (1 << mbits)) * 2.0 ** (e - bias)


FORMATS = {
    # name: (encoder, ebits, mbits, fn, largest finite)
    "e4m3": (kvformat.encode_e4m3, 4, 3, True, 448.0),
    "e5m2": (kvformat.encode_e5m2, 5, 2, False, 57344.0),
}


def f32(values):
    return np.array(values, dtype=np.float32)


class FP8(unittest.TestCase):
    def check(self, name, values, expected):
        enc = FORMATS[name][0]
        got = enc(f32(values))
        for v, g, e in zip(values, got, expected):
            self.assertEqual(int(g), e, f"{name}: {v!r} -> {int(g):#04x}, expected {e:#04x}")

    def test_definitions(self):
        """The decoder agrees with the published anchors, so the rest tests against the formats
        and not against itself."""
        self.assertEqual(decode(0x7E, 4, 3, True), 448.0)
        self.assertEqual(decode(0x01, 4, 3, True), 2.0 ** -9)
        self.assertEqual(decode(0x08, 4, 3, True), 2.0 ** -6)
        self.assertEqual(decode(0x38, 4, 3, True), 1.0)
        self.assertTrue(math.isnan(decode(0x7F, 4, 3, True)))
        self.assertEqual(decode(0x78, 4, 3, True), 256.0)  # E4M3FN: exponent 15 is finite
        self.assertEqual(decode(0x7B, 5, 2, False), 57344.0)
        self.assertEqual(decode(0x7C, 5, 2, False), math.inf)
        self.assertEqual(decode(0x01, 5, 2, False), 2.0 ** -16)
        self.assertEqual(decode(0x04, 5, 2, False), 2.0 ** -14)
        self.assertEqual(decode(0x3C, 5, 2, False), 1.0)

    def test_all_codes_round_trip(self):
        """Every code decodes and re-encodes to itself, except E5M2's NaNs: the encoder writes one
        quiet NaN per sign (0x7E / 0xFE), so 0x7D, 0x7F, 0xFD, 0xFF come back as 0x7E or 0xFE.
        E4M3FN has one NaN per sign (0x7F, 0xFF), kept with its sign; -0 (0x80) stays -0."""
        for name, (enc, eb, mb, fn, _) in FORMATS.items():
            codes = np.arange(256)
            vals = f32([decode(int(c), eb, mb, fn) for c in codes])
            got = enc(vals)
            for c, g, v in zip(codes, got, vals):
                if not fn and np.isnan(v):
                    self.assertEqual(int(g), (c & 0x80) | 0x7E, f"{name} NaN {c:#04x}")
                else:
                    self.assertEqual(int(g), c, f"{name}: code {c:#04x} ({v}) -> {int(g):#04x}")

    def neighbours(self, name):
        """Consecutive finite non-negative codes with their values."""
        _, eb, mb, fn, _ = FORMATS[name]
        out = []
        for c in range(127):
            a, b = decode(c, eb, mb, fn), decode(c + 1, eb, mb, fn)
            if math.isfinite(a) and math.isfinite(b):
                out.append((c, a, b))
        return out

    def test_midpoints_ties_to_even(self):
        """Exactly halfway between two neighbours: the even code; a float32 step either side:
        the nearer one. Covers the subnormal steps, the subnormal/normal boundary and every
        binade; both signs."""
        for name in FORMATS:
            vals, want = [], []
            for c, a, b in self.neighbours(name):
                m = (a + b) / 2  # exact in float32: at most 5 significant bits
                self.assertEqual(float(np.float32(m)), m)
                below = float(np.nextafter(np.float32(m), np.float32(0)))
                above = float(np.nextafter(np.float32(m), np.float32(np.inf)))
                even = c if c % 2 == 0 else c + 1
                for v, w in ((m, even), (below, c), (above, c + 1)):
                    vals += [v, -v]
                    want += [w, w | 0x80]
            self.check(name, vals, want)

    def test_subnormals(self):
        """Below half the smallest subnormal: zero of the same sign; half of it ties to zero;
        float32 subnormals flush to signed zero."""
        for name, (_, eb, mb, _, _) in FORMATS.items():
            bias = (1 << (eb - 1)) - 1
            tiny = 2.0 ** (1 - bias - mb)
            self.check(name, [tiny / 2, -tiny / 2, tiny * 0.51, tiny * 1.5, tiny * 2.5,
                              1e-40, -1e-40, 0.0, -0.0],
                       [0x00, 0x80, 0x01, 0x02, 0x02, 0x00, 0x80, 0x00, 0x80])

    def test_saturation(self):
        """Values are pre-scaled by amax / largest finite, so beyond that they saturate instead
        of turning into NaN (E4M3FN) or inf (E5M2). E4M3FN has no inf: inf saturates too; E5M2
        keeps inf. NaN stays NaN."""
        self.check("e4m3", [448, 449, 464, 480, 1e6, 3.4e38, math.inf, -464, -math.inf],
                   [0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0xFE, 0xFE])
        self.check("e5m2", [57344, 60000, 61440, 65536, 1e9, math.inf, -61440, -math.inf],
                   [0x7B, 0x7B, 0x7B, 0x7B, 0x7B, 0x7C, 0xFB, 0xFC])
        self.check("e4m3", [math.nan, -math.nan], [0x7F, 0xFF])
        self.check("e5m2", [math.nan, -math.nan], [0x7E, 0xFE])

    def test_random_against_nearest(self):
        """Random float32 values against a brute-force nearest-code search over the decoded
        table (ties to the even code)."""
        rng = np.random.default_rng(7)
        for name, (enc, eb, mb, fn, top) in FORMATS.items():
            x = (rng.standard_normal(20000) * np.exp(rng.uniform(-12, 12, 20000))).astype(
                np.float32)
            x = np.clip(x, -top, top)
            codes = [c for c in range(128) if math.isfinite(decode(c, eb, mb, fn))]
            table = np.array([decode(c, eb, mb, fn) for c in codes])
            a = np.abs(x.astype(np.float64))
            d = np.abs(a[:, None] - table[None, :])
            best = d.min(axis=1, keepdims=True)
            tied = d == best
            pick = np.where(tied.sum(1) > 1, np.argmax(tied & (np.array(codes) % 2 == 0), axis=1),
                            np.argmin(d, axis=1))
            want = np.array(codes)[pick] | (np.signbit(x) * 0x80)
            np.testing.assert_array_equal(enc(x), want.astype(np.uint8))


class Wide(unittest.TestCase):
    def test_bf16(self):
        x = f32([1.0, 1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8, 1.0 + 2 ** -8 + 2 ** -20, -2.5, 0.0,
                 -0.0, math.inf, 3.4028235e38])
        want = [0x3F80, 0x3F80, 0x3F82, 0x3F81, 0xC020, 0x0000, 0x8000, 0x7F80, 0x7F80]
        self.assertEqual([int(v) for v in kvformat.encode_bf16(x)], want)
        self.assertTrue(np.isnan(np.array([kvformat.encode_bf16(f32([math.nan]))[0] << 16],
                                          np.uint32).view(np.float32)[0]))

    def test_fp16(self):
        x = f32([1.0, 1.0 + 2 ** -11, 1.0 + 3 * 2 ** -11, 65504, 2 ** -24, -2 ** -25])
        self.assertEqual([int(v) for v in kvformat.encode_fp16(x)],
                         [0x3C00, 0x3C00, 0x3C02, 0x7BFF, 0x0001, 0x8000])


if __name__ == "__main__":
    unittest.main()
