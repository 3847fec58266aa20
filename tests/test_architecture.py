"""The package's layering, read from the source: which module imports which.

Every import counts, also those inside functions (the package imports heavy or optional
modules lazily, but a lazy import is still a dependency). A module importing a submodule does
not count as importing the package's ``__init__`` (Python runs it, but it is not a choice
the importing module made).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "extremism_nlp"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in ROOT.rglob("*.py")}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The package module an imported name lives in (``a.b.c`` -> ``a.b`` if c is an attribute)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    stem = f"{base}.{node.module}" if node.module else base
                else:
                    stem = node.module or ""
                targets = [f"{stem}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                if target.split(".")[0] == PACKAGE and (resolved := _resolve(target, modules)) and resolved != name:
                    edges.add(resolved)
        graph[name] = edges
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_graph_is_read():
    graph = import_graph()
    assert "extremism_nlp.models.base" in graph["extremism_nlp.models.fast"]
    assert "extremism_nlp.labels" in graph["extremism_nlp.classifier"]


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    assert _cycle(import_graph()) is None


def test_models_import_nothing_from_training_evaluation_or_data():
    forbidden = tuple(f"{PACKAGE}.{part}" for part in ("training", "evaluation", "data"))
    offending = {
        module: sorted(t for t in targets if t.startswith(forbidden))
        for module, targets in import_graph().items()
        if module.startswith(f"{PACKAGE}.models")
    }
    assert {m: t for m, t in offending.items() if t} == {}
