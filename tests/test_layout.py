"""The package layout: no import cycles among tokenforge's modules, and the pure-Python twins in `reference/` are
imported only by the tests (production code has its own implementation or the native one).

Imports are read from the source (every `import` and `from ... import`, at module level or inside a function: a
lazy import that dodges a cycle is still a cycle). Importing `a.b.c` also runs the `__init__` of every package on
the way that the importing module is not itself inside, so those count as imports too; taking a name from a
package's `__init__` (`from . import NAME`) counts even from inside that package.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "python" / "tokenforge"


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _parse(path: Path) -> ast.AST:
    with warnings.catch_warnings():  # a script's invalid escape sequence is not this test's business
        warnings.simplefilter("ignore")
        return ast.parse(path.read_text(encoding="utf-8"))


def _imported(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """Every absolute module name `tree` imports: for `from X import y`, X.y when that is a module, else X."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                name = f"{source}.{alias.name}"
                names.add(name if name in known else source)
    return names


def import_graph(modules: dict[str, tuple[Path, bool]]) -> dict[str, set[str]]:
    """Module -> the modules importing it runs: what it names (a package it takes a name from counts, even its own:
    that name must already be defined), and the `__init__` of each package on the way that the module is not
    itself inside."""
    known = set(modules) | {"tokenforge._core"}
    graph: dict[str, set[str]] = {}
    for module, (path, is_package) in modules.items():
        inside = {".".join(module.split(".")[:k]) for k in range(1, module.count(".") + 1)}
        if is_package:
            inside.add(module)
        edges = set()
        for name in _imported(_parse(path), module, is_package, known):
            if name not in known:
                continue
            edges.add(name)
            parts = name.split(".")
            edges.update(".".join(parts[:k]) for k in range(1, len(parts)) if ".".join(parts[:k]) not in inside)
        edges.discard(module)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    graph = import_graph(_modules())
    found = cycles(graph)
    detail = ["; ".join(f"{m} -> {sorted(graph[m] & set(c))}" for m in c) for c in found]
    assert not found, "import cycles:\n" + "\n".join(detail)


def test_only_tests_import_the_reference_twins():
    modules = _modules()
    offenders = []
    for module, (path, is_package) in modules.items():
        if module == "tokenforge.reference" or module.startswith("tokenforge.reference."):
            continue
        for name in _imported(_parse(path), module, is_package, set(modules)):
            if name == "tokenforge.reference" or name.startswith("tokenforge.reference."):
                offenders.append(f"{module} imports {name}")
    for folder in ("benchmarks", "examples"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for name in _imported(_parse(path), "", False, set(modules)):
                if name == "tokenforge.reference" or name.startswith("tokenforge.reference."):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "\n".join(offenders)
