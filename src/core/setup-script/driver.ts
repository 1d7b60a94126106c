/**
 * The Python half of python/setup.sh: everything after "find a python3 to run me". It is
 * the same algorithm as `onevenv sync` (src/core/sync/sync.ts), ported line for line where
 * the two must agree: the no-op check (evaluateMarker), the marker and its fingerprint,
 * the venv directory rules (venv-dir.ts), the environment lock (env-lock.ts), the
 * installer commands (install.ts), index settings (index-settings.ts) and the lock's
 * currency (lock/status.ts). When one of those changes, change this too: the tests run
 * both against each other.
 *
 * Written for every Python 3 a system may call python3 (3.6 and later): no walrus, no
 * dataclasses, no `capture_output`/`text=`; and run with `-I -S`, so nothing outside the
 * standard library is imported and a venv about to be replaced is never on sys.path.
 * The program arrives on stdin (a quoted here-document): no `$` or backquote needs
 * escaping, and none appears here (this text is a String.raw template).
 */
export const DRIVER_HEAD = `import errno
import hashlib
import json
import os
import re
import sys
import time
`;

export const DRIVER_BODY = String.raw`
MARKER_FILE = ".onevenv-state.json"
PATHS_PTH = "_onevenv_paths.pth"
TRASH = ".onevenv-trash-"
CONFIG_FILE = "python/pyproject.toml"

ROOT = sys.argv[1]
CLEAN = sys.argv[2] == "1"
FROZEN = sys.argv[3] == "1"
VERBOSE = sys.argv[4] == "1"


class Failure(Exception):
    """A problem the user fixes: one line, a fix, an exit code (2 unless said)."""

    def __init__(self, message, where=None, fix=None, code=2):
        Exception.__init__(self, message)
        self.message = message
        self.where = where
        self.fix = fix
        self.code = code


class Interrupted(BaseException):
    def __init__(self, signum):
        BaseException.__init__(self, signum)
        self.signum = signum


def say(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def warn(message):
    say("warning " + message)


def at_root(path):
    return os.path.normpath(os.path.join(ROOT, path))


def shown(path):
    return os.path.relpath(path, ROOT).replace(os.sep, "/")


def plural(count, word):
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


CONFIG_PATH = at_root(CONFIG_FILE)
CONFIG_DIR = os.path.dirname(CONFIG_PATH)
VENV_DIR = at_root(VENV)
LOCK_PATH = at_root(LOCK)
EDITABLE_DIRS = [at_root(p) for p in EDITABLE]
PATH_DIRS = [at_root(p) for p in PATHS]
VENV_PYTHON = os.path.join(VENV_DIR, "bin", "python")
VENV_NAME = shown(VENV_DIR)
LOCK_NAME = shown(LOCK_PATH)


# ---------------------------------------------------------------- hashing, JSON, stat


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def hash_file(path):
    """sha256 of the bytes, None when absent (marker.ts hashFileSync)."""
    try:
        with open(path, "rb") as handle:
            return sha256_hex(handle.read())
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise Failure("cannot read %s: %s" % (shown(path), error.strerror))


def canonical_json(value):
    """JSON.stringify's text for strings, lists, dicts and integers."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def utf16_order(text):
    """JavaScript sorts strings by UTF-16 code units."""
    return text.encode("utf-16-be", "surrogatepass")


def file_identity(path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return "%d:%d:%d:%d" % (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def dir_identity(path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return "%d:%d" % (st.st_ino, st.st_mtime_ns)


def real_path(path):
    """realpathSync: the resolved path, None when it does not resolve to something."""
    resolved = os.path.realpath(path)
    return resolved if os.path.exists(resolved) else None


def iso_now():
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % (
        int(now * 1000) % 1000
    )


def write_atomic(path, text):
    temp = "%s.%d.%s.tmp" % (path, os.getpid(), os.urandom(4).hex())
    try:
        with open(temp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        if os.path.lexists(temp):
            os.remove(temp)


# ---------------------------------------------------------------- the marker (marker.ts)


def input_files():
    out = []
    for path in INPUT_FILES:
        full = at_root(path)
        if full not in out:
            out.append(full)
    return out


def fingerprint_of(marker):
    inputs = marker["inputs"]
    python = marker["python"]
    return sha256_hex(
        canonical_json(
            {
                "format": MARKER_FORMAT,
                "tool": marker["tool"],
                "venv": marker["venv"],
                "inputs": [[f, inputs[f]] for f in sorted(inputs, key=utf16_order)],
                "python": [python["base"], python["version"], python["identity"]],
                "editables": marker["editables"],
                "paths": marker["paths"],
            }
        ).encode("utf-8")
    )


def read_marker():
    try:
        with open(os.path.join(VENV_DIR, MARKER_FILE), "rb") as handle:
            raw = handle.read()
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            return "absent", None
        return "corrupt", "cannot read it (%s)" % errno.errorcode.get(error.errno, error.errno)
    try:
        marker = json.loads(raw.decode("utf-8"))
    except ValueError:
        return "corrupt", "it is not valid JSON (truncated?)"
    if not (
        isinstance(marker, dict)
        and marker.get("format") == MARKER_FORMAT
        and marker.get("state") in ("ready", "installing")
        and isinstance(marker.get("venv"), str)
        and isinstance(marker.get("fingerprint"), str)
        and isinstance(marker.get("inputs"), dict)
        and isinstance(marker.get("python"), dict)
        and isinstance(marker.get("editables"), list)
        and isinstance(marker.get("paths"), list)
        and isinstance(marker.get("site"), dict)
        and (marker.get("imports") is None or isinstance(marker.get("imports"), dict))
    ):
        return "corrupt", "it does not hold the fields onevenv writes"
    return "ok", marker


def staleness(marker, frozen):
    """Why the venv is not ready for the current inputs (evaluateMarker); [] when it is."""
    reasons = []
    if marker["venv"] != VENV_DIR:
        reasons.append("the venv was built at %s, not here" % marker["venv"])
    if marker["state"] != "ready":
        reasons.append("a sync did not finish (interrupted or failed)")
    if marker.get("tool") != TOOL:
        reasons.append("built by onevenv %s, this is %s" % (marker.get("tool"), TOOL))
    for path, digest in marker["inputs"].items():
        now = hash_file(path)
        if now == digest:
            continue
        if digest is None:
            reasons.append("%s was created since the last sync" % shown(path))
        elif now is None:
            reasons.append("%s was deleted since the last sync" % shown(path))
        else:
            reasons.append("%s changed since the last sync" % shown(path))
    if not frozen and marker.get("lockState") != "current":
        reasons.append("the lock was installed with --frozen, without checking it is current")
    if not os.path.exists(os.path.join(VENV_DIR, "pyvenv.cfg")):
        reasons.append("%s is missing" % shown(os.path.join(VENV_DIR, "pyvenv.cfg")))
    python = marker["python"]
    real = real_path(VENV_PYTHON)
    if real is None:
        reasons.append(
            "the venv's interpreter no longer resolves (base interpreter %s vanished or moved)"
            % python.get("base")
        )
    elif real != python.get("real"):
        reasons.append("the venv's interpreter now resolves to %s, not %s" % (real, python.get("real")))
    elif file_identity(real) != python.get("identity"):
        reasons.append("the base interpreter %s was replaced (upgraded?)" % real)
    site = marker["site"]
    if not reasons and dir_identity(site.get("path", "")) != site.get("identity"):
        reasons.append(
            "%s changed since the last sync (a package installed or removed by hand?)"
            % shown(site.get("path", ""))
        )
    if not reasons and fingerprint_of(marker) != marker["fingerprint"]:
        reasons.append("the state marker does not match its own fingerprint")
    return reasons


def ready_marker(frozen):
    kind, marker = read_marker()
    if kind != "ok" or CONFIG_PATH not in marker["inputs"]:
        return None
    return None if staleness(marker, frozen) else marker


def write_marker(marker):
    write_atomic(
        os.path.join(VENV_DIR, MARKER_FILE),
        json.dumps(marker, indent=2, ensure_ascii=False) + "\n",
    )


def report(marker, changed, seconds):
    packages = plural(marker["packages"], "package")
    version = marker["python"]["version"]
    if changed:
        say(
            "%s ready: Python %s, %s (%s, %.1fs)"
            % (VENV_NAME, version, packages, marker["installer"], seconds)
        )
    else:
        say("%s is up to date (Python %s, %s)" % (VENV_NAME, version, packages))
    imports = marker.get("imports") or {}
    if imports.get("ok") is False:
        for failure in imports.get("failed", []):
            say(
                "error group %s: import %s failed: %s"
                % (failure["group"], failure["module"], failure["error"])
            )
        return 1
    return 0


# ---------------------------------------------------------------- the venv directory


def is_marker_temp(entry):
    # setup.sh's own (write_atomic) and sync's (writeFileAtomic) temporary marker files.
    return entry.endswith(".tmp") and (
        entry.startswith("." + MARKER_FILE + ".onevenv-")
        or re.match(r"^" + re.escape(MARKER_FILE) + r"\.\d+\.[0-9a-f]{8}\.tmp$", entry) is not None
    )


def remove_marker_temps():
    try:
        entries = os.listdir(VENV_DIR)
    except OSError:
        return
    for entry in entries:
        if is_marker_temp(entry):
            try:
                os.remove(os.path.join(VENV_DIR, entry))
            except OSError:
                pass


def inspect_venv_dir(path):
    try:
        st = os.stat(path)
    except OSError as error:
        if error.errno == errno.ENOENT:
            return ("not-a-directory",) if os.path.lexists(path) else ("absent",)
        if error.errno == errno.ENOTDIR:
            return ("not-a-directory",)
        raise
    if not os.path.isdir(path):
        return ("not-a-directory",)
    entries = os.listdir(path)
    # Only the temporary file of a marker write killed before its rename: still ours.
    if all(is_marker_temp(entry) for entry in entries):
        return ("empty",)
    has_cfg = "pyvenv.cfg" in entries
    has_marker = MARKER_FILE in entries
    if not has_cfg and not has_marker:
        return ("foreign",)
    return ("venv", has_cfg, has_marker)


def refuse_venv_dir(kind):
    if kind[0] == "not-a-directory":
        raise Failure(
            "%s exists and is not a directory; setup.sh will not replace it" % VENV_NAME,
            where=VENV_NAME,
            fix="move it away, or set [tool.onevenv] venv to another path",
        )
    if kind[0] == "foreign":
        raise Failure(
            "%s exists but is not a virtual environment (no pyvenv.cfg); "
            "setup.sh will not delete or reuse it" % VENV_NAME,
            where=VENV_NAME,
            fix="move it away yourself, or set [tool.onevenv] venv to another path",
        )


def move_aside():
    trash = VENV_DIR + TRASH + os.urandom(4).hex()
    os.rename(VENV_DIR, trash)
    return trash


def remove_trash():
    parent = os.path.dirname(VENV_DIR)
    prefix = os.path.basename(VENV_DIR) + TRASH
    try:
        entries = os.listdir(parent)
    except OSError:
        return
    for entry in entries:
        if not entry.startswith(prefix):
            continue
        full = os.path.join(parent, entry)
        if inspect_venv_dir(full)[0] in ("venv", "empty"):
            remove_venv_dir(full)


def remove_venv_dir(path):
    # pyvenv.cfg and the marker go last: killed part-way, the directory still reads as a
    # venv, and the next run finishes the deletion instead of refusing a foreign directory.
    try:
        entries = os.listdir(path)
    except OSError:
        return
    for entry in entries:
        if entry in ("pyvenv.cfg", MARKER_FILE):
            continue
        full = os.path.join(path, entry)
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full, ignore_errors=True)
        else:
            try:
                os.unlink(full)
            except OSError:
                pass
    shutil.rmtree(path, ignore_errors=True)


def make_bytecode_dir(site):
    """site-packages/__pycache__ exists before the marker records site-packages' identity:
    Python creates it at the first import of a single-file module (six, typing_extensions),
    which would read as a package installed by hand (onevenv sync does the same)."""
    try:
        os.mkdir(os.path.join(site, "__pycache__"))
    except OSError:
        pass


def site_packages():
    lib = os.path.join(VENV_DIR, "lib")
    for entry in sorted(os.listdir(lib)):
        candidate = os.path.join(lib, entry, "site-packages")
        if os.path.exists(candidate):
            return candidate
    raise Failure("no site-packages under %s" % shown(lib), code=3)


def read_pyvenv_cfg():
    out = {}
    try:
        with open(os.path.join(VENV_DIR, "pyvenv.cfg"), encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, ValueError):
        return out
    for line in re.split(r"\r?\n", text):
        match = re.match(r"^\s*([^=]+?)\s*=\s*(.*?)\s*$", line)
        if match:
            out[match.group(1).lower()] = match.group(2)
    return out


# ---------------------------------------------------------------- child processes

CHILDREN = []
ENV_LOCK = [None]


def on_signal(signum, frame):
    stop_children(list(CHILDREN))
    raise Interrupted(signum)


def group_alive(pgid):
    """A process of the group still runs (zombies, which only wait to be reaped, do not)."""
    try:
        os.killpg(pgid, 0)
    except OSError:
        return False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return True
    for entry in entries:
        if not entry.isdigit():
            continue
        fields = proc_stat_fields(int(entry))
        if fields and len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False


def reap_strays(seconds):
    """Waits for children this process did not start through run() (the shell's
    here-document writer, inherited through exec) and for killed ones, so none is left
    behind as a zombie; gives up after seconds."""
    deadline = time.time() + seconds
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except OSError:
            return
        if pid == 0:
            if time.time() >= deadline:
                return
            time.sleep(0.01)


def stop_children(pgids):
    alive = [pgid for pgid in pgids if pgid > 1 and group_alive(pgid)]
    for pgid in alive:
        try:
            os.killpg(pgid, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.time() + 2
    while any(group_alive(pgid) for pgid in alive) and time.time() < deadline:
        time.sleep(0.02)
    for pgid in alive:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass


def installer_env():
    env = dict(os.environ)
    for name in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONHOME", "PYTHONPATH"):
        env.pop(name, None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


class Result(object):
    def __init__(self, code, stdout, stderr):
        self.code = code
        self.stdout = stdout
        self.stderr = stderr


def run(command, env, stdin_text=None, show=False):
    """Runs a child in its own process group (recorded in the environment lock)."""
    if VERBOSE:
        say("+ " + " ".join(command))
    stream = show and VERBOSE
    proc = subprocess.Popen(
        command,
        stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
        stdout=sys.stderr.fileno() if stream else subprocess.PIPE,
        stderr=None if stream else subprocess.PIPE,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    CHILDREN.append(proc.pid)
    record_children()
    try:
        out, err = proc.communicate(None if stdin_text is None else stdin_text.encode("utf-8"))
    finally:
        if proc.pid in CHILDREN:
            CHILDREN.remove(proc.pid)
        record_children()
    decode = lambda data: (data or b"").decode("utf-8", "replace")
    return Result(proc.returncode, decode(out), decode(err))


def record_children():
    if ENV_LOCK[0] is not None:
        ENV_LOCK[0].record(list(CHILDREN))


CREDENTIALS = re.compile(r"([a-z][a-z0-9+.-]*://)[^\s/@]+@", re.I)


def redact(text):
    return CREDENTIALS.sub(r"\1****@", text)


def step_failure(what, result, fix=None):
    lines = [line.rstrip() for line in (result.stderr + "\n" + result.stdout).split("\n")]
    tail = " | ".join([line for line in lines if line.strip()][-6:])
    return Failure(
        "%s failed (exit %s): %s" % (what, result.code, redact(tail) or "no output"),
        fix=fix or "run python/setup.sh --verbose for the full output",
    )


def find_executable(name, search_path):
    if "/" in name:
        return os.path.abspath(name) if is_executable(name) else None
    for directory in (search_path or "").split(os.pathsep):
        if directory:
            candidate = os.path.join(directory, name)
            if is_executable(candidate):
                return candidate
    return None


def is_executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_uv():
    """ONEVENV_UV (a path, or empty to pretend uv is absent), else uv on PATH (tools.ts)."""
    override = os.environ.get("ONEVENV_UV")
    if override is not None:
        return None if override == "" else find_executable(override, os.environ.get("PATH"))
    found = find_executable("uv", os.environ.get("PATH"))
    return None if found is None else resolve_pyenv_shim(found)


def resolve_pyenv_shim(path):
    """A pyenv shim answers per directory: use the executable it stands for (tools.ts)."""
    root = os.environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv")
    if os.path.dirname(path) != os.path.join(root, "shims"):
        return path
    versions = []
    try:
        with open(os.path.join(root, "version"), encoding="utf-8") as handle:
            versions += handle.read().split()
    except (OSError, ValueError):
        pass
    try:
        versions += sorted(os.listdir(os.path.join(root, "versions")), key=utf16_order, reverse=True)
    except OSError:
        pass
    for version in versions:
        candidate = os.path.join(root, "versions", version, "bin", os.path.basename(path))
        if is_executable(candidate):
            return candidate
    return path


# ---------------------------------------------------------------- the environment lock (env-lock.ts)


def proc_stat_fields(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            text = handle.read()
    except (OSError, ValueError):
        return None
    return text[text.rfind(")") + 2 :].split(" ")


def proc_start(pid):
    fields = proc_stat_fields(pid)
    return fields[19] if fields and len(fields) > 19 else None


def holder_is_dead(holder):
    if holder["host"] != socket.gethostname():
        return False
    try:
        os.kill(holder["pid"], 0)
    except OSError as error:
        if error.errno == errno.ESRCH:
            return True
    fields = proc_stat_fields(holder["pid"])
    if fields and fields[0] == "Z":
        return True
    start = proc_start(holder["pid"])
    return holder.get("procStart") is not None and start is not None and start != holder["procStart"]


def parse_holder(text):
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    pid, token = data.get("pid"), data.get("token")
    if not isinstance(pid, int) or isinstance(pid, bool) or not isinstance(token, str):
        return None
    children = data.get("children")
    return {
        "pid": pid,
        "host": data["host"] if isinstance(data.get("host"), str) else socket.gethostname(),
        "procStart": data["procStart"] if isinstance(data.get("procStart"), str) else None,
        "token": token,
        "children": [c for c in children if isinstance(c, int)] if isinstance(children, list) else [],
    }


def temp_name(target):
    return "%s.%d.%s.tmp" % (target, os.getpid(), os.urandom(4).hex())


def create_exclusive(target, content):
    temp = temp_name(target)
    with open(temp, "x", encoding="utf-8") as handle:
        handle.write(content)
    try:
        try:
            os.link(temp, target)
            return True
        except OSError as error:
            if error.errno == errno.EEXIST:
                return False
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
        try:
            with open(target, "x", encoding="utf-8") as handle:
                handle.write(content)
            return True
        except OSError as error:
            if error.errno == errno.EEXIST:
                return False
            raise
    finally:
        if os.path.lexists(temp):
            os.remove(temp)


def read_if_exists(path):
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        return text, os.stat(path).st_mtime
    except (OSError, ValueError):
        return None


class EnvLock(object):
    UNPARSABLE_STALE = 10.0

    def __init__(self, path):
        self.path = path
        self.holder = {"pid": os.getpid(), "host": socket.gethostname()}
        start = proc_start(os.getpid())
        if start is not None:
            self.holder["procStart"] = start
        self.holder["startedAt"] = iso_now()
        self.holder["token"] = os.urandom(8).hex()
        self.holder["children"] = []

    def content(self):
        return canonical_json(self.holder) + "\n"

    def acquire(self):
        deadline = time.time() + LOCK_TIMEOUT
        announced = False
        parent = os.path.dirname(self.path)
        if not os.path.isdir(parent):
            os.makedirs(parent)
        while True:
            if create_exclusive(self.path, self.content()):
                break
            existing = read_if_exists(self.path)
            if existing is None:
                continue
            other = parse_holder(existing[0])
            if other is not None:
                stale = holder_is_dead(other)
            else:
                stale = time.time() - existing[1] > self.UNPARSABLE_STALE
            if stale:
                self.break_stale(existing[0])
                continue
            who = "pid %d" % other["pid"] if other else "an unknown process"
            if other and other["host"] != socket.gethostname():
                who += " on " + other["host"]
            if not announced and other:
                announced = True
                say(
                    "waiting for onevenv (%s) to finish with %s (lock %s)"
                    % (who, VENV_NAME, shown(self.path))
                )
            if time.time() >= deadline:
                raise Failure(
                    "timed out after %d s waiting for %s, held by %s"
                    % (LOCK_TIMEOUT, shown(self.path), who),
                    where=shown(self.path),
                    fix="wait for that onevenv to finish or stop it; "
                    "[tool.onevenv] lock-timeout sets how long to wait",
                )
            time.sleep((100 + random.randint(0, 99)) / 1000.0)
        ENV_LOCK[0] = self
        self.remove_dead_temps()

    def break_stale(self, stale_text):
        guard = self.path + ".break"
        if not create_exclusive(guard, self.content()):
            existing = read_if_exists(guard)
            if existing is not None:
                holder = parse_holder(existing[0])
                if (holder is not None and holder_is_dead(holder)) or (
                    time.time() - existing[1] > self.UNPARSABLE_STALE
                ):
                    remove_quietly(guard)
            return
        try:
            now = read_if_exists(self.path)
            if now is None or now[0] != stale_text:
                return
            holder = parse_holder(stale_text)
            stop_orphans(holder["children"] if holder else [])
            remove_quietly(self.path)
        finally:
            remove_quietly(guard)

    def remove_dead_temps(self):
        parent = os.path.dirname(self.path)
        base = os.path.basename(self.path)
        try:
            entries = os.listdir(parent)
        except OSError:
            return
        for entry in entries:
            match = re.match(r"^(.*)\.(\d+)\.[0-9a-f]{8}\.tmp$", entry)
            if not match or match.group(1) not in (base, base + ".break"):
                continue
            pid = int(match.group(2))
            if pid == os.getpid():
                continue
            if holder_is_dead({"pid": pid, "host": socket.gethostname(), "procStart": None}):
                remove_quietly(os.path.join(parent, entry))

    def still_ours(self):
        now = read_if_exists(self.path)
        if now is None:
            return False
        holder = parse_holder(now[0])
        return holder is not None and holder["token"] == self.holder["token"]

    def record(self, pids):
        self.holder["children"] = pids
        if not self.still_ours():
            return
        temp = temp_name(self.path)
        with open(temp, "x", encoding="utf-8") as handle:
            handle.write(self.content())
        os.rename(temp, self.path)

    def release(self):
        ENV_LOCK[0] = None
        if self.still_ours():
            remove_quietly(self.path)


def stop_orphans(children):
    alive = [pgid for pgid in children if pgid > 1 and group_alive(pgid)]
    for pgid in alive:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.time() + 5
    while any(group_alive(pgid) for pgid in alive) and time.time() < deadline:
        time.sleep(0.02)


def remove_quietly(path):
    try:
        os.remove(path)
    except OSError:
        pass


# ---------------------------------------------------------------- the lock (lock/status.ts, lock-file.ts)


def read_lock_header(text):
    header = {"generator": None, "installer": None, "python": None, "platform": None, "fingerprint": None}
    for raw in text.split("\n"):
        line = raw[:-1] if raw.endswith("\r") else raw
        if line.strip() == "":
            continue
        if not line.startswith("#"):
            break
        generated = re.search(r"generated by onevenv (\S+?)[,;:]?(\s|$)", line, re.I)
        if generated and header["generator"] is None:
            header["generator"] = generated.group(1)
            continue
        field = re.match(r"^#\s*([a-z-]+):\s*(.*?)\s*$", line)
        if not field:
            continue
        key, value = field.group(1), field.group(2)
        if key == "installer":
            header["installer"] = re.split(r"\s", value)[0]
        elif key == "python":
            header["python"] = re.split(r"\s", value)[0]
        elif key == "platform":
            header["platform"] = re.sub(r"\s*\(.*\)$", "", value)
        elif key == "fingerprint":
            header["fingerprint"] = value
    return header


PIN = re.compile(
    r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\[[^\]]*\])?\s*===?\s*([^\s;\\]+)\s*(?:;\s*(.*?))?\s*$"
)
HASH = re.compile(r"\s--hash[=\s](\S+)")


def normalize_name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def logical_lines(text):
    """(first line number, stripped text) of each requirements line, continuations joined."""
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    i = 0
    while i < len(lines):
        start = i
        line = lines[i]
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + " " + lines[i].strip()
        i += 1
        yield start + 1, line.strip()


def locked_packages(text):
    """(name, version, hash count, line) of every pin (parseLockFile)."""
    out = []
    for number, trimmed in logical_lines(text):
        if trimmed == "" or trimmed.startswith("#") or trimmed.startswith("-"):
            continue
        hashes = HASH.findall(trimmed)
        match = PIN.match(HASH.sub("", trimmed).strip())
        if match:
            out.append((normalize_name(match.group(1)), match.group(2), len(hashes), number))
    return out


LOCK_OPTION = re.compile(r"^(--index-url([=\s]|$)|-i(\s|$)|--find-links([=\s]|$)|-f(\s|$)|--no-index$)")


def check_lock_options(text):
    # The lock names where packages come from and nothing else (as sync checks it): no
    # includes, no editables, never a second index that could shadow the first.
    for number, trimmed in logical_lines(text):
        if not trimmed.startswith("-"):
            continue
        if trimmed.startswith("--extra-index-url"):
            raise Failure(
                "--extra-index-url is not allowed in the lock: a second index lets a public "
                "package shadow a private one",
                where="%s:%d" % (LOCK_NAME, number),
                fix="remove the line; name one index with [tool.onevenv] index-url and run "
                "npx onevenv lock",
            )
        if not LOCK_OPTION.match(trimmed):
            raise Failure(
                "%s is not allowed in the lock: setup.sh installs only hashed pins from this "
                "file" % trimmed.split()[0],
                where="%s:%d" % (LOCK_NAME, number),
                fix="run npx onevenv lock to regenerate it",
            )


def is_url(link):
    return re.match(r"^[a-z][a-z0-9+.-]*://", link, re.I) is not None


def lock_fingerprint():
    inputs = dict(LOCK_INPUTS)
    inputs["editables"] = [
        [shown(d), hash_or_none(os.path.join(d, "pyproject.toml"))] for d in EDITABLE_DIRS
    ]
    inputs["findLinks"] = [link if is_url(link) else shown(at_root(link)) for link in FIND_LINKS]
    return "sha256:" + sha256_hex(canonical_json(inputs).encode("utf-8"))


def hash_or_none(path):
    try:
        with open(path, "rb") as handle:
            return sha256_hex(handle.read())
    except OSError:
        return None


def canonical_machine(machine):
    m = machine.lower()
    if m in ("x86_64", "amd64", "x64"):
        return "x64"
    if m in ("aarch64", "arm64"):
        return "arm64"
    return m


def canonical_system(system):
    s = system.lower()
    if s.startswith("linux"):
        return "linux"
    if s in ("win32", "windows", "cygwin"):
        return "win32"
    return re.sub(r"\d+$", "", s)


def platform_matches(platform):
    parts = platform.split()
    if len(parts) < 2:
        return True
    return canonical_system(parts[0]) == canonical_system(sys.platform) and canonical_machine(
        parts[1]
    ) == canonical_machine(os.uname()[4])


def pinned_python_version():
    for directory in (CONFIG_DIR, ROOT):
        try:
            with open(os.path.join(directory, ".python-version"), encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, ValueError):
            continue
        for line in text.split("\n"):
            line = line.strip()
            if line and not line.startswith("#"):
                return line
    return None


def same_minor(a, b):
    def minor(v):
        match = re.match(r"^(\d+)\.(\d+)", v)
        return match.group(1) + "." + match.group(2) if match else v

    return minor(a) == minor(b)


def lock_staleness(text):
    """Why the lock is not current for the declaration (lockStatus), None when it is."""
    header = read_lock_header(text)
    if header["fingerprint"] is None or header["generator"] is None:
        return "%s was not generated by onevenv lock" % LOCK_NAME
    if INSTALLER != "auto" and header["installer"] != INSTALLER:
        return "%s was resolved by %s, the installer asked for is %s" % (
            LOCK_NAME,
            header["installer"] or "an unknown installer",
            INSTALLER,
        )
    if lock_fingerprint() != header["fingerprint"]:
        return "%s (or an editable package's pyproject.toml) changed since %s was generated" % (
            CONFIG_FILE,
            LOCK_NAME,
        )
    if header["installer"] == "pip":
        platform = header["platform"]
        if platform and platform != "any" and not platform_matches(platform):
            return "%s was resolved by pip for %s only, this machine is %s %s" % (
                LOCK_NAME,
                platform,
                sys.platform,
                os.uname()[4],
            )
        pinned = pinned_python_version()
        if pinned and header["python"] and not same_minor(pinned, header["python"]):
            return "%s was resolved by pip for Python %s only, .python-version asks for %s" % (
                LOCK_NAME,
                header["python"],
                pinned,
            )
    return None


def read_lock():
    try:
        with open(LOCK_PATH, encoding="utf-8") as handle:
            return handle.read()
    except OSError as error:
        if error.errno == errno.ENOENT:
            raise Failure(
                "%s does not exist" % LOCK_NAME,
                where=LOCK_NAME,
                fix="run npx onevenv lock and commit the result",
            )
        raise Failure("cannot read %s: %s" % (LOCK_NAME, error.strerror), where=LOCK_NAME)


# ---------------------------------------------------------------- index settings (index-settings.ts)


def truthy(value):
    return value is not None and re.match(r"^(1|true|yes|on)$", value.strip(), re.I) is not None


def split_links(value):
    return [part for part in re.split(r"[\s,]+", value or "") if part]


def index_args(backend, env):
    def uv_index():
        return env["UV_DEFAULT_INDEX"] if "UV_DEFAULT_INDEX" in env else env.get("UV_INDEX_URL")

    pip = (env.get("PIP_INDEX_URL"), env.get("PIP_FIND_LINKS"), env.get("PIP_NO_INDEX"))
    uv = (uv_index(), env.get("UV_FIND_LINKS"), env.get("UV_NO_INDEX"))
    own, other = (pip, uv) if backend == "pip" else (uv, pip)
    args = []
    if not own[0]:
        index = other[0] or INDEX_URL
        if index:
            args += ["--index-url", index]
    own_no_index_is_native = backend == "pip"
    if (own[2] is None and truthy(other[2])) or (not own_no_index_is_native and truthy(own[2])):
        args.append("--no-index")
    links = (split_links(other[1]) if own[1] is None else []) + [
        link if is_url(link) else at_root(link) for link in FIND_LINKS
    ]
    for link in links:
        args += ["--find-links", link]
    return args


# ---------------------------------------------------------------- the base interpreter (interpreter.ts)


class Interpreter(object):
    def __init__(self, path, real, version, ensurepip):
        self.path = path
        self.real = real
        self.version = version
        self.ensurepip = ensurepip


def version_pins():
    """The pins of the .python-version that applies, its path and each pin's line."""
    for directory in (CONFIG_DIR, ROOT):
        name = os.path.join(directory, ".python-version")
        try:
            with open(name, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, ValueError):
            continue
        pins = []
        lines = []
        for number, line in enumerate(re.split(r"\r?\n", text), 1):
            pin = re.sub(r"#.*", "", line).strip()
            if pin and pin != "system":
                pins.append(pin)
                lines.append(number)
        return pins, name, lines
    return [], None, []


def pin_matches(pin, version):
    match = re.search(r"(\d+(?:\.\d+){0,2})", pin)
    if not match:
        return False
    have = version.split(".")
    wanted = match.group(1).split(".")
    return all(i < len(have) and have[i] == part for i, part in enumerate(wanted))


def fits_requires_python(version):
    if PYTHON_RANGES is None:
        return True
    if version[0] != 3:
        return False
    key = (3, min(version[1], 99), min(version[2], 999))
    for low, high in PYTHON_RANGES:
        if low <= key and (high is None or key <= high):
            return True
    return False


def rejection_reason(version, pins, pin_file):
    numbers = tuple(int(part) for part in version.split("."))
    if not fits_requires_python(numbers):
        return "does not satisfy requires-python %s" % REQUIRES_PYTHON
    if pins and not any(pin_matches(pin, version) for pin in pins):
        return "does not match %s (%s)" % (os.path.basename(pin_file), ", ".join(pins))
    return None


def query_interpreter(executable, env):
    try:
        proc = subprocess.Popen(
            [executable, "-I", "-c", QUERY_SCRIPT],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"error": "did not answer within 30 s"}
    except OSError as error:
        return {"error": "cannot be run (%s)" % errno.errorcode.get(error.errno, error.errno)}
    if proc.returncode != 0:
        lines = err.decode("utf-8", "replace").strip().split("\n")
        last = lines[-1] if lines and lines[-1] else ""
        return {"error": "failed to run (exit %d)%s" % (proc.returncode, ": " + last if last else "")}
    try:
        return json.loads(out.decode("utf-8", "replace"))
    except ValueError:
        return {"error": "printed something that is not Python"}


def is_venv_python(executable):
    bin_dir = os.path.dirname(executable)
    return any(
        os.path.exists(os.path.join(d, "pyvenv.cfg")) for d in (bin_dir, os.path.dirname(bin_dir))
    )


def path_candidates():
    out = []
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory:
            continue
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        named = []
        for entry in entries:
            match = re.match(r"^python3(?:\.(\d+))?$", entry)
            if match:
                named.append((-int(match.group(1)) if match.group(1) else 1, entry, match.group(1)))
        for _, entry, minor in sorted(named):
            out.append((os.path.join(directory, entry), None if minor is None else "3." + minor))
    return out


def find_interpreter(uv, env):
    pins, pin_file, pin_lines = version_pins()
    rejected = []
    seen = set()

    def consider(candidate, hint):
        # A venv's python resolves to a base that may be found again outside the venv: the
        # venv is rejected by its own path, the base is still a candidate.
        if is_venv_python(candidate):
            if candidate not in seen:
                seen.add(candidate)
                rejected.append((candidate, None, "is a virtual environment"))
            return None
        real = real_path(candidate)
        if real is None or real in seen:
            return None
        seen.add(real)
        if hint:
            low = rejection_reason(hint + ".0", pins, pin_file)
            if low and rejection_reason(hint + ".999", pins, pin_file):
                rejected.append((candidate, hint, low))
                return None
        facts = query_interpreter(candidate, env)
        if "error" in facts:
            rejected.append((candidate, None, facts["error"]))
            return None
        if facts["prefix"] != facts["basePrefix"]:
            rejected.append((candidate, facts["version"], "is a virtual environment"))
            return None
        reason = rejection_reason(facts["version"], pins, pin_file)
        if reason:
            rejected.append((candidate, facts["version"], reason))
            return None
        # A wrapper (a pyenv shim) is not a base to build from: the interpreter it ran is.
        executable = facts.get("executable") or candidate
        if real_path(executable) != real:
            candidate = executable
        return Interpreter(candidate, real_path(candidate), facts["version"], bool(facts.get("ensurepip")))

    for candidate, hint in path_candidates():
        chosen = consider(candidate, hint)
        if chosen:
            return chosen
    if uv:
        wanted = None
        if pins:
            match = re.search(r"(\d+(?:\.\d+){0,2})", pins[0])
            wanted = match.group(1) if match else None
        if wanted is None and REQUIRES_PYTHON is not None:
            wanted = re.sub(r"\s+", "", REQUIRES_PYTHON)
        command = [uv, "python", "find", "--system", "--no-project", "--no-python-downloads"]
        result = run(command + ([wanted] if wanted else []), env)
        found = result.stdout.strip().split("\n")[-1]
        if result.code == 0 and found:
            chosen = consider(found, None)
            if chosen:
                return chosen
    # The same message and location as onevenv sync (interpreter.ts findInterpreter).
    pin_name = shown(pin_file) if pin_file else ".python-version"
    wanted = []
    if REQUIRES_PYTHON:
        wanted.append("requires-python " + REQUIRES_PYTHON)
    if pins:
        wanted.append("%s %s" % (pin_name, ", ".join(pins)))
    found = [
        "  %s%s: %s" % (path, " (%s)" % version if version else "", reason)
        for path, version, reason in rejected
    ]
    # The pin is where to fix it when it turned interpreters away (or is all there is).
    pin_rejected = any(reason.startswith("does not match ") for _, _, reason in rejected)
    if pin_file and (REQUIRES_PYTHON is None or pin_rejected):
        where = "%s:%d" % (pin_name, pin_lines[0]) if pin_lines else pin_name
    elif REQUIRES_PYTHON_LINE is not None:
        where = "%s:%d" % (CONFIG_FILE, REQUIRES_PYTHON_LINE)
    else:
        where = CONFIG_FILE
    raise Failure(
        "no Python interpreter satisfies %s (install a matching Python (pyenv install, your "
        "package manager, or uv) and run again); found %s"
        % (
            " and ".join(wanted) or "any Python 3",
            "none" if not found else "%d:\n%s" % (len(found), "\n".join(found)),
        ),
        where=where,
    )


# ---------------------------------------------------------------- building (sync.ts, install.ts)


def venv_package_name(version):
    major, minor = version.split(".")[:2]
    return "python%s.%s-venv" % (major, minor)


def missing_ensurepip(interpreter):
    package = venv_package_name(interpreter.version)
    return Failure(
        "%s (Python %s) cannot create a venv with pip: its ensurepip module is missing"
        % (interpreter.path, interpreter.version),
        fix="install %s (e.g. sudo apt install %s), or install uv" % (package, package),
    )


def create_venv(backend, uv, interpreter, env):
    def no_ensurepip():
        return missing_ensurepip(interpreter)

    def with_uv():
        command = [uv, "venv", "--allow-existing", "--no-project", "--python", interpreter.path]
        if backend == "pip":
            # pip comes from the index: the same one the lock is installed from.
            command += ["--seed"] + index_args("uv", os.environ)
        result = run(command + [VENV_DIR], env, show=True)
        if result.code != 0:
            raise step_failure("uv venv", result)

    if backend == "uv" or (not interpreter.ensurepip and uv):
        return with_uv()
    if not interpreter.ensurepip:
        raise no_ensurepip()
    result = run([interpreter.path, "-m", "venv", VENV_DIR], env, show=True)
    if result.code != 0:
        if "ensurepip" in result.stderr + result.stdout:
            if uv:
                return with_uv()
            raise no_ensurepip()
        raise step_failure(interpreter.path + " -m venv", result)


def file_url(directory):
    from urllib.parse import quote

    return "file://" + quote(os.path.abspath(directory))


def run_uv_offline_first(uv, args, env, what):
    """As onevenv sync: offline first (every artifact the lock names is pinned by hash, so
    uv's cache can answer without index requests); online when the cache lacks one. An
    offline run that misses fails before it changes the venv."""
    offline = run([uv, "pip", args[0], "--offline"] + args[1:], env, show=True)
    if offline.code == 0:
        return
    if VERBOSE:
        say("%s offline did not finish; going online" % what)
    result = run([uv, "pip"] + args, env, show=True)
    if result.code != 0:
        raise step_failure(what, result)


def install_locked(backend, uv, env, indexes):
    if backend == "uv":
        command = ["sync", "--require-hashes", "--allow-empty-requirements"]
        run_uv_offline_first(uv, command + ["--python", VENV_PYTHON] + indexes + [LOCK_PATH], env, "uv pip sync")
        if EDITABLE_DIRS:
            # From a requirements file, as onevenv sync does: uv rebuilds an editable named
            # on its command line on every install, and reuses the build of one named in a
            # file. As file: URLs: uv reads "dir; text" in a plain path as a marker.
            import tempfile
            scratch = tempfile.mkdtemp(prefix="onevenv-editables-")
            try:
                listing = os.path.join(scratch, "editables.txt")
                with open(listing, "w", encoding="utf-8") as handle:
                    handle.write("".join("-e %s\n" % file_url(d) for d in EDITABLE_DIRS))
                command = ["install", "--no-deps", "--python", VENV_PYTHON] + indexes + ["-r", listing]
                run_uv_offline_first(uv, command, env, "installing the editable packages")
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        return
    pip = [VENV_PYTHON, "-m", "pip"]
    command = pip + ["install", "--require-hashes", "--no-deps"] + indexes + ["-r", LOCK_PATH]
    result = run(command, env, show=True)
    if result.code != 0:
        raise step_failure("pip install", result)
    if EDITABLE_DIRS:
        command = pip + ["install", "--no-deps"] + indexes
        for directory in EDITABLE_DIRS:
            command += ["-e", directory]
        result = run(command, env, show=True)
        if result.code != 0:
            raise step_failure("installing the editable packages", result)


def write_paths_pth():
    target = os.path.join(site_packages(), PATHS_PTH)
    if not PATH_DIRS:
        remove_quietly(target)
        return
    with open(target, "w", encoding="utf-8") as handle:
        handle.write("".join(directory + "\n" for directory in PATH_DIRS))


def probe(env):
    groups = []
    for group in IMPORT_GROUPS:
        group = dict(group)
        if "editables" in group:
            group["editables"] = [at_root(d) for d in group["editables"]]
            group["name"] = "editable:" + ",".join(shown(d) for d in group["editables"])
        groups.append(group)
    result = run([VENV_PYTHON, "-I", "-c", PROBE], env, stdin_text=canonical_json({"groups": groups}))
    last = result.stdout.strip().split("\n")[-1]
    if result.code == 0:
        try:
            return json.loads(last)
        except ValueError:
            pass
    tail = " | ".join(result.stderr.strip().split("\n")[-3:])
    raise Failure(
        "checking the venv's imports failed (exit %s): %s" % (result.code, tail or "no output"),
        fix="a module that exits or hangs on import can be left out with [tool.onevenv.imports]",
    )


def plan_venv(backend, uv, env):
    """create, rebuild (and why) or update in place (planVenv)."""
    kind = inspect_venv_dir(VENV_DIR)
    refuse_venv_dir(kind)
    if kind[0] in ("absent", "empty"):
        return "create", None, find_interpreter(uv, env)

    def rebuild(reason):
        return "rebuild", reason, find_interpreter(uv, env)

    if CLEAN:
        return rebuild("--clean")
    if not kind[1]:
        return rebuild("pyvenv.cfg is missing")
    status, previous = read_marker()
    if status == "absent":
        return rebuild("it was not built by onevenv (no state marker)")
    if status == "corrupt":
        return rebuild("its state marker is unreadable: " + previous)
    if previous["state"] != "ready":
        return rebuild("the previous sync did not finish")
    if previous["venv"] != VENV_DIR:
        return rebuild("it was built at " + previous["venv"])
    if previous.get("installer") != backend:
        return rebuild(
            "it was built for %s, the installer now is %s" % (previous.get("installer"), backend)
        )
    python = previous["python"]
    real = real_path(VENV_PYTHON)
    if real is None:
        return rebuild("its base interpreter %s vanished or moved" % python.get("base"))
    version = python.get("version", "")
    if real != python.get("real") or file_identity(real) != python.get("identity"):
        facts = query_interpreter(VENV_PYTHON, env)
        if "error" in facts:
            return rebuild("its interpreter " + facts["error"])
        if facts["version"].split(".")[:2] != version.split(".")[:2]:
            return rebuild(
                "its base interpreter changed from %s to %s" % (version, facts["version"])
            )
        version = facts["version"]
    pins, pin_file, _ = version_pins()
    unfit = rejection_reason(version, pins, pin_file)
    if unfit:
        return rebuild("its Python %s %s" % (version, unfit))
    return "update", None, Interpreter(python.get("base"), real, version, True)


def base_marker(backend, interpreter, lock_state):
    real = real_path(interpreter.real) or interpreter.real
    marker = {
        "format": MARKER_FORMAT,
        "state": "installing",
        "tool": TOOL,
        "venv": VENV_DIR,
        "inputs": dict((path, hash_file(path)) for path in input_files()),
        "fingerprint": "",
        "python": {
            "base": interpreter.path,
            "real": real,
            "identity": file_identity(real) or "",
            "version": interpreter.version,
        },
        "installer": backend,
        "lockState": lock_state,
        "editables": EDITABLE_DIRS,
        "paths": PATH_DIRS,
        "site": {"path": "", "identity": ""},
        "packages": 0,
        "imports": {"ok": False, "failed": []},
        "updatedAt": iso_now(),
    }
    marker["fingerprint"] = fingerprint_of(marker)
    return marker


def check_declaration():
    try:
        with open(CONFIG_PATH, "rb") as handle:
            data = handle.read()
    except OSError:
        raise Failure(
            "%s not found" % CONFIG_FILE,
            where=CONFIG_FILE,
            fix="restore it from version control",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if sha256_hex(data) != DECLARATION_SHA256:
        raise Failure(
            "python/setup.sh was generated from another version of %s" % CONFIG_FILE,
            where=CONFIG_FILE,
            fix="regenerate it with npx onevenv adopt --write, or build the venv with npx onevenv sync",
        )


def choose_backend(uv):
    if INSTALLER == "uv":
        if not uv:
            raise Failure(
                'installer = "uv" but uv is not on PATH',
                where=CONFIG_FILE,
                fix='install uv (https://docs.astral.sh/uv/), or set installer = "auto"',
            )
        return "uv"
    if INSTALLER == "pip":
        return "pip"
    return "uv" if uv else "pip"


def change_environment():
    started = time.time()
    env = installer_env()
    refuse_venv_dir(inspect_venv_dir(VENV_DIR))
    uv = find_uv()
    backend = choose_backend(uv)
    # The interpreter is found before anything changes: no Python that fits, or one that
    # cannot make a venv, is an error with nothing touched.
    action, reason, interpreter = plan_venv(backend, uv, env)
    if action != "update" and backend == "pip" and not interpreter.ensurepip and not uv:
        raise missing_ensurepip(interpreter)
    text = read_lock()
    lock_state = "unchecked"
    if not FROZEN:
        stale = lock_staleness(text)
        if stale:
            raise Failure(
                "the lock is stale: " + stale,
                where=LOCK_NAME,
                fix="run npx onevenv lock (or npx onevenv sync, which relocks) and commit the "
                "result; python/setup.sh --frozen installs the lock as it is",
                code=1,
            )
        lock_state = "current"
    check_lock_options(text)
    packages = locked_packages(text)
    for name, version, hashes, line in packages:
        if hashes == 0:
            raise Failure(
                "%s==%s has no --hash; setup.sh installs only hashed pins" % (name, version),
                where="%s:%d" % (LOCK_NAME, line),
                fix="run npx onevenv lock to regenerate the lock with hashes",
            )
    locked_names = set(name for name, _, _, _ in packages)

    remove_trash()
    remove_marker_temps()
    marker = base_marker(backend, interpreter, lock_state)
    trash = None
    if action == "update":
        write_marker(marker)
        say("Updating %s (Python %s)" % (VENV_NAME, interpreter.version))
    else:
        if action == "rebuild":
            say("Rebuilding %s: %s" % (VENV_NAME, reason))
            # Mark the old venv first: its trash is then recognisably ours to delete.
            write_marker(marker)
            trash = move_aside()
        else:
            say("Creating %s" % VENV_NAME)
        say("Using Python %s (%s)" % (interpreter.version, interpreter.path))
        if not os.path.isdir(VENV_DIR):
            os.makedirs(VENV_DIR)
        write_marker(marker)
        create_venv(backend, uv, interpreter, env)
        real = real_path(VENV_PYTHON)
        if real and real != marker["python"]["real"]:
            marker["python"]["real"] = real
            marker["python"]["identity"] = file_identity(real) or ""

    say(
        "Installing %s from %s with %s"
        % (plural(len(locked_names), "package"), LOCK_NAME, backend)
    )
    install_locked(backend, uv, env, index_args(backend, os.environ))
    for directory in PATH_DIRS:
        if not os.path.exists(directory):
            warn(
                "%s (tool.onevenv.paths) does not exist yet; it is on sys.path once it does"
                % shown(directory)
            )
    write_paths_pth()

    answer = probe(env)
    if backend == "pip":
        editable_real = set(real_path(d) or d for d in EDITABLE_DIRS)
        extraneous = [
            dist["name"]
            for dist in answer["installed"]
            if dist["name"] != "pip"
            and dist["name"] not in locked_names
            and not (dist.get("editable") and dist["editable"] in editable_real)
        ]
        if extraneous:
            say("Removing %d not in the lock: %s" % (len(extraneous), ", ".join(extraneous)))
            command = [VENV_PYTHON, "-m", "pip", "uninstall", "--yes"] + extraneous
            result = run(command, env, show=True)
            if result.code != 0:
                raise step_failure("pip uninstall", result)
            answer = probe(env)

    count = len(
        [
            dist
            for dist in answer["installed"]
            if not (dist["name"] == "pip" and backend == "pip" and "pip" not in locked_names)
        ]
    )
    site = site_packages()
    make_bytecode_dir(site)
    marker["state"] = "ready"
    marker["site"] = {"path": site, "identity": dir_identity(site) or ""}
    marker["packages"] = count
    marker["imports"] = {"ok": not answer["failures"], "failed": answer["failures"]}
    marker["updatedAt"] = iso_now()
    marker["fingerprint"] = fingerprint_of(marker)
    write_marker(marker)
    if trash:
        remove_venv_dir(trash)
    return report(marker, True, time.time() - started)


def import_for_changes():
    """Modules only a change needs: the no-op path stays a few file reads and hashes."""
    global random, shutil, signal, socket, subprocess
    import random
    import shutil
    import signal
    import socket
    import subprocess


def dead_run_leftovers():
    # A run killed after its last marker write leaves its lock file or the old venv of a
    # rebuild: cleared under the lock even though the venv is ready.
    parent = os.path.dirname(VENV_DIR)
    base = os.path.basename(VENV_DIR)
    try:
        entries = os.listdir(parent)
    except OSError:
        return False
    if not any(e == base + ".lock" or e.startswith(base + TRASH) for e in entries):
        return False
    import_for_changes()
    try:
        with open(VENV_DIR + ".lock") as handle:
            holder = parse_holder(handle.read())
    except (OSError, UnicodeDecodeError):
        holder = None
    return holder is None or holder_is_dead(holder)


def main():
    if not CLEAN:
        ready = ready_marker(FROZEN)
        if ready is not None and not dead_run_leftovers():
            return report(ready, False, 0)
    import_for_changes()
    check_declaration()
    refuse_venv_dir(inspect_venv_dir(VENV_DIR))
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    lock = EnvLock(VENV_DIR + ".lock")
    lock.acquire()
    try:
        if not CLEAN:
            ready = ready_marker(FROZEN)
            if ready is not None:
                remove_trash()
                return report(ready, False, 0)
        return change_environment()
    finally:
        lock.release()


def run_main():
    reap_strays(0)
    try:
        code = main()
    except Failure as failure:
        where = failure.where + ": " if failure.where else ""
        fix = " (%s)" % failure.fix if failure.fix else ""
        say("error %s%s%s" % (where, failure.message, fix))
        code = failure.code
    except Interrupted as interrupted:
        say("interrupted; run python/setup.sh again to finish")
        code = 130 if interrupted.signum == signal.SIGINT else 143
    except KeyboardInterrupt:
        say("interrupted; run python/setup.sh again to finish")
        code = 130
    except Exception:
        import traceback

        traceback.print_exc()
        say("error python/setup.sh failed unexpectedly (please report it, with the trace above)")
        code = 3
    sys.stdout.flush()
    sys.stderr.flush()
    reap_strays(2)
    os._exit(code)


run_main()
`;
