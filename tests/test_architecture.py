"""The package's shape, as ARCHITECTURE.md states it: stages import only earlier stages,
only ``ocr/archive`` speaks SQL, every module says what it is in its first line."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ocr"

# Pipeline order: a module may import its own stage and earlier ones, never a later one.
STAGES = [
    {"ocr", "ocr.errors", "ocr.model"},
    {"ocr.text"},
    {"ocr.scan"},
    {"ocr.layout"},
    {"ocr.recognize"},
    {"ocr.regions"},
    {"ocr.articles"},
    {"ocr.pipeline"},
    {"ocr.archive"},
    {"ocr.batch"},
    {"ocr.export"},
    {"ocr.review"},
    {"ocr.cli", "ocr.__main__"},
]
SQL_CALLS = {"execute", "executemany", "executescript", "query", "table", "create_table"}
SQL_TEXT = re.compile(
    r"\b(SELECT\b.+\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE"
    r"|ALTER\s+TABLE|PRAGMA|BEGIN|ROLLBACK|COMMIT)\b",
    re.S,
)


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), path))
    return out


def stage(name: str) -> int:
    for rank, members in enumerate(STAGES):
        for m in members:
            if name == m or (m != "ocr" and name.startswith(m + ".")):
                return rank
    raise AssertionError(f"{name}: in no stage of ARCHITECTURE.md (add it to STAGES)")


def imported(name: str, tree: ast.AST) -> list[tuple[int, str]]:
    """Every ``ocr`` module the tree imports (relative imports resolved), with line."""
    package = name if name.count(".") == 0 else name.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "ocr"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "ocr":
                continue
            out.append((node.lineno, mod))
            for a in node.names:  # ``from ocr import archive`` imports ocr.archive
                sub = f"{mod}.{a.name}"
                if (PACKAGE.parent / sub.replace(".", "/")).exists() or (
                    PACKAGE.parent / (sub.replace(".", "/") + ".py")
                ).exists():
                    out.append((node.lineno, sub))
    return out


MODULES = modules()


def test_the_stages_cover_the_package():
    for name, _ in MODULES:
        stage(name)


def test_no_stage_imports_a_later_one():
    wrong = []
    for name, path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for lineno, mod in imported(name, tree):
            if stage(mod) > stage(name):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{lineno} imports {mod}")
    assert wrong == []


def test_only_the_archive_speaks_sql():
    wrong = []
    for name, path in MODULES:
        if name == "ocr.archive" or name.startswith("ocr.archive."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(PACKAGE.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if any(n.split(".")[0] == "sqlite_utils" for n in names):
                    wrong.append(f"{where}:{node.lineno} imports sqlite_utils")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS
            ):
                wrong.append(f"{where}:{node.lineno} calls .{node.func.attr}()")
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL_TEXT.search(node.value)
                and not _docstring(tree, node)
            ):
                wrong.append(f"{where}:{node.lineno} SQL text {node.value[:40]!r}")
    assert wrong == []


def _docstring(tree: ast.AST, const: ast.Constant) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and body[0].value is const:
                return True
    return False


@pytest.mark.parametrize("name,path", MODULES, ids=[n for n, _ in MODULES])
def test_every_module_says_what_it_is(name, path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc and doc.splitlines()[0].strip(), f"{path}: no docstring"
    assert len(doc.splitlines()[0]) <= 100


def test_the_sql_checks_would_catch_sql_and_a_backward_import():
    """The checks above are not vacuous: they flag a query and an import of a later stage."""
    tree = ast.parse('from ocr import archive\ndb.query("SELECT * FROM pages")\n')
    assert [m for _, m in imported("ocr.layout.segment", tree)] == ["ocr", "ocr.archive"]
    assert stage("ocr.archive") > stage("ocr.layout.segment")
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert calls[0].func.attr in SQL_CALLS
    assert SQL_TEXT.search("SELECT * FROM pages")
    assert not SQL_TEXT.search("select the best page")


def test_architecture_md_names_every_folder_and_stage_module():
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    top = sorted(p.name for p in PACKAGE.glob("*.py") if not p.name.startswith("__"))
    missing = [f"{n}/" for n in folders if f"{n}/" not in text]
    missing += [n for n in top if n not in text]
    assert missing == []


def test_no_function_is_over_sixty_lines():
    """Long functions hide their steps: cut them into named ones."""
    long = []
    for _, path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    long.append(f"{path.relative_to(PACKAGE.parent)}:{node.name} {length} lines")
    assert long == []
