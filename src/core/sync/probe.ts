import { UserError } from '../../util/errors.js';
import { runProcess } from '../../util/exec.js';
import type { ImportFailure } from '../venv/marker.js';

/**
 * One Python process inside the venv answers everything sync needs to know after an
 * install: which distributions are installed (name, version, editable location), the
 * top-level modules of each (from top_level.txt, else RECORD, else an editable's .pth or
 * finder), and whether each group's modules import. Imported modules may print: stdout is
 * swapped for stderr while importing, and the answer is the last stdout line.
 */

/** Exported for python/setup.sh, which runs the same check. */
export const PROBE = String.raw`
import sys, json, os, re, traceback
import importlib, importlib.metadata as md

request = json.loads(sys.stdin.read())
answer_stream = sys.stdout
sys.stdout = sys.stderr

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

def ident(name):
    return all(part.isidentifier() for part in name.split("."))

def editable_location(dist):
    try:
        text = dist.read_text("direct_url.json")
        if not text:
            return None
        data = json.loads(text)
        if data.get("dir_info", {}).get("editable"):
            url = data.get("url", "")
            if url.startswith("file://"):
                from urllib.parse import unquote, urlparse
                return os.path.realpath(unquote(urlparse(url).path))
    except Exception:
        return None
    return None

def modules_in_dir(directory):
    out = []
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return out
    for entry in entries:
        full = os.path.join(directory, entry)
        if entry.endswith(".py") and entry != "setup.py" and entry != "conftest.py":
            out.append(entry[:-3])
        elif os.path.isdir(full) and os.path.exists(os.path.join(full, "__init__.py")):
            out.append(entry)
    return [m for m in out if m.isidentifier()]

def top_levels(dist):
    names = []
    text = dist.read_text("top_level.txt")
    if text:
        names = [line.strip().replace("/", ".") for line in text.splitlines() if line.strip()]
        # top_level.txt can name what is not top-level at all (tree-sitter-cpp lists its
        # tree_sitter_cpp/_binding extension as "_binding"): keep what RECORD installs there.
        roots = set()
        for file in dist.files or []:
            parts = file.parts
            if parts and parts[0] != "..":
                roots.add(parts[0] if len(parts) > 1 else parts[0].split(".")[0])
        if roots:
            names = [name for name in names if name.split(".")[0] in roots]
    if not names:
        for file in dist.files or []:
            parts = file.parts
            if not parts or parts[0] in ("..", "__pycache__"):
                continue
            first = parts[0]
            if first.endswith((".dist-info", ".data", ".egg-info")):
                continue
            if len(parts) > 1:
                names.append(first)
                continue
            if first.startswith("__editable__") and first.endswith("_finder.py"):
                try:
                    finder = importlib.import_module(first[:-3])
                    names.extend(getattr(finder, "MAPPING", {}).keys())
                except Exception:
                    pass
                continue
            if first.endswith(".pth"):
                try:
                    located = dist.locate_file(file)
                    for line in open(located, encoding="utf-8").read().splitlines():
                        line = line.strip()
                        if line and not line.startswith(("#", "import ")) and os.path.isdir(line):
                            names.extend(modules_in_dir(line))
                except OSError:
                    pass
                continue
            stem = first.split(".")[0]
            if first.endswith((".py", ".so", ".pyd")):
                names.append(stem)
    seen = []
    for name in names:
        if ident(name) and name not in seen:
            seen.append(name)
    return seen

def provided_modules(dist, depth=0):
    """A metapackage (fastmcp 4 installs no module; fastmcp-slim does) is validated
    through what its unconditional requirements provide."""
    names = top_levels(dist)
    if names or depth >= 3:
        return names
    out = []
    for line in dist.requires or []:
        if ";" in line and "extra" in line.split(";", 1)[1]:
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        child = dists.get(norm(match.group(1))) if match else None
        if child is not None:
            out.extend(m for m in provided_modules(child, depth + 1) if m not in out)
    return out

dists = {}
for dist in md.distributions():
    name = dist.metadata["Name"]
    if not name or norm(name) in dists:
        continue
    dists[norm(name)] = dist

installed = []
for key, dist in sorted(dists.items()):
    installed.append({"name": key, "version": dist.version, "editable": editable_location(dist)})

failures = []
checked = {}
def try_import(module):
    if module in checked:
        return checked[module]
    try:
        importlib.import_module(module)
        checked[module] = None
    except BaseException as error:
        lines = traceback.format_exception_only(type(error), error)
        checked[module] = (lines[-1] if lines else repr(error)).strip()
    return checked[module]

by_location = {}
for dist in dists.values():
    location = editable_location(dist)
    if location:
        by_location[location] = dist

checked_groups = []
for group in request.get("groups", []):
    modules = group.get("modules")
    if modules is None:
        modules = []
        for location in group.get("editables", []):
            dist = by_location.get(os.path.realpath(location))
            if dist is None:
                failures.append({"group": group["name"], "module": location,
                                 "error": "the editable package is not installed"})
                continue
            modules.extend(m for m in top_levels(dist) if m not in modules)
        for requirement in group.get("requirements", []):
            dist = dists.get(requirement["name"])
            if dist is None:
                if not requirement.get("marker"):
                    failures.append({"group": group["name"], "module": requirement["name"],
                                     "error": "distribution %s is not installed" % requirement["name"]})
                continue
            modules.extend(m for m in provided_modules(dist) if m not in modules)
    checked_groups.append({"name": group["name"], "modules": list(modules)})
    for module in modules:
        error = try_import(module)
        if error is not None:
            failures.append({"group": group["name"], "module": module, "error": error})

# --deep: every installed file against the sha256 its RECORD gives.
problems = []
if request.get("verify"):
    import base64, hashlib
    for key, dist in sorted(dists.items()):
        if editable_location(dist):
            continue
        for file in dist.files or []:
            if not file.hash or file.hash.mode != "sha256":
                continue
            located = os.path.normpath(str(dist.locate_file(file)))
            try:
                with open(located, "rb") as handle:
                    data = handle.read()
            except OSError:
                problems.append({"dist": key, "file": located, "problem": "missing"})
                continue
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            if digest != file.hash.value:
                problems.append({"dist": key, "file": located, "problem": "modified"})

answer_stream.write("\n" + json.dumps({"installed": installed, "failures": failures,
                                        "groups": checked_groups, "problems": problems}) + "\n")
answer_stream.flush()
# An imported module may leave threads running: do not wait for them.
os._exit(0)
`;

export interface InstalledDistribution {
  /** PEP 503 normalised. */
  name: string;
  version: string;
  /** Real path of an editable install's project, else null. */
  editable: string | null;
}

export interface ProbeGroup {
  name: string;
  /** Direct requirements (normalised names) whose modules are imported... */
  requirements?: Array<{ name: string; marker?: string | undefined }>;
  /** Editable projects (directories) whose modules are imported. */
  editables?: string[];
  /** ...unless the user listed the modules ([tool.onevenv.imports]). */
  modules?: string[] | undefined;
}

export interface ProbeResult {
  installed: InstalledDistribution[];
  failures: ImportFailure[];
  /** The modules each group imported (`onevenv check` reports each one). */
  groups: Array<{ name: string; modules: string[] }>;
  /** With `verify`: installed files (absolute) missing or changed against their RECORD hash. */
  problems: Array<{ dist: string; file: string; problem: 'missing' | 'modified' }>;
}

export async function probeVenv(
  python: string,
  groups: ProbeGroup[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; verify?: boolean } = {},
): Promise<ProbeResult> {
  const env = { ...(options.env ?? process.env) };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  const result = await runProcess(python, ['-I', '-c', PROBE], {
    env,
    input: JSON.stringify({ groups, verify: options.verify === true }),
    timeoutMs: options.timeoutMs ?? 300_000,
  });
  const last = result.stdout.trim().split('\n').pop() ?? '';
  try {
    if (result.code === 0) return JSON.parse(last) as ProbeResult;
  } catch {
    // fall through
  }
  const tail = result.stderr.trim().split('\n').slice(-3).join(' | ');
  throw new UserError(
    `checking the venv's imports failed (${result.timedOut ? 'timed out' : `exit ${result.code ?? result.signal}`}): ${tail || 'no output'}`,
    { fix: 'a module that exits or hangs on import can be left out with [tool.onevenv.imports]' },
  );
}
