#!/usr/bin/env python3
"""Structure checks that CI runs on every change (Python standard library only).

  includes  no cycle among the files of src/, tools/ and python/ through #include "...".
  loops     no loop between source files through the symbols their objects define and use,
            read with nm from the objects of the build directory.
  layers    the folders of src/ depend only downward (LAYERS below).
  sizes     no file over MAX_FILE_LINES lines, no C function over MAX_FUNCTION_LINES lines.

Usage: scripts/check-structure.py [--build BUILD_DIR] [--require-build] [--no-layers]
Exits 1 on any violation, 0 otherwise.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

# Folders of src/, lowest layer first. A file may depend on files of its own folder, of a
# lower layer's folder, and of include/.
LAYERS = ["common", "kernels", "scalar", "avx2", "neon", "avx512", "format", "engine", "api"]
SIMD = ["avx2", "neon", "avx512"]
# Deliberate dependencies, each with its reason; they win over FORBIDDEN.
EXCEPTIONS = {
    ("avx512", "avx2"): "avx512 reuses the AVX2 build of the Huffman decoder",
    ("avx2", "scalar"): "tails go to the reference kernels",
    ("neon", "scalar"): "tails go to the reference kernels",
    ("avx512", "scalar"): "tails go to the reference kernels",
}
# Dependencies the order alone would allow but that must not exist: each SIMD folder is built
# for its own ISA, and code of one must never run on a CPU chosen for another.
FORBIDDEN = {(a, b): "SIMD folders do not use each other" for a in SIMD for b in SIMD if a != b}

MAX_FILE_LINES = 700
MAX_FUNCTION_LINES = 80
SIZE_DIRS = ["src", "tools", "bench", "fuzz", "include", "python"]  # tests/ is exempt
C_EXTS = (".c", ".h", ".S")
SCRIPT_EXTS = (".py", ".sh")  # for the file-length rule only

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))

# One C token (or skipped run) per match. Comments and line continuations vanish like in
# translation phases 2-3, so braces or quotes inside them never count.
TOKEN_RE = re.compile(r"""
    (?P<nl>\n)
  | (?P<ws>[ \t\r\f\v]+|\\\n)
  | (?P<comment>//(?:\\\n|[^\n])*|/\*.*?(?:\*/|\Z))
  | (?P<str>"(?:\\.|[^"\\\n])*"?)
  | (?P<chr>'(?:\\.|[^'\\\n])*'?)
  | (?P<id>[A-Za-z_]\w*)
  | (?P<num>\.?\d(?:[eEpP][+-]|[\w.])*)
  | (?P<punct>.)""", re.S | re.X)
INCLUDE_RE = re.compile(r'include\s*"([^"]+)"')
ATTRIBUTE_WORDS = {"__attribute__", "__declspec", "__asm__", "__asm", "asm", "_Alignas",
                   "alignas", "__typeof__", "typeof", "sizeof", "_Static_assert"}
C_KEYWORDS = {"void", "char", "short", "int", "long", "float", "double", "signed", "unsigned",
              "const", "volatile", "static", "inline", "extern", "return", "if", "while", "for",
              "switch", "struct", "union", "enum", "_Bool", "restrict"}


def rel(path):
    return os.path.relpath(path, ROOT).replace(os.sep, "/")


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        return f.read()


def source_files(folder, exts):
    """Repo-relative paths of the files under ROOT/folder ending in one of exts, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, folder)):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__"]
        found += [rel(os.path.join(dirpath, f)) for f in filenames if f.endswith(exts)]
    return sorted(found)


def tokenize(text):
    """(kind, text, line) per C token; a whole preprocessor directive is one 'pp' token."""
    line, line_start, directive = 1, True, None
    for match in TOKEN_RE.finditer(text):
        kind, tok = match.lastgroup, match.group()
        if kind == "nl":
            if directive is not None:
                yield ("pp", " ".join(directive[0]), directive[1])
                directive = None
            line_start = True
        elif kind in ("ws", "comment"):
            pass
        elif directive is not None:
            directive[0].append(tok)
        elif tok == "#" and line_start:
            directive = ([], line)
        else:
            line_start = False
            yield (kind, tok, line)
        line += tok.count("\n")
    if directive is not None:
        yield ("pp", " ".join(directive[0]), directive[1])


def function_name(decl):
    """Name of the function a declaration's tokens define, or None when they define none.
    Candidates are identifiers before a top-level '('; attribute-like macros (EMZ_X(...))
    lose to a lower-case name."""
    if any(t == "=" for _, t, _ in decl) or not decl:
        return None
    # Trailing attribute macros without arguments (`int f(void) EMZ_NORETURN {`).
    end = len(decl)
    while end > 1 and decl[end - 1][0] == "id" and decl[end - 1][1].isupper():
        end -= 1
    if decl[end - 1][1] != ")":
        return None
    candidates, depth = [], 0
    for i, (kind, tok, _) in enumerate(decl[:end]):
        if tok == "(":
            prev = decl[i - 1] if i else ("", "", 0)
            if depth == 0 and prev[0] == "id" and prev[1] not in ATTRIBUTE_WORDS | C_KEYWORDS:
                candidates.append(prev[1])
            depth += 1
        elif tok == ")":
            depth -= 1
    named = [c for c in candidates if not c.isupper()]
    return (named or candidates or [None])[0]


def find_functions(tokens):
    """(name, first line, last line) of each function defined at file scope. The first line is
    the declaration's first token (return type, storage class or attribute)."""
    functions, decl, bodies, extern_c = [], [], [], 0
    for kind, tok, line in tokens:
        if kind == "pp":
            continue
        if bodies:  # inside braces: only their nesting matters
            if tok == "{":
                bodies.append(None)
            elif tok == "}":
                opened = bodies.pop()
                if opened:
                    functions.append((opened[0], opened[1], line))
                    decl = []
                elif not bodies:  # end of a struct/initializer body: its declaration goes on
                    decl.append(("punct", "{}", line))
        elif tok == "{" and [t for _, t, _ in decl] == ["extern", '"C"']:
            extern_c, decl = extern_c + 1, []  # C++ linkage block: its braces are no scope
        elif tok == "}" and extern_c:
            extern_c -= 1
        elif tok == "{":
            name = function_name(decl)
            bodies.append((name, decl[0][2]) if name else None)
        elif tok == ";":
            decl = []
        else:
            decl.append((kind, tok, line))
    return functions


def resolve_include(including, name):
    """The file an #include "name" in `including` means, as the compiler would find it:
    beside the including file, then in src/, then in include/; None when not in the tree."""
    for base in (os.path.dirname(including), "src", "include"):
        candidate = os.path.normpath(os.path.join(ROOT, base, name))
        if os.path.isfile(candidate):
            return rel(candidate)
    return None


def include_graph():
    """{file: set of files it includes} over src/, tools/ and python/."""
    graph = defaultdict(set)
    for folder in ("src", "tools", "python"):
        for path in source_files(folder, C_EXTS):
            graph[path] = set()
            for kind, text, _ in tokenize(read(path)):
                match = INCLUDE_RE.match(text) if kind == "pp" else None
                target = match and resolve_include(path, match.group(1))
                if target:
                    graph[path].add(target)
    return graph


def strongly_connected(graph):
    """Tarjan's strongly connected components of {node: successors}, each sorted."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def simple_cycles(graph, component, limit=50):
    """Up to `limit` elementary cycles inside one strongly connected component, each as a
    path that ends where it starts; a cycle is found once, from its smallest node."""
    cycles, members = [], sorted(component)
    for i, start in enumerate(members):
        allowed, paths = set(members[i:]), [[start]]
        while paths and len(cycles) < limit:
            path = paths.pop()
            for succ in sorted(graph.get(path[-1], ()), reverse=True):
                if succ == start:
                    cycles.append(path + [start])
                elif succ in allowed and succ not in path:
                    paths.append(path + [succ])
    return cycles[:limit]


def include_cycles(graph):
    problems = []
    for component in strongly_connected(graph):
        if len(component) > 1 or component[0] in graph.get(component[0], ()):
            problems += [" -> ".join(c) for c in simple_cycles(graph, component)]
    return problems


def object_units(build):
    """{link unit: {source: object}}: 'library' for the objects under src/**.p/, and one unit
    per tool under tools/NAME.p/; one object per source (both_libraries builds two). Sources
    come from compile_commands.json, else from matching object names against the tree."""
    units, missing = defaultdict(dict), []
    try:
        with open(os.path.join(build, "compile_commands.json")) as f:
            # Paths taken relative to the build dir (meson's "directory"), where it is now.
            pairs = [(os.path.join(build, e["output"]), rel(os.path.join(build, e["file"])))
                     for e in json.load(f)]
    except FileNotFoundError:
        pairs = [(obj, source_of_object_name(build, obj))
                 for obj in glob.glob(os.path.join(build, "**", "*.p", "*.o"), recursive=True)]
    for obj, source in sorted(pairs):
        parts = os.path.relpath(obj, build).split(os.sep)
        if parts[0] == "src" and any(p.endswith(".p") for p in parts[1:-1]):
            unit = "library"
        elif parts[0] == "tools" and len(parts) == 3 and parts[1].endswith(".p"):
            unit = "tools/" + parts[1][:-2]
        else:
            continue
        if not os.path.isfile(obj) or source is None:
            missing.append(rel(obj) if source else f"{rel(obj)} (no source matches its name)")
        else:
            units[unit].setdefault(source, obj)
    return units, missing


def source_of_object_name(build, obj):
    """Meson names the object of DIR/a/b.c DIR/TARGET.p/a_b.c.o: match that against the tree."""
    subdir = os.path.relpath(os.path.dirname(os.path.dirname(obj)), build)
    name = os.path.basename(obj)[:-len(".o")]
    matches = [s for s in source_files(subdir, C_EXTS)
               if os.path.relpath(s, subdir).replace("/", "_") == name]
    return matches[0] if len(matches) == 1 else None


def nm_symbols(obj):
    """(defined, undefined) external symbol names of one object file."""
    out = subprocess.run(["nm", "-P", obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for fields in (line.split() for line in out.splitlines()):
        if len(fields) < 2 or len(fields[1]) != 1:
            continue
        if fields[1] in "Uwv":  # undefined, or weak and undefined
            undefined.add(fields[0])
        elif (fields[1].isupper() and fields[1] != "N") or fields[1] == "i":
            defined.add(fields[0])
    return defined, undefined


def symbol_graph(units):
    """{source: {source: symbols}}: an edge for every symbol one source uses and another
    defines. A tool resolves against its own objects first, then the library's, as its link
    does; the library never sees the tools."""
    symbols = {u: {s: nm_symbols(o) for s, o in srcs.items()} for u, srcs in units.items()}
    definers = {}
    for unit, table in symbols.items():
        definers[unit] = defaultdict(set)
        for source, (defined, _) in table.items():
            for name in defined:
                definers[unit][name].add(source)
    graph = defaultdict(lambda: defaultdict(set))
    for unit, table in symbols.items():
        for source, (_, undefined) in table.items():
            graph[source]  # a node even when it uses nothing
            for name in undefined:
                targets = definers[unit].get(name) or definers.get("library", {}).get(name, set())
                for target in targets - {source}:
                    graph[source][target].add(name)
    return graph


def symbol_loops(graph):
    problems = []
    for component in strongly_connected(graph):
        if len(component) > 1:
            problems.append(f"loop of {len(component)} files: {', '.join(component)}")
            problems += [f"  {a} -> {b}: {', '.join(sorted(graph[a][b]))}"
                         for a in component for b in sorted(graph[a]) if b in component]
    return problems


def layer_of(path):
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "src" and parts[1] in LAYERS else None


def layer_rule(a, b):
    """Why layer folder a may not depend on folder b, or None when it may."""
    if a == b or (a, b) in EXCEPTIONS:
        return None
    if (a, b) in FORBIDDEN:
        return f"{a} may not depend on {b}: {FORBIDDEN[(a, b)]}"
    return None if LAYERS.index(b) < LAYERS.index(a) else f"{a} may not depend on {b}"


def layer_violations(files, edges):
    """files: every file of src/; edges: (from, to, suffix) from both graphs."""
    problems = [f"{f}: not in a layer folder" for f in files if not layer_of(f)]
    for a, b, suffix in sorted(set(edges)):
        if not layer_of(a) or b.startswith("include/"):
            continue
        why = layer_rule(layer_of(a), layer_of(b)) if layer_of(b) else f"{b} is not in a layer folder"
        if why:
            problems.append(f"{a} -> {b} ({why}){suffix}")
    return problems


def size_violations():
    """Problems, plus the figures of the summary: files, largest, functions, longest."""
    problems, files, functions = [], [], []
    for folder in SIZE_DIRS:
        for path in source_files(folder, C_EXTS + SCRIPT_EXTS):
            text = read(path)
            lines = text.count("\n") + (not text.endswith("\n") and bool(text))
            files.append((lines, path))
            if lines > MAX_FILE_LINES:
                problems.append(f"{path} is {lines} lines (limit {MAX_FILE_LINES})")
            if path.endswith((".c", ".h")):  # .S holds assembly: no C function to measure
                for name, first, last in find_functions(tokenize(text)):
                    functions.append((last - first + 1, f"{path}:{first} {name}()"))
    problems += [f"{where} is {n} lines (limit {MAX_FUNCTION_LINES})"
                 for n, where in sorted(functions, key=lambda f: f[1])
                 if n > MAX_FUNCTION_LINES]
    largest, longest = max(files, default=(0, "-")), max(functions, default=(0, "-"))
    summary = (f"{len(files)} files (largest {largest[1]}, {largest[0]} lines), "
               f"{len(functions)} functions (longest {longest[1]}, {longest[0]} lines)")
    return problems, summary


def report(check, problems, summary):
    """Print a check's one-line summary, then its problems; True when it passed."""
    print(f"{check}: {'FAIL' if problems else 'ok'}: {summary}")
    for problem in problems:
        print("  " + problem)
    return not problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"),
                        help="meson build directory with the objects (default: build/)")
    parser.add_argument("--require-build", action="store_true",
                        help="fail instead of skipping the loop check without a build")
    parser.add_argument("--no-layers", action="store_true", help="skip the layer check")
    args = parser.parse_args()
    sys.setrecursionlimit(10000)
    ok = True

    includes = include_graph()
    cycles = include_cycles(includes)
    ok &= report("includes", cycles, f"{len(includes)} files, "
                 f"{sum(map(len, includes.values()))} includes, {len(cycles)} cycles")

    build = os.path.abspath(args.build)
    units, missing = object_units(build) if os.path.isdir(build) else ({}, [])
    symbols = {}
    if not units:
        why = f"no objects in {build} (run: meson setup {build} && ninja -C {build})"
        print(f"loops: {'FAIL' if args.require_build else 'skipped'}: {why}")
        ok &= not args.require_build
    else:
        # A source whose object is missing (a partial build) is left out of the graph.
        for m in missing:
            print(f"loops: {'FAIL' if args.require_build else 'warning'}: not built: {m}")
        ok &= not (missing and args.require_build)
        symbols = symbol_graph(units)
        loops = symbol_loops(symbols)
        ok &= report("loops", loops, f"{len(symbols)} files in {len(units)} link units, "
                     f"{sum(len(t) for t in symbols.values())} file dependencies, "
                     f"{sum(p.startswith('loop') for p in loops)} loops")

    if args.no_layers:
        print("layers: skipped (--no-layers)")
    else:
        edges = [(a, b, "") for a in includes for b in includes[a]]
        edges += [(a, b, " via " + ", ".join(sorted(syms)))
                  for a in symbols for b, syms in symbols[a].items()]
        problems = layer_violations(source_files("src", C_EXTS), edges)
        ok &= report("layers", problems, f"{len(edges)} dependencies against {len(LAYERS)} layers"
                     + ("" if symbols else " (includes only: no objects)"))

    ok &= report("sizes", *size_violations())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
