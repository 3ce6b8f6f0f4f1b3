"""No module imports another module's `_private` name (issue 17): what is shared is public.

Prints `file:line: name from module` for each, and exits 1 if there is any. Dunder names and
imports inside a package's own `__init__` are not private imports."""

import ast
import pathlib
import sys

ROOTS = [
    "safebabies",
    "cases",
    "teams",
    "assessments",
    "familytime",
    "workforce",
    "community",
    "cqi",
    "tests",
]


def private_imports(root: pathlib.Path):
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    name = alias.name
                    if name.startswith("_") and not name.startswith("__"):
                        yield f"{path}:{node.lineno}: {name} from {node.module}"


def main(argv: list[str]) -> int:
    base = pathlib.Path(argv[1]) if len(argv) > 1 else pathlib.Path()
    hits = [hit for root in ROOTS if (base / root).is_dir() for hit in private_imports(base / root)]
    if hits:
        print("Private names imported from another module (make them public):")
        print("\n".join(f"  {hit}" for hit in hits))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
