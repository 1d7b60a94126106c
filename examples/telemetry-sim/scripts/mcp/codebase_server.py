"""MCP server: look up C++ symbols in the traceability database."""

import os
import sqlite3
from pathlib import Path

from fastmcp import FastMCP

ROOT = Path(__file__).resolve().parents[2]
DB = Path(os.environ.get("TRACE_DB", ROOT / "build" / "debug" / "db" / "traceability.db"))

mcp = FastMCP("codebase")


@mcp.tool
def find_symbol(name: str) -> list[dict]:
    """Where a C++ function, struct or class is declared."""
    if not DB.exists():
        return [{"error": f"{DB} does not exist: build the trace-symbols target first"}]
    with sqlite3.connect(DB) as db:
        rows = db.execute(
            "SELECT name, kind, file, line FROM symbols WHERE name LIKE ?", (f"%{name}%",)
        ).fetchall()
    return [{"name": n, "kind": k, "file": f, "line": line} for n, k, f, line in rows]


if __name__ == "__main__":
    mcp.run()
