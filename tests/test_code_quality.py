"""The package is checked: lint, strict types, complexity, no repeated blocks, no import cycles, and
the layering the package's folders show (model and helpers <- render <- pipeline <- commands <- cli).

The linters run from the test venv with their configuration in pyproject.toml; they write no cache
into the repository."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "naerpoliti"
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / tool
    if not exe.exists():
        pytest.fail(f"{exe} is missing: install the test extra (bash scripts/setup-tests)")
    return subprocess.run([str(exe), *args], cwd=REPO, capture_output=True, text=True, check=False)


def _report(what: str, proc: subprocess.CompletedProcess[str]) -> str:
    return f"{what} (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"


def test_ruff_is_clean() -> None:
    proc = _run("ruff", "check", "--no-cache", "--output-format=concise", "naerpoliti")
    assert proc.returncode == 0, _report("ruff check naerpoliti found problems", proc)


def test_no_function_is_too_complex() -> None:
    # Part of the run above too; on its own so that a failure says what it is about.
    proc = _run("ruff", "check", "--no-cache", "--output-format=concise", "--select", "C901", "naerpoliti")
    assert proc.returncode == 0, _report(
        "functions above the cyclomatic complexity of [tool.ruff.lint.mccabe] in pyproject.toml; "
        "split them into named steps", proc)


def test_mypy_strict_is_clean() -> None:
    # --cache-dir=/dev/null: no .mypy_cache in the repository (a full run takes a few seconds)
    proc = _run("mypy", "--cache-dir=/dev/null")
    assert proc.returncode == 0, _report("mypy --strict (config in pyproject.toml) found problems", proc)


# A block repeated in two modules may be excluded only between
#   # pylint: disable=duplicate-code -- <why this repetition is declarative, not logic>
#   ...
#   # pylint: enable=duplicate-code
# e.g. two dataclasses that list the same fields on purpose. The reason is required.
DUPLICATE_DISABLE = re.compile(r"#\s*pylint:\s*disable=duplicate-code(?P<rest>.*)$")


def test_no_repeated_blocks() -> None:
    proc = _run("pylint", "--disable=all", "--enable=duplicate-code", "--min-similarity-lines=6",
                "--ignore-imports=yes", "--ignore-signatures=yes", "--ignore-docstrings=yes",
                "--ignore-comments=yes", "--persistent=n", "--score=n", "naerpoliti")
    assert proc.returncode == 0, _report(
        "blocks of 6 or more lines repeated in naerpoliti/; give them one home", proc)


def test_duplicate_exclusions_say_why() -> None:
    unexplained = [f"{path.relative_to(REPO)}:{number}"
                   for path in sorted(PACKAGE.rglob("*.py"))
                   for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                   if (m := DUPLICATE_DISABLE.search(line)) and not m["rest"].strip(" -")]
    assert not unexplained, ("duplicate-code exclusions without a reason ('# pylint: disable=duplicate-code "
                             "-- why'): " + ", ".join(unexplained))


# --- the package's import graph, from its source -------------------------------------------------------

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imported(module: str, tree: ast.AST) -> Iterator[tuple[str, int]]:
    """The package's modules `module` imports, with line numbers: at the top, inside functions and
    under `if TYPE_CHECKING:` alike (a dependency is one wherever it is written). `from X import Y`
    counts as importing X.Y when that is a module, else X."""
    is_package = MODULES[module].name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[:len(base) - node.level + (1 if is_package else 0)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            targets = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in MODULES else origin
                       for alias in node.names]
        else:
            continue
        for target in targets:
            # `import naerpoliti.a.b` where only naerpoliti.a exists (an attribute): the nearest module
            while target and target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in MODULES and target != module:
                yield target, node.lineno


def _graph() -> dict[str, dict[str, int]]:
    graph: dict[str, dict[str, int]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges = graph.setdefault(module, {})
        for target, line in _imported(module, tree):
            edges.setdefault(target, line)
    return graph


def _components(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
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
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)

    return components


def _shortest_cycle(graph: dict[str, dict[str, int]], component: list[str]) -> list[str]:
    """The shortest way from the component's first module back to it, breadth first within it."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node]):
            if target == start:
                return [*paths[node], start]
            if target in members and target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no cycle through {component}")


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one module."""
    return [_shortest_cycle(graph, component) for component in _components(graph)]


def _describe(path: list[str], graph: dict[str, dict[str, int]]) -> str:
    steps = [f"{a} (line {graph[a][b]}) -> {b}" for a, b in zip(path, path[1:], strict=False)]
    return "\n    ".join(steps)


def test_import_graph_sees_the_package() -> None:
    # guards the two tests below against an import graph that silently finds nothing
    graph = _graph()
    assert "naerpoliti.cli" in graph and "naerpoliti.model" in graph
    assert any(target.startswith("naerpoliti.commands") for target in graph["naerpoliti.cli"]), graph["naerpoliti.cli"]


def test_no_import_cycles() -> None:
    graph = _graph()
    cycles = _cycles(graph)
    assert not cycles, "import cycles inside naerpoliti/:\n  " + "\n  ".join(
        _describe(cycle, graph) for cycle in cycles)


def _violations(graph: dict[str, dict[str, int]], importers: str, forbidden: tuple[str, ...]) -> list[str]:
    def within(module: str, prefix: str) -> bool:
        return module == prefix or module.startswith(prefix + ".")

    return [f"{MODULES[module].relative_to(REPO)}:{line} imports {target}"
            for module in sorted(graph) if within(module, importers)
            for target, line in sorted(graph[module].items())
            if any(within(target, prefix) for prefix in forbidden)]


def test_render_depends_only_on_the_model_and_helpers() -> None:
    # render/* turns the model into pages; loading, validating, writing and the commands come before
    # or after it, never from it.
    forbidden = ("naerpoliti.commands", "naerpoliti.cli", "naerpoliti.build", "naerpoliti.write",
                 "naerpoliti.incremental", "naerpoliti.schema", "naerpoliti.load")
    violations = _violations(_graph(), "naerpoliti.render", forbidden)
    assert not violations, "render modules reach outside the model and helpers:\n  " + "\n  ".join(violations)


def test_pipeline_does_not_import_commands() -> None:
    # cli -> commands -> pipeline: the pipeline is usable without the command line
    graph = _graph()
    commands = ("naerpoliti.commands", "naerpoliti.cli")
    violations = [violation for module in sorted(graph)
                  if not module.startswith((*commands, "naerpoliti.__main__"))
                  for violation in _violations({module: graph[module]}, module, commands)]
    assert not violations, "pipeline modules import the command line:\n  " + "\n  ".join(violations)
