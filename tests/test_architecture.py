"""The dependency rules of DESIGN.md's "Layout", checked on the source itself:

- programs/ (the lower layer) imports nothing from pairing/, reaches none of its models
  through `_meta` or the app registry, and names none of its URLs ("pairing:", "hr:");
- templates/programs/ and templates/registration/ link to no pairing: or hr: URL and
  include none of their templates;
- pairing/matching/ (the engine) imports neither Django nor the apps (pairing outside
  pairing.matching, programs, config).

The scanners read the files with `ast` (no imports run), and each finding names its file
and line. They are tried on small sources first, so a scanner that finds nothing cannot
pass for a clean tree.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each package may not import: a module is forbidden when it is one of these or
# inside one, unless it is inside an allowed one.
LOWER_LAYER_FORBIDDEN = ("pairing",)
ENGINE_FORBIDDEN = ("django", "pairing", "programs", "config")
ENGINE_ALLOWED = ("pairing.matching",)

URL_NAME = re.compile(r"^(pairing|hr):\w")
TEMPLATE_LINK = re.compile(
    r"""\{%\s*url\s+['"](?:pairing|hr):"""  # {% url 'pairing:...' %}
    r"""|['"](?:pairing|hr):\w+['"]"""  # a URL name handed to a tag or a filter
    r"""|\{%\s*(?:include|extends)\s+['"](?:pairing|hr)/"""  # their templates
)


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """The absolute names an import statement brings in (relative ones resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level == 0:
            base = node.module or ""
        else:
            package = module.split(".") if is_package else module.split(".")[:-1]
            if node.level - 1 > len(package) - 1:
                return ["<beyond the top-level package>"]
            anchor = package[: len(package) - (node.level - 1)]
            base = ".".join([*anchor, *([node.module] if node.module else [])])
        if node.module is None:
            # `from . import x`: x may be a module of the package.
            return [f"{base}.{alias.name}" for alias in node.names]
        return [base]
    return []


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _dynamic_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """import_module("x") / __import__("x") / apps.get_model("app", ...) with a literal."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        if name in ("import_module", "__import__"):
            found.append((node.lineno, first.value))
        elif name in ("get_model", "get_app_config"):
            found.append((node.lineno, first.value.split(".")[0]))
    return found


def scan_imports(
    source: str,
    *,
    filename: str,
    module: str,
    forbidden: tuple[str, ...],
    allowed: tuple[str, ...] = (),
    is_package: bool = False,
) -> list[str]:
    """ "file:line: imports x" for every import of a forbidden module."""
    tree = ast.parse(source, filename=filename)
    found = []
    for node in ast.walk(tree):
        for name in _imported(node, module, is_package):
            if (_within(name, forbidden) and not _within(name, allowed)) or name.startswith("<"):
                found.append(f"{filename}:{node.lineno}: imports {name}")
    for line, name in _dynamic_imports(tree):
        if _within(name, forbidden) and not _within(name, allowed):
            found.append(f"{filename}:{line}: loads {name} dynamically")
    return found


def scan_reaches_upper_layer(source: str, *, filename: str) -> list[str]:
    """Reaching another app's models without importing them (`x._meta...related_model`),
    and URL names of the upper layer ("pairing:...", "hr:...") in string literals."""
    tree = ast.parse(source, filename=filename)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("related_model", "remote_field"):
            chain = ast.unparse(node.value)
            if "_meta" in chain:
                found.append(f"{filename}:{node.lineno}: reaches a related model via {chain}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and URL_NAME.match(node.value)
        ):
            found.append(f"{filename}:{node.lineno}: names the URL {node.value!r}")
    return found


def scan_template(text: str, *, filename: str) -> list[str]:
    return [
        f"{filename}:{number}: links to {match.group(0)!r}"
        for number, line in enumerate(text.splitlines(), start=1)
        for match in TEMPLATE_LINK.finditer(line)
    ]


def _python_files(*packages: str):
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- The scanners find what they look for --------------------------------------------


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("import pairing", "programs.x", ["x.py:1: imports pairing"]),
        ("import os\nimport pairing.models", "programs.x", ["x.py:2: imports pairing.models"]),
        ("from pairing.models import Pairing", "programs.x", ["x.py:1: imports pairing.models"]),
        ("from pairing import models", "programs.x", ["x.py:1: imports pairing"]),
        ("def f():\n    from pairing import x", "programs.x", ["x.py:2: imports pairing"]),
        ("from .. import x", "programs.x", ["x.py:1: imports <beyond the top-level package>"]),
        (
            "from importlib import import_module\nimport_module('pairing.hr')",
            "programs.x",
            ["x.py:2: loads pairing.hr dynamically"],
        ),
        (
            "apps.get_model('pairing', 'Pairing')",
            "programs.x",
            ["x.py:1: loads pairing dynamically"],
        ),
        ("from programs.models import Program", "programs.x", []),
        ("from .models import Program\nimport pairwise", "programs.x", []),
    ],
)
def test_import_scanner_finds_the_lower_layer_importing_pairing(source, module, expected):
    found = scan_imports(source, filename="x.py", module=module, forbidden=LOWER_LAYER_FORBIDDEN)
    assert found == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import django", ["m.py:1: imports django"]),
        ("from django.db import models", ["m.py:1: imports django.db"]),
        ("from programs.models import Program", ["m.py:1: imports programs.models"]),
        ("from pairing.models import Pairing", ["m.py:1: imports pairing.models"]),
        ("from ..models import Pairing", ["m.py:1: imports pairing.models"]),
        ("from .. import services", ["m.py:1: imports pairing.services"]),
        ("from config import settings", ["m.py:1: imports config"]),
        ("from .scores import FORBIDDEN\nfrom pairing.matching import engine", []),
        ("import numpy as np\nfrom scipy.optimize import linprog", []),
    ],
)
def test_import_scanner_finds_the_engine_importing_django_or_the_apps(source, expected):
    found = scan_imports(
        source,
        filename="m.py",
        module="pairing.matching.m",
        forbidden=ENGINE_FORBIDDEN,
        allowed=ENGINE_ALLOWED,
    )
    assert found == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            'Participant._meta.get_field("memberships").related_model',
            ["s.py:1: reaches a related model via Participant._meta.get_field('memberships')"],
        ),
        ('reverse("hr:program_detail")', ["s.py:1: names the URL 'hr:program_detail'"]),
        ("redirect('pairing:proposal_list')", ["s.py:1: names the URL 'pairing:proposal_list'"]),
        ('reverse("programs:guide")\nfield.related_model', []),
        ('print("hr: 3 people")', []),
    ],
)
def test_reach_scanner_finds_related_models_and_upper_urls(source, expected):
    assert scan_reaches_upper_layer(source, filename="s.py") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<a href=\"{% url 'pairing:pairing_list' %}\">",
            ['t.html:1: links to "{% url \'pairing:"'],
        ),
        ('<a href="{% url "hr:dashboard" p.slug %}">', ["t.html:1: links to '{% url \"hr:'"]),
        (
            "x\n{% url job_urls|add:'hr:x' %}",
            ["t.html:2: links to \"'hr:x'\""],
        ),
        ('{% include "hr/includes/nav.html" %}', ["t.html:1: links to '{% include \"hr/'"]),
        ("{% url 'programs:guide' %} {% include \"includes/nav.html\" %} hr: 3", []),
    ],
)
def test_template_scanner_finds_links_to_the_upper_layer(text, expected):
    assert scan_template(text, filename="t.html") == expected


# --- The tree keeps the rules -------------------------------------------------------


def test_programs_imports_nothing_from_pairing():
    found = [
        finding
        for path in _python_files("programs")
        for finding in scan_imports(
            path.read_text(),
            filename=_relative(path),
            module=_module_of(path),
            forbidden=LOWER_LAYER_FORBIDDEN,
            is_package=path.name == "__init__.py",
        )
    ]
    assert found == [], "programs/ must not depend on pairing/:\n" + "\n".join(found)


def test_programs_reaches_no_pairing_model_or_url():
    found = [
        finding
        for path in _python_files("programs")
        for finding in scan_reaches_upper_layer(path.read_text(), filename=_relative(path))
    ]
    assert found == [], "programs/ must not depend on pairing/:\n" + "\n".join(found)


def test_programs_templates_link_to_no_pairing_or_hr_page():
    templates = [
        path
        for folder in ("templates/programs", "templates/registration")
        for path in sorted((ROOT / folder).rglob("*.html"))
    ]
    assert templates, "no templates found: is the path right?"
    found = [
        finding
        for path in templates
        for finding in scan_template(path.read_text(), filename=_relative(path))
    ]
    assert found == [], "programs' templates must not link upwards:\n" + "\n".join(found)


def test_matching_engine_imports_neither_django_nor_the_apps():
    files = list(_python_files("pairing/matching"))
    assert files, "no engine files found: is the path right?"
    found = [
        finding
        for path in files
        for finding in scan_imports(
            path.read_text(),
            filename=_relative(path),
            module=_module_of(path),
            forbidden=ENGINE_FORBIDDEN,
            allowed=ENGINE_ALLOWED,
            is_package=path.name == "__init__.py",
        )
    ]
    assert found == [], "pairing/matching/ must stay plain Python:\n" + "\n".join(found)
