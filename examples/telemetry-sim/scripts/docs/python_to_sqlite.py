"""Collect the docstrings of the Python scripts into a SQLite database."""

import argparse
import ast
import sqlite3
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(args.output)
    db.execute("DROP TABLE IF EXISTS docs")
    db.execute("CREATE TABLE docs (file TEXT, name TEXT, doc TEXT)")
    count = 0
    root = Path(args.source)
    for path in sorted(root.glob("**/*.py")):
        if ".venv" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        for node in nodes:
            doc = ast.get_docstring(node)
            if doc:
                name = getattr(node, "name", "<module>")
                db.execute("INSERT INTO docs VALUES (?, ?, ?)", (str(path.relative_to(root)), name, doc))
                count += 1
    db.commit()
    print(f"python-db: {count} docstrings")


if __name__ == "__main__":
    main()
