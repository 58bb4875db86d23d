"""pairing/ has no import cycles, and defers an import in one place only.

Module-level imports are read with the AST (imports under ``if TYPE_CHECKING:`` never run
and are left out). The only function-level imports of the project's own modules are the
one lazy import of the tasks (pairing/later.py) and the signal hook-up in AppConfig.ready().
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Where a function may import one of our modules, and why.
DEFERRED_ALLOWED = {
    "pairing/later.py",  # the tasks call the services, which reach the tasks from here
    "pairing/apps.py",  # ready(): models and signals exist only once apps are loaded
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(source: str, module: str, *, is_package: bool = False, known=frozenset()):
    """(module-level imports, function-level imports) of our own modules, as names.

    ``from package import name`` counts as importing ``package.name`` when that is one of
    the ``known`` modules, else ``package``."""
    tree = ast.parse(source)
    top: set[str] = set()
    deferred: list[tuple[int, str]] = []

    def targets(node) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        base = _resolve(node, module, is_package)
        return [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
            for alias in node.names
        ]

    def visit(body, *, in_function: bool) -> None:
        for node in body:
            if isinstance(node, ast.If) and _is_type_checking(node):
                continue
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in targets(node):
                    if name.split(".")[0] in ("pairing", "programs", "config"):
                        if in_function:
                            deferred.append((node.lineno, name))
                        else:
                            top.add(name)
            inner = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list) and children and isinstance(children[0], ast.AST):
                    visit(children, in_function=in_function or inner)

    visit(tree.body, in_function=False)
    return top, deferred


def _sources(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        yield path, module_name(path)


def import_graph(package: str) -> tuple[dict[str, set[str]], dict[str, list]]:
    files = list(_sources(package))
    known = frozenset(name for _, name in files)
    graph, deferred = {}, {}
    for path, name in files:
        top, later = imports_of(
            path.read_text(), name, is_package=path.name == "__init__.py", known=known
        )
        graph[name] = {target for target in top if target in known and target != name}
        if later:
            deferred[str(path.relative_to(ROOT))] = later
    return graph, deferred


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


@pytest.mark.parametrize("package", ["pairing", "programs"])
def test_no_import_cycles(package):
    graph, _ = import_graph(package)
    assert cycles(graph) == []


def test_only_the_task_hand_off_defers_an_import():
    _, deferred = import_graph("pairing")
    assert {path: lines for path, lines in deferred.items() if path not in DEFERRED_ALLOWED} == {}
    assert [name for _, name in deferred["pairing/later.py"]] == ["pairing.tasks"]


def test_the_scanner_sees_a_cycle_and_a_deferred_import():
    a_top, _ = imports_of("from pairing import b\n", "pairing.a", known={"pairing.b"})
    b_top, b_later = imports_of(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pairing import c\n"
        "from .a import thing\n"
        "def f():\n    from pairing.tasks import job\n",
        "pairing.b",
        known={"pairing.a", "pairing.c"},
    )
    assert a_top == {"pairing.b"}
    assert b_top == {"pairing.a"}
    assert b_later == [(6, "pairing.tasks")]
    assert cycles({"pairing.a": a_top, "pairing.b": b_top, "pairing.c": set()}) == [
        ["pairing.a", "pairing.b"]
    ]
