"""The shape of the house (shared/DESIGN.md sections 3 and 12): every package depends only on the
packages below it, no module imports itself back through others, and nothing registers itself at
import time (each package's init_app does, on the application)."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import clinic

ROOT = Path(__file__).resolve().parent.parent / "clinic"
# Every package and top-level module, lowest first; a layer may import only its own and lower layers.
# Coverage and records are one stage (the gate needs both).
LAYERS = (
    ("config", "database", "extensions", "errors", "text", "formkit", "wiring", "security", "worker",
     "i18n"),  # foundations
    ("audit",),
    ("auth",),
    ("web",),        # the page shell
    ("mail",),
    ("directory",),
    ("admin",),      # staff accounts and the audit log (links specialists to directory records)
    ("cases",),      # 1
    ("coverage", "records"),  # 2
    ("matching",),   # 3
    ("scheduling",),  # 4
    ("inbox",),      # 4: replies to invites, read from the clinic's mailbox
    ("review",),     # 5
    ("outcomes",),   # 6
    ("patients",),   # the patient's side over stages 1-6: status page, acknowledgement, reminders
    ("api",),
    ("demo", "bench", "cli"),  # tooling
)
RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}


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


def test_every_package_and_module_has_a_layer():
    names = {path.stem if path.is_file() else path.name for path in ROOT.iterdir()
             if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()}
    assert names - set(RANK) == set()


def test_packages_import_only_lower_layers():
    """Lazy imports inside functions count too: a wrong-way import is one whatever its place."""
    upward = []
    for module, targets in _imports().items():
        for target, _ in targets:
            here, there = _stage(module), _stage(target)
            if here and there and RANK[there] > RANK[here]:
                upward.append(f"{module} -> {target}")
    assert upward == []


IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
import clinic
from clinic.extensions import csrf, login_manager

def collections():
    found = {}
    for name, module in list(sys.modules.items()):
        if name.startswith("clinic"):
            for key, value in vars(module).items():
                if isinstance(value, (list, dict, set)) and not key.startswith("__"):
                    found[name + "." + key] = repr(value)
    found["login_manager"] = repr((login_manager._user_callback, login_manager._request_callback))
    found["csrf"] = repr((sorted(csrf._exempt_views), sorted(csrf._exempt_blueprints)))
    return found

changed = []
for info in pkgutil.walk_packages(clinic.__path__, "clinic."):
    before = collections()
    importlib.import_module(info.name)
    after = collections()
    changed += [info.name + " changed " + key for key in before if after[key] != before[key]]
print(json.dumps(changed))
"""


def test_importing_a_module_registers_nothing():
    """Importing any module (in a fresh interpreter, no app) leaves every other module's lists, dicts
    and sets, the login manager's loaders and the CSRF exemptions as they were: stages register
    in their init_app, on the application, never as a side effect of being imported."""
    result = subprocess.run([sys.executable, "-c", IMPORT_EVERY_MODULE], capture_output=True, text=True,
                            cwd=ROOT.parent, check=True)
    assert json.loads(result.stdout) == []


def test_two_apps_in_one_process_share_no_registry():
    first = clinic.create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = clinic.create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    one, other = first.extensions["clinic"], second.extensions["clinic"]
    assert one is not other
    assert one.guards == other.guards and one.guards.keys()  # the same wiring, built twice
    one.queue_flags.clear()
    assert other.queue_flags


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
