"""The shape of the house (shared/DESIGN.md section 3): stages depend only on earlier stages,
and no module imports itself back through others."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "clinic"
# The workflow stages in order; coverage and records are one stage (the gate needs both).
STAGES = ("cases", ("coverage", "records"), "matching", "scheduling", "review", "outcomes", "api")
RANK = {name: rank for rank, stage in enumerate(STAGES) for name in ((stage,) if isinstance(stage, str) else stage)}


def _imports() -> dict[str, list[tuple[str, bool]]]:
    """module -> [(imported clinic module, imported at module level?)]"""
    found = {}
    for path in ROOT.rglob("*.py"):
        module = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text())
        top_level = {id(node) for node in tree.body}
        names = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "clinic":
                targets = [f"{node.module}.{a.name}" if node.module == "clinic" else node.module for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "clinic"]
            else:
                continue
            names += [(t, id(node) in top_level) for t in targets]
        found[module] = names
    return found


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def test_stages_import_only_earlier_stages():
    upward = []
    for module, targets in _imports().items():
        for target, _ in targets:
            here, there = _stage(module), _stage(target)
            if here and there and RANK[there] > RANK[here]:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_import_cycles_between_modules():
    modules = _imports()
    known = set(modules)

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph = {m: {resolve(t) for t, top in targets if top and resolve(t) not in (None, m)}
             for m, targets in modules.items()}
    cycles, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in graph.get(node, ()):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
