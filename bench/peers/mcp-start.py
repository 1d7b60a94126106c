"""Start one stdio MCP server from a repository's .mcp.json the way a client does, and
stop it once it has answered initialize and tools/list: the start-up time of that one
server, for comparison with `onevenv check --only mcp` starting all of them. Like
check, it sends SIGTERM as soon as the server has answered.

usage: mcp-start.py REPO SERVER
"""

import json
import os
import subprocess
import sys


def main():
    repo, name = sys.argv[1], sys.argv[2]
    with open(os.path.join(repo, ".mcp.json"), encoding="utf-8") as handle:
        server = json.load(handle)["mcpServers"][name]
    env = dict(os.environ)
    env.update(server.get("env", {}))
    process = subprocess.Popen(
        [server["command"], *server.get("args", [])],
        cwd=repo,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )

    def send(message):
        process.stdin.write((json.dumps(message) + "\n").encode())
        process.stdin.flush()

    def answer(request_id):
        for line in process.stdout:
            message = json.loads(line)
            if message.get("id") == request_id:
                if "error" in message:
                    raise SystemExit("%s answered an error: %s" % (name, message["error"]))
                return message["result"]
        raise SystemExit("%s exited before answering" % name)

    try:
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "bench", "version": "0"}}})
        answer(1)
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        tools = answer(2)["tools"]
        print("%s: %d tools" % (name, len(tools)))
    finally:
        process.stdin.close()
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
