"""Index the C++ symbols (functions, structs) with tree-sitter."""

import argparse
from pathlib import Path

import tree_sitter_cpp
from tree_sitter import Language, Parser

from tracedb import connect

CPP = Language(tree_sitter_cpp.language())
KINDS = {"function_declarator": "function", "struct_specifier": "struct", "class_specifier": "class"}


def symbols(path):
    tree = Parser(CPP).parse(path.read_bytes())
    stack = [(tree.root_node, False)]
    while stack:
        node, in_body = stack.pop()
        in_body = in_body or node.type == "compound_statement"
        kind = KINDS.get(node.type)
        name = node.child_by_field_name("declarator" if kind == "function" else "name")
        # Declarators inside function bodies are local variables, not API.
        if kind and name is not None and not in_body:
            yield name.text.decode(), kind, node.start_point[0] + 1
        stack.extend((child, in_body) for child in reversed(node.children))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    root = Path(args.source)
    db = connect(args.db)
    db.execute("DELETE FROM symbols")
    count = 0
    for path in sorted(root.glob("**/*.[ch]pp")):
        if "build" in path.relative_to(root).parts:
            continue
        for name, kind, line in symbols(path):
            db.execute("INSERT INTO symbols VALUES (?, ?, ?, ?)",
                       (name, kind, str(path.relative_to(root)), line))
            count += 1
    db.commit()
    print(f"trace-symbols: {count} symbols")


if __name__ == "__main__":
    main()
