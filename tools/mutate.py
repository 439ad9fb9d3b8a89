"""Mutation testing of the business rules: one small change to the code at a time, then the tests that should notice.

    .venv/bin/python tools/mutate.py                   # every area (long: see docs/testing.md for the times)
    .venv/bin/python tools/mutate.py split statuses    # some areas
    .venv/bin/python tools/mutate.py pricing --list    # the mutants, without running anything
    .venv/bin/python tools/mutate.py pricing --resume  # go on where the last run of the area stopped
    .venv/bin/python tools/mutate.py pricing --survivors  # run again only what survived last time
    .venv/bin/python tools/mutate.py pricing --every 5    # a sample: every 5th mutant, spread over the modules
    .venv/bin/python tools/mutate.py units --committed    # the files as committed, whatever is in progress in the tree

A mutant is the module with one change (`<` for `<=`, `and` for `or`, a number plus one, a statement or a
table element removed, a condition negated…). It is *killed* when the area's tests fail on it, *survives* when
they all pass. Surviving mutants are bugs the tests would miss, or *equivalent* mutants that behave exactly like
the original; those are listed in EQUIVALENT below with the reason, and not counted.

The work happens in a copy of the repository (the files git knows, plus untracked ones it does not ignore), so
the working tree is never touched; results go to $VAR_DIR/mutation/<area>.jsonl. Each mutant's tests run in a
process forked from one that has already imported pytest and the libraries, with `-x`, so a mutant costs little
more than the tests that kill it.
"""

import argparse
import ast
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("orders", "pickpack", "config", "tests")


@dataclass(frozen=True)
class Area:
    """Modules to mutate (optionally only some of their functions) and the tests that guard them, fastest first."""

    modules: tuple[str, ...]
    tests: tuple[str, ...]
    functions: dict[str, tuple[str, ...]] = field(default_factory=dict)


PRICING_MODULES = [
    "discounts",
    "documents",
    "engine",
    "entries",
    "fees",
    "inputs",
    "money",
    "output",
    "rounding",
    "totals",
]
PRICING = tuple(f"orders/pricing/{name}.py" for name in PRICING_MODULES)
AREAS = {
    "pricing": Area(PRICING, ("tests/orders/pricing", "tests/orders/test_recalculation_api.py")),
    "statuses": Area(
        ("orders/statuses.py",), ("tests/orders/test_status_labels.py", "tests/orders/test_transitions_api.py")
    ),
    "split": Area(("orders/split.py",), ("tests/orders/test_split_amounts.py", "tests/orders/test_split_api.py")),
    "query": Area(
        ("orders/query/compiler.py",),
        ("tests/orders/query/test_compiler.py", "tests/orders/query/test_money_bounds.py", "tests/orders/query"),
    ),
    "deliveries": Area(
        ("orders/deliveries.py",),
        ("tests/orders/test_deliveries.py", "tests/orders/test_recalculation_api.py", "tests/pickpack"),
    ),
    "units": Area(
        ("orders/units.py",),
        ("tests/orders/test_units.py", "tests/orders/test_deliveries.py", "tests/pickpack/test_events_api.py"),
    ),
    "vendors": Area(
        ("orders/vendors.py", "orders/scopes.py"),
        (
            "tests/orders/test_vendor_rules.py",
            "tests/orders/test_orders_api.py",
            "tests/orders/test_split_api.py",
            "tests/orders/test_tokens_api.py",
            "tests/reliability/test_isolation_matrix.py",
            "tests/pickpack/test_events_api.py",
            "tests/pickpack/test_jobs_api.py",
        ),
    ),
    "jobs": Area(
        ("pickpack/services.py",),
        (
            "tests/pickpack/test_recalculation.py",
            "tests/pickpack/test_jobs_api.py",
            "tests/orders/webhooks/test_delivery.py::test_recalculation_job_finished_is_sent_when_a_job_ends",
            "tests/pickpack",
        ),
        functions={
            "pickpack/services.py": (
                "run_recalculation_job",
                "_recalculate_batch",
                "recalculate_next_orders",
                "finish_job_if_done",
                "resume_unfinished_jobs",
                "stalled_job_ids",
                "_pending_windows",
                "_take_over_held_orders",
                "_claim_next_rows",
                "_claim_in_one_statement",
                "_recalculated",
                "_packing_records",
                "_deliveries",
                "_failure",
                "_record_outcomes",
                "_record_outcome",
                "_failure_reason",
                "_refuse_overlap",
            )
        },
    ),
}

# Mutants that behave exactly like the original in every state the code can reach, by signature (see
# Mutant.signature), with the reason: not counted. Kept beside this script as JSON.
EQUIVALENT: dict[str, str] = json.loads((Path(__file__).parent / "equivalent_mutants.json").read_text())


# --- mutants ----------------------------------------------------------------------------------------------------------

COMPARE_SWAPS = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BINARY_SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
}
NAME_SWAPS = {"min": "max", "max": "min", "any": "all", "all": "any"}
SYMBOLS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.And: "and",
    ast.Or: "or",
}


@dataclass(frozen=True)
class Mutant:
    path: str
    line: int
    node: int  # index of the node in list(ast.walk(tree))
    kind: str
    variant: int
    description: str
    source_line: str
    occurrence: int = 0

    @property
    def signature(self) -> str:
        """Stable across unrelated edits: the file, the line's text and the change (not the line number)."""
        suffix = f"#{self.occurrence}" if self.occurrence else ""
        return f"{self.path}: {self.source_line} :: {self.description}{suffix}"


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """Nodes never mutated: docstrings, annotations, decorators, f-strings (messages) and what they hold."""
    skipped: set[int] = set()

    def skip(node: ast.AST | None) -> None:
        if node is not None:
            skipped.update(id(child) for child in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip(body[0])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            skip(node.returns)
            for decorator in node.decorator_list:
                skip(decorator)
            for argument in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                skip(argument.annotation)
            for argument in (node.args.vararg, node.args.kwarg):
                skip(argument.annotation if argument else None)
        if isinstance(node, ast.ClassDef):
            for decorator in node.decorator_list:
                skip(decorator)
        if isinstance(node, ast.AnnAssign):
            skip(node.annotation)
        if isinstance(node, ast.JoinedStr):
            skip(node)
        if isinstance(node, ast.Import | ast.ImportFrom):
            skip(node)
    return skipped


def _in_functions(tree: ast.AST, names: tuple[str, ...] | None) -> set[int] | None:
    if names is None:
        return None
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in names:
            inside.update(id(child) for child in ast.walk(node) if child is not node)
    return inside


def _number_mutation(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return None


def _decimal_text(text: str) -> str | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return str(number + 1) if number.is_finite() else None


def _members(node: ast.AST) -> tuple[str, str] | None:
    """`Base.MEMBER` → (Base, MEMBER)."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id, node.attr
    return None


def _variants(node: ast.AST, parents: dict[int, ast.AST]) -> Iterator[tuple[str, int, str]]:
    """(kind, variant, description) of each mutation of `node`."""
    if isinstance(node, ast.Compare):
        for index, operator in enumerate(node.ops):
            swap = COMPARE_SWAPS.get(type(operator))
            if swap:
                yield "compare", index, f"`{SYMBOLS[type(operator)]}` → `{SYMBOLS[swap]}`"
    elif isinstance(node, ast.BinOp | ast.AugAssign):
        swap = BINARY_SWAPS.get(type(node.op))
        if swap:
            yield "binary", 0, f"`{SYMBOLS[type(node.op)]}` → `{SYMBOLS[swap]}`"
    elif isinstance(node, ast.BoolOp):
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        yield "boolean", 0, f"`{SYMBOLS[type(node.op)]}` → `{SYMBOLS[other]}`"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        yield "unary", 0, "`not` removed" if isinstance(node.op, ast.Not) else "unary `-` removed"
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool | int | float) and _number_mutation(node.value) is not None:
            yield "constant", 0, f"{node.value!r} → {_number_mutation(node.value)!r}"
        elif isinstance(node.value, str) and not any(character.isspace() for character in node.value):
            decimal = _decimal_text(node.value) if node.value else None
            replacement = decimal if decimal is not None else f"XX{node.value}XX"
            yield "constant", 0, f"{node.value!r} → {replacement!r}"
    elif isinstance(node, ast.Name) and node.id in NAME_SWAPS and isinstance(parents.get(id(node)), ast.Call):
        yield "name", 0, f"`{node.id}` → `{NAME_SWAPS[node.id]}`"
    if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
        yield "condition", 0, "condition negated"
    if isinstance(node, ast.comprehension):
        for index, _ in enumerate(node.ifs):
            yield "filter", index, "comprehension filter negated"
    if isinstance(node, ast.Return) and node.value is not None and not _is_none(node.value):
        yield "return", 0, "returns None"
    if _removable(node):
        yield "statement", 0, "statement removed"
    if (
        isinstance(node, ast.Tuple | ast.List | ast.Set)
        and isinstance(getattr(node, "ctx", ast.Load()), ast.Load)
        and not isinstance(parents.get(id(node)), ast.Subscript)
    ):
        for index, element in enumerate(node.elts):
            if not isinstance(element, ast.Starred):
                yield "element", index, f"element {index} ({ast.unparse(element)}) removed"
    if isinstance(node, ast.Dict):
        for index, key in enumerate(node.keys):
            if key is not None:
                yield "key", index, f"item {ast.unparse(key)} removed"
        yield from _table_additions(node)


def _table_additions(node: ast.Dict) -> Iterator[tuple[str, int, str]]:
    """A table {Base.X: (Base.Y, …), …}: each member of Base added to each row that lacks it."""
    rows = [value for value in node.values if isinstance(value, ast.Tuple | ast.List | ast.Set)]
    if not rows or len(rows) != len(node.values):
        return
    members = [_members(element) for row in rows for element in row.elts] + [_members(key) for key in node.keys]
    if not members or None in members or len({base for base, _ in members}) != 1:
        return
    base = members[0][0]
    names = list(dict.fromkeys(name for _, name in members))
    for row_index, row in enumerate(rows):
        present = {_members(element)[1] for element in row.elts}
        for name_index, name in enumerate(names):
            if name not in present:
                variant = row_index * len(names) + name_index
                key = ast.unparse(node.keys[row_index])
                yield "table", variant, f"{base}.{name} added to the row of {key}"


def _removable(node: ast.AST) -> bool:
    """Statements that act on their own: calls, raises, deletions, and writes into objects and containers."""
    if isinstance(node, ast.Expr):
        return not isinstance(node.value, ast.Constant)
    if isinstance(node, ast.Assign):
        return any(isinstance(target, ast.Subscript | ast.Attribute) for target in node.targets)
    return isinstance(node, ast.Raise | ast.AugAssign | ast.Delete)


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _negated(test: ast.expr) -> ast.expr:
    return ast.UnaryOp(op=ast.Not(), operand=test)


def _apply(tree: ast.Module, mutant: Mutant) -> ast.Module:
    """The tree with the mutant's change (the tree is changed in place and returned)."""
    nodes = list(ast.walk(tree))
    node = nodes[mutant.node]
    parents = {id(child): parent for parent in nodes for child in ast.iter_child_nodes(parent)}
    kind, variant = mutant.kind, mutant.variant
    if kind == "compare":
        node.ops[variant] = COMPARE_SWAPS[type(node.ops[variant])]()
    elif kind == "binary":
        node.op = BINARY_SWAPS[type(node.op)]()
    elif kind == "boolean":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "unary":
        _replace(parents[id(node)], node, node.operand)
    elif kind == "constant":
        if isinstance(node.value, str):
            decimal = _decimal_text(node.value) if node.value else None
            node.value = decimal if decimal is not None else f"XX{node.value}XX"
        else:
            node.value = _number_mutation(node.value)
    elif kind == "name":
        node.id = NAME_SWAPS[node.id]
    elif kind == "condition":
        node.test = _negated(node.test)
    elif kind == "filter":
        node.ifs[variant] = _negated(node.ifs[variant])
    elif kind == "return":
        node.value = ast.Constant(value=None)
    elif kind == "statement":
        _replace(parents[id(node)], node, ast.Pass())
    elif kind == "element":
        del node.elts[variant]
    elif kind == "key":
        del node.keys[variant]
        del node.values[variant]
    elif kind == "table":
        rows = node.values
        members = [_members(element) for row in rows for element in row.elts] + [_members(key) for key in node.keys]
        base = members[0][0]
        names = list(dict.fromkeys(name for _, name in members))
        row = rows[variant // len(names)]
        name = names[variant % len(names)]
        if isinstance(row, ast.Tuple) and not row.elts:
            row.elts = []
        row.elts.append(ast.Attribute(value=ast.Name(id=base, ctx=ast.Load()), attr=name, ctx=ast.Load()))
    else:
        raise ValueError(kind)
    return ast.fix_missing_locations(tree)


def _replace(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, name, new)
            return
        if isinstance(value, list):
            for index, item in enumerate(value):
                if item is old:
                    value[index] = new
                    return
    raise ValueError("node not found in its parent")


def mutants_of(path: str, source: str, functions: tuple[str, ...] | None = None) -> list[Mutant]:
    tree = ast.parse(source)
    lines = source.splitlines()
    nodes = list(ast.walk(tree))
    parents = {id(child): parent for parent in nodes for child in ast.iter_child_nodes(parent)}
    skipped = _skipped_nodes(tree)
    inside = _in_functions(tree, functions)
    found: list[Mutant] = []
    seen: dict[str, int] = {}
    for index, node in enumerate(nodes):
        if id(node) in skipped or (inside is not None and id(node) not in inside):
            continue
        line = node.target.lineno if isinstance(node, ast.comprehension) else getattr(node, "lineno", None)
        if line is None:
            continue
        for kind, variant, description in _variants(node, parents):
            mutant = Mutant(path, line, index, kind, variant, description, lines[line - 1].strip())
            occurrence = seen.get(mutant.signature, 0)
            seen[mutant.signature] = occurrence + 1
            if occurrence:
                mutant = Mutant(**{**mutant.__dict__, "occurrence": occurrence})
            found.append(mutant)
    return sorted(found, key=lambda mutant: (mutant.line, mutant.node, mutant.kind, mutant.variant))


def mutated_source(source: str, mutant: Mutant) -> str:
    tree = _apply(ast.parse(source), mutant)
    text = ast.unparse(tree)
    compile(text, mutant.path, "exec")  # a mutant that does not compile is a bug in this tool
    return text


def changed_line(source: str, mutant: Mutant) -> str:
    """The first line of the mutated statement, for the report."""
    tree = _apply(ast.parse(source), mutant)
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and getattr(node, "lineno", None) == mutant.line:
            return ast.unparse(node).splitlines()[0]
    return ""


# --- running ----------------------------------------------------------------------------------------------------------


def copy_repository(target: Path, *, committed: bool) -> None:
    """The files git knows and the untracked ones it does not ignore: no .venv, no var/, no caches.

    `committed`: the files as committed at HEAD instead, so that work in progress in the tree (a half-done change,
    two new migrations of the same number) neither breaks the run nor adds mutants.
    """
    if committed:
        archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
        return
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            destination = target / os.fsdecode(name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def module_source(path: str, committed: bool) -> str:
    if committed:
        return subprocess.run(
            ["git", "show", f"HEAD:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
    return (ROOT / path).read_text()


def forget_the_working_tree() -> None:
    """Drop the finder of the editable install, which maps the project's packages to the working tree.

    The copy comes first on sys.path, but a module the copy lacks (a new file in the tree, not committed) would
    still be found there, through that finder, and mix the two trees.
    """
    sys.meta_path[:] = [finder for finder in sys.meta_path if not _from_editable_install(finder)]
    sys.path_hooks[:] = [hook for hook in sys.path_hooks if not _from_editable_install(hook)]
    sys.path_importer_cache.clear()


def _from_editable_install(finder: object) -> bool:
    return getattr(finder, "__module__", "").startswith("__editable__")


def preload_libraries() -> None:
    """Import what every test run needs but holds no project code, so forked runs start warm."""
    import importlib
    from importlib.metadata import entry_points

    import pytest  # noqa: F401

    plugins = [entry_point.value.split(":")[0] for entry_point in entry_points(group="pytest11")]
    for name in [*plugins, "django.db.models", "django.test", "rest_framework", "lark", "pint", "simplejson"]:
        with contextlib.suppress(Exception):  # what cannot load early simply loads in the child
            importlib.import_module(name)
    loaded = [name for name in sys.modules if name.split(".")[0] in PROJECT_PACKAGES]
    if loaded:
        raise SystemExit(f"project modules were imported before forking: {loaded[:5]}")


TEST_DATABASE = "test.sqlite3"
DATABASE_PROBE = "def test_database_is_created(db):\n    pass\n"


def prepare_database(workdir: Path) -> None:
    """Create the test database once, migrated and empty, and keep a copy every test run starts from.

    Runs share the database (--reuse-db): without the copy, a run killed at its timeout, or one whose transactional
    tests flushed what migrations had stored, would leave data that fails the next mutant's tests — a false kill.
    """
    if os.environ.get("DATABASE_URL"):
        raise SystemExit("mutation runs use SQLite: unset DATABASE_URL")
    probe = workdir / "tests" / "test_mutation_database_probe.py"
    probe.write_text(DATABASE_PROBE)
    try:
        code = _forked_pytest(
            ["-q", "-p", "no:cacheprovider", "--create-db", "--reuse-db", str(probe)],
            log=Path(os.devnull),
            deadline=time.monotonic() + 600,
        )
    finally:
        probe.unlink()
    if code != 0:
        raise SystemExit("could not create the test database")
    database = Path(os.environ["VAR_DIR"]) / TEST_DATABASE
    # The child left without closing its connection, so the migrated tables are still in the write-ahead log
    # (settings put SQLite in WAL mode): fold it into the file, or the copy is an empty database that every run
    # migrates again (all the migrations, the bulk of a run's time).
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if not connection.execute("SELECT count(*) FROM django_migrations").fetchone()[0]:
            raise SystemExit("the test database was not migrated")
    shutil.copyfile(database, database.with_suffix(".pristine"))


def restore_database() -> None:
    database = Path(os.environ["VAR_DIR"]) / TEST_DATABASE
    for leftover in (database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(database.with_suffix(".pristine"), database)


def run_tests(workdir: Path, tests: tuple[str, ...], *, timeout: float, log: Path) -> tuple[str, float]:
    """('killed'|'survived'|'timeout', seconds): each test path in turn, until one fails.

    One pytest run per path keeps the order the area gives (pytest-django would otherwise run every database test
    before the plain ones, however fast those are); a directory skips the files already run before it.
    """
    started = time.monotonic()
    done: list[str] = []
    for path in (test for test in tests if (workdir / test.split("::")[0]).exists()):
        ignored = [f"--ignore={file}" for file in done if file.startswith(path.rstrip("/") + "/")]
        arguments = [
            "-x",
            "-q",
            "--no-header",
            "-p",
            "no:cacheprovider",
            "--reuse-db",
            "--hypothesis-seed=0",
            *ignored,
            path,
        ]
        restore_database()
        code = _forked_pytest(arguments, log=log, deadline=started + timeout)
        if code is None:
            return "timeout", time.monotonic() - started
        # any failure after a passing baseline is a kill: failed tests, a collection error, a module that no longer
        # imports; 5 is "no tests collected" (a directory whose files all ran before)
        if code not in (0, 5):
            return "killed", time.monotonic() - started
        done.append(path)
    return "survived", time.monotonic() - started


def _forked_pytest(arguments: list[str], *, log: Path, deadline: float) -> int | None:
    """pytest's exit code, from a child forked from this process; None when the deadline passed."""
    pid = os.fork()
    if pid == 0:  # the child: run pytest on the mutated copy and leave without cleanup
        try:
            descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            os.dup2(descriptor, 1)
            os.dup2(descriptor, 2)
            os.setpgid(0, 0)
            import pytest

            os._exit(int(pytest.main(arguments)))
        except BaseException:  # the child must never return into the parent's loop
            os._exit(70)
    while True:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.05)


def run_area(name: str, area: Area, args: argparse.Namespace, workdir: Path, results_dir: Path) -> dict:
    results_file = results_dir / f"{name}.jsonl"
    previous = _read_results(results_file)
    mutants = [
        mutant
        for module in area.modules
        for mutant in mutants_of(module, (workdir / module).read_text(), area.functions.get(module))
    ]
    if args.only:
        mutants = [mutant for mutant in mutants if any(text in mutant.signature for text in args.only)]
    if args.every:
        mutants = mutants[:: args.every]
    if args.list:
        for mutant in mutants:
            print(f"{mutant.path}:{mutant.line}: {mutant.description}  [{mutant.source_line}]")
        return {}
    if args.survivors:
        todo = [
            mutant
            for mutant in mutants
            if previous.get(mutant.signature, {}).get("result") == "survived" and mutant.signature not in EQUIVALENT
        ]
    elif args.resume:
        todo = [mutant for mutant in mutants if mutant.signature not in previous]
    else:
        todo, previous = mutants, {}
    # a mutant listed as equivalent can only survive, after every test path: not worth the time of running it
    for mutant in todo:
        if mutant.signature in EQUIVALENT:
            previous[mutant.signature] = {"result": "equivalent", "path": mutant.path, "line": mutant.line}
    todo = [mutant for mutant in todo if mutant.signature not in EQUIVALENT]
    if args.max:
        todo = todo[: args.max]
    log = results_dir / f"{name}.log"
    print(f"[{name}] {len(mutants)} mutants, {len(todo)} to run; baseline…", flush=True)
    log.write_text("baseline\n")
    outcome, baseline = run_tests(workdir, area.tests, timeout=3600, log=log)
    if outcome != "survived":
        raise SystemExit(f"[{name}] the tests fail without any mutant; see {log}")
    timeout = baseline * 3 + 30
    print(f"[{name}] baseline {baseline:.1f} s", flush=True)
    for number, mutant in enumerate(todo, 1):
        path = workdir / mutant.path
        original = path.read_text()
        try:
            path.write_text(mutated_source(original, mutant))
            log.write_text(f"{mutant.signature}\n")
            outcome, seconds = run_tests(workdir, area.tests, timeout=timeout, log=log)
        finally:
            path.write_text(original)
        previous[mutant.signature] = {
            "result": outcome,
            "path": mutant.path,
            "line": mutant.line,
            "description": mutant.description,
            "changed": changed_line(original, mutant),
            "seconds": round(seconds, 1),
        }
        _write_results(results_file, previous, mutants)
        marker = {"killed": ".", "timeout": "T", "survived": "S"}[outcome]
        print(f"[{name}] {number}/{len(todo)} {marker} {mutant.path}:{mutant.line} {mutant.description}", flush=True)
    return summarize(name, mutants, previous)


def summarize(name: str, mutants: list[Mutant], results: dict) -> dict:
    counts = {"killed": 0, "timeout": 0, "survived": 0, "equivalent": 0, "not run": 0}
    survivors = []
    for mutant in mutants:
        result = results.get(mutant.signature, {}).get("result", "not run")
        if result in ("survived", "equivalent"):  # skipped as equivalent earlier: "not run" if no longer listed
            result = "equivalent" if mutant.signature in EQUIVALENT else {"equivalent": "not run"}.get(result, result)
        counts[result] += 1
        if result == "survived":
            survivors.append((mutant, results[mutant.signature].get("changed", "")))
    tested = counts["killed"] + counts["timeout"] + counts["survived"]
    score = (counts["killed"] + counts["timeout"]) / tested if tested else 0.0
    print(
        f"[{name}] {len(mutants)} mutants: {counts['killed']} killed, {counts['timeout']} timed out, "
        f"{counts['survived']} survived, {counts['equivalent']} equivalent, {counts['not run']} not run "
        f"→ {score:.0%} of the non-equivalent ones killed"
    )
    for mutant, changed in survivors:
        print(f"    survived {mutant.path}:{mutant.line}: {mutant.description}")
        print(f"        {mutant.source_line}\n     →  {changed}")
    return {"area": name, **counts, "score": score}


def _read_results(path: Path) -> dict:
    if not path.exists():
        return {}
    results = {}
    for line in path.read_text().splitlines():
        record = json.loads(line)
        results[record.pop("signature")] = record
    return results


def _write_results(path: Path, results: dict, mutants: list[Mutant]) -> None:
    order = {mutant.signature: index for index, mutant in enumerate(mutants)}
    ordered = sorted(results.items(), key=lambda item: order.get(item[0], len(order)))
    path.write_text("".join(json.dumps({"signature": key, **value}) + "\n" for key, value in ordered))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("areas", nargs="*", help=f"areas to mutate (default: all): {', '.join(AREAS)}")
    parser.add_argument("--list", action="store_true", help="list the mutants without running them")
    parser.add_argument("--resume", action="store_true", help="run only mutants without a result yet")
    parser.add_argument("--survivors", action="store_true", help="run again only the mutants that survived")
    parser.add_argument("--only", action="append", help="only mutants whose signature contains this text")
    parser.add_argument("--max", type=int, help="run at most this many mutants per area")
    parser.add_argument(
        "--every", type=int, help="a sample spread over the modules: only every Nth mutant (also with --report)"
    )
    parser.add_argument(
        "--committed", action="store_true", help="mutate and test the files as committed at HEAD, not the working tree"
    )
    parser.add_argument("--report", action="store_true", help="print the last results without running anything")
    args = parser.parse_args()
    names = args.areas or list(AREAS)
    unknown = [name for name in names if name not in AREAS]
    if unknown:
        parser.error(f"unknown areas {unknown}; known: {', '.join(AREAS)}")
    var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    results_dir = var_dir / "mutation"
    results_dir.mkdir(parents=True, exist_ok=True)
    if args.report:
        for name in names:
            area = AREAS[name]
            mutants = [
                mutant
                for module in area.modules
                for mutant in mutants_of(module, module_source(module, args.committed), area.functions.get(module))
            ][:: args.every or 1]
            summarize(name, mutants, _read_results(results_dir / f"{name}.jsonl"))
        return
    sys.dont_write_bytecode = True  # a stale .pyc of a mutant of the same size and second would be reused
    with tempfile.TemporaryDirectory(prefix="mutate-") as temporary:
        workdir = Path(temporary)
        copy_repository(workdir, committed=args.committed)
        os.chdir(workdir)
        sys.path.insert(0, str(workdir))
        forget_the_working_tree()
        os.environ.update(
            PYTHONPATH=str(workdir),
            PYTHONDONTWRITEBYTECODE="1",
            VAR_DIR=str(var_dir / "mutation" / "run"),
            HYPOTHESIS_STORAGE_DIRECTORY=str(workdir / ".hypothesis"),
        )
        if not args.list:
            preload_libraries()
            prepare_database(workdir)
        summaries = [run_area(name, AREAS[name], args, workdir, results_dir) for name in names]
    if not args.list:
        print("\narea        killed / non-equivalent")
        for summary in summaries:
            tested = summary["killed"] + summary["timeout"] + summary["survived"]
            killed = summary["killed"] + summary["timeout"]
            print(f"{summary['area']:<12}{killed:>6} / {tested:<6} {summary['score']:.0%}")


if __name__ == "__main__":
    main()
