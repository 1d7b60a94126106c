import { type ImportFailure, type Marker, venvPython } from './marker.js';

/** What `sync --json` prints, from a marker (the no-op path answers without Python). */
export interface SyncResult {
  changed: boolean;
  venv: string;
  python: string;
  pythonVersion: string;
  installer: 'uv' | 'pip';
  packages: number;
  imports: { ok: boolean; failed: ImportFailure[] };
}

export function resultFromMarker(marker: Marker, changed: boolean): SyncResult {
  return {
    changed,
    venv: marker.venv,
    python: venvPython(marker.venv),
    pythonVersion: marker.python.version,
    installer: marker.installer,
    packages: marker.packages,
    imports: { ok: marker.imports.ok, failed: marker.imports.failed },
  };
}
