#!/usr/bin/env python3
"""Self-tests of scripts/check-structure.py (standard library unittest).

Run: /usr/bin/python3 scripts/test_check_structure.py
The scanner is tested on crafted inputs; the whole script is run on a small synthetic tree
(compiled with gcc into meson-like objects and a compile_commands.json) that is clean, then
broken in one way at a time.
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.realpath(__file__))
SCRIPT = os.path.join(HERE, "check-structure.py")
_spec = importlib.util.spec_from_file_location("check_structure", SCRIPT)
cs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cs)


def body(n):
    """A function of exactly n lines (signature line to closing brace)."""
    return "int long_one(int x)\n{\n" + "    x += 1;\n" * (n - 3) + "}\n"


class Scanner(unittest.TestCase):
    def functions(self, text):
        return cs.find_functions(cs.tokenize(text))

    def test_function_span_starts_at_return_type(self):
        text = "/* c */\nstatic inline int\nadd(int a,\n    int b)\n{\n    return a + b;\n}\n"
        self.assertEqual(self.functions(text), [("add", 2, 7)])

    def test_81_and_80_line_functions(self):
        self.assertEqual(self.functions(body(81)), [("long_one", 1, 81)])
        self.assertEqual(self.functions(body(80)), [("long_one", 1, 80)])

    def test_not_functions(self):
        text = ("struct s { int a; };\n"
                "enum e { A, B };\n"
                "typedef union { int i; float f; } u;\n"
                "static const int table[] = { 1, 2, 3 };\n"
                "static const struct s one = (struct s){ 1 };\n"
                "struct __attribute__((packed)) p { char c; };\n")
        self.assertEqual(self.functions(text), [])

    def test_braces_in_comments_strings_chars_and_directives(self):
        text = ('#define OPEN {\n'
                '#define MULTI(x) \\\n   { x }\n'
                'const char *s = "}{";\n'
                "char c = '{';\n"
                '// }\n'
                '/* { */\n'
                'int f(void)\n{\n    return s[0] == \'}\' ? 1 : "{"[0];\n}\n')
        self.assertEqual(self.functions(text), [("f", 8, 11)])

    def test_attributes_and_extern_c(self):
        text = ('#ifdef __cplusplus\nextern "C" {\n#endif\n'
                '__attribute__((cold)) static void a(void) { }\n'
                'static void b(void) __attribute__((noinline));\n'
                'static void b(void) __attribute__((noinline)) {\n}\n'
                'EMZ_TARGET("avx2") int c(int x) EMZ_HOT\n{\n    return x;\n}\n'
                '#ifdef __cplusplus\n}\n#endif\n')
        self.assertEqual(self.functions(text), [("a", 4, 4), ("b", 6, 7), ("c", 8, 11)])

    def test_commented_include_is_no_include(self):
        tokens = list(cs.tokenize('/* #include "a.h" */\n#  include "b.h" // x\n'))
        self.assertEqual(tokens, [("pp", 'include "b.h"', 2)])


class LayerRules(unittest.TestCase):
    def test_rules(self):
        self.assertIsNone(cs.layer_rule("engine", "format"))
        self.assertIsNone(cs.layer_rule("avx512", "avx2"))  # the listed exception
        self.assertIsNone(cs.layer_rule("neon", "scalar"))
        self.assertEqual(cs.layer_rule("format", "engine"), "format may not depend on engine")
        self.assertIn("SIMD folders do not use each other", cs.layer_rule("neon", "avx2"))
        self.assertIn("SIMD folders do not use each other", cs.layer_rule("avx512", "neon"))
        self.assertIn("SIMD folders do not use each other", cs.layer_rule("avx2", "neon"))


# The clean synthetic tree: three layers of the library, a public header, a tool of two files.
CLEAN = {
    "include/demo.h": "#ifndef DEMO_H\n#define DEMO_H\nint demo_run(int x);\n#endif\n",
    "src/common/util.h": "#pragma once\nint util_add(int a, int b);\n",
    "src/common/util.c": '#include "util.h"\nint util_add(int a, int b)\n{\n    return a + b;\n}\n',
    "src/format/frame.h": '#pragma once\n#include "common/util.h"\nint frame_parse(int x);\n',
    "src/format/frame.c": '#include "frame.h"\nint frame_parse(int x) { return util_add(x, 1); }\n',
    "src/engine/engine.h": '#pragma once\n#include "format/frame.h"\nint engine_step(int x);\n',
    "src/engine/engine.c": ('#include "engine.h"\n#include "demo.h"\n'
                            'int demo_run(int x) { return engine_step(frame_parse(x)); }\n'),
    "src/engine/step.c": '#include "engine.h"\nint engine_step(int x) { return x * 2; }\n',
    "tools/cli_a.c": ('#include "demo.h"\nint cli_b(int x);\n'
                      'int main(void) { return cli_b(demo_run(1)); }\n'),
    "tools/cli_b.c": "int cli_b(int x) { return x - 4; }\n",
    "tests/huge.c": "int x;\n" * 900,  # tests/ is exempt from the size rules
}


class SyntheticTree(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="check-structure-")
        os.makedirs(os.path.join(self.root, "scripts"))
        shutil.copy(SCRIPT, os.path.join(self.root, "scripts", "check-structure.py"))
        for path, text in CLEAN.items():
            self.write(path, text)

    def tearDown(self):
        shutil.rmtree(self.root)

    def write(self, path, text):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)

    def build(self):
        """Compile like meson: the library's objects twice (both_libraries), the tool's once."""
        build, entries = os.path.join(self.root, "build"), []
        targets = [("src", "libdemo.so.p"), ("src", "libdemo.a.p"), ("tools", "demo.p")]
        for subdir, target in targets:
            for source in cs_sources(self.root, subdir):
                name = os.path.relpath(source, subdir).replace("/", "_") + ".o"
                output = os.path.join(subdir, target, name)
                os.makedirs(os.path.join(build, subdir, target), exist_ok=True)
                command = ["gcc", "-c", "-I../src", "-I../include", "-o", output, "../" + source]
                subprocess.run(command, cwd=build, check=True)
                entries.append({"directory": build, "file": "../" + source,
                                "output": output, "command": " ".join(command)})
        with open(os.path.join(build, "compile_commands.json"), "w") as f:
            json.dump(entries, f)
        return build

    def run_check(self, *args, cwd="src"):
        """Runs the copy of the script from inside the tree; (exit code, output)."""
        result = subprocess.run([sys.executable, os.path.join(self.root, "scripts",
                                                              "check-structure.py"), *args],
                                cwd=os.path.join(self.root, cwd), capture_output=True, text=True)
        self.assertEqual(result.stderr, "")
        return result.returncode, result.stdout

    def assert_fails_with(self, line, *args):
        self.build()
        code, out = self.run_check(*args)
        self.assertEqual(code, 1, out)
        self.assertIn(line, out.splitlines(), out)

    def test_clean_tree_passes(self):
        self.build()
        code, out = self.run_check()
        self.assertEqual(code, 0, out)
        for check in ("includes", "loops", "layers", "sizes"):
            self.assertIn(f"{check}: ok: ", out)
        self.assertIn("6 files in 2 link units", out)  # each source once: both_libraries

    def test_include_cycle(self):
        # Found beside the including file, and through src/.
        self.write("src/common/a.h", '#include "b.h"\n')
        self.write("src/common/b.h", '#include "common/a.h"\n')
        self.assert_fails_with("  src/common/a.h -> src/common/b.h -> src/common/a.h")

    def test_symbol_loop_without_include_cycle(self):
        self.write("src/engine/step.c", '#include "engine.h"\nint engine_log(int x);\n'
                   "int engine_step(int x) { return engine_log(x * 2); }\n")
        self.write("src/engine/engine.c", CLEAN["src/engine/engine.c"]
                   + "int engine_log(int x) { return x; }\n")
        self.assert_fails_with("    src/engine/engine.c -> src/engine/step.c: engine_step")
        _, out = self.run_check()
        self.assertIn("    src/engine/step.c -> src/engine/engine.c: engine_log", out)
        self.assertIn("includes: ok: ", out)
        # The same loop found from the object names alone.
        os.remove(os.path.join(self.root, "build", "compile_commands.json"))
        _, out = self.run_check()
        self.assertIn("    src/engine/step.c -> src/engine/engine.c: engine_log", out)

    def test_tool_loop(self):
        self.write("tools/cli_a.c", CLEAN["tools/cli_a.c"] + "int cli_a(int x) { return x; }\n")
        self.write("tools/cli_b.c", "int cli_a(int x);\nint cli_b(int x) { return cli_a(x); }\n")
        self.assert_fails_with("  loop of 2 files: tools/cli_a.c, tools/cli_b.c")

    def test_layer_violations(self):
        self.write("src/format/frame.c", '#include "frame.h"\n#include "engine/engine.h"\n'
                   "int frame_parse(int x) { return util_add(x, engine_step(1)); }\n")
        self.write("src/neon/n.c", '#include "avx2/k.h"\nint n(void) { return 0; }\n')
        self.write("src/avx2/k.h", "int k(void);\n")
        self.write("src/stray.c", "int stray;\n")
        self.build()
        code, out = self.run_check()
        self.assertEqual(code, 1, out)
        for line in ["src/format/frame.c -> src/engine/engine.h (format may not depend on engine)",
                     "src/format/frame.c -> src/engine/step.c (format may not depend on engine)"
                     " via engine_step",
                     "src/neon/n.c -> src/avx2/k.h (neon may not depend on avx2: "
                     "SIMD folders do not use each other)",
                     "src/stray.c: not in a layer folder"]:
            self.assertIn("  " + line, out.splitlines(), out)
        code, out = self.run_check("--no-layers")
        self.assertEqual(code, 0, out)
        self.assertIn("layers: skipped (--no-layers)", out)

    def test_81_line_function(self):
        self.write("src/common/long.c", body(80))
        self.build()
        self.assertEqual(self.run_check()[0], 0)
        self.write("src/common/long.c", body(81))
        self.assert_fails_with("  src/common/long.c:1 long_one() is 81 lines (limit 80)")

    def test_701_line_file(self):
        self.write("bench/big.sh", "echo\n" * 700)
        self.build()
        self.assertEqual(self.run_check()[0], 0)
        self.write("bench/big.sh", "echo\n" * 701)
        self.assert_fails_with("  bench/big.sh is 701 lines (limit 700)")

    def test_without_build(self):
        code, out = self.run_check(cwd="tools")
        self.assertEqual(code, 0, out)
        self.assertIn("loops: skipped: no objects in ", out)
        code, out = self.run_check("--require-build", cwd="tools")
        self.assertEqual(code, 1, out)
        self.assertIn("loops: FAIL: no objects in ", out)

    def test_explicit_build_dir(self):
        os.rename(self.build(), os.path.join(self.root, "elsewhere"))
        code, out = self.run_check("--build", "../elsewhere")  # relative to the current dir
        self.assertEqual(code, 0, out)
        self.assertIn("loops: ok: ", out)


def cs_sources(root, subdir):
    """Repo-relative .c files under root/subdir."""
    found = []
    for dirpath, _, filenames in os.walk(os.path.join(root, subdir)):
        found += [os.path.relpath(os.path.join(dirpath, f), root)
                  for f in filenames if f.endswith(".c")]
    return sorted(found)


if __name__ == "__main__":
    unittest.main(verbosity=2)
