"""Build the Windows kit: a zip with the Win32 adapter, the PowerShell script
that runs it, the kit's README and a VERSION file (tools/windows-kit/README.md).

Usage: python3 tools/windows_kit.py ADAPTER_EXE OUT_ZIP
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KIT = ROOT / "tools" / "windows-kit"
# The archive's members, in order, and where each comes from (None: made here).
MEMBERS = ("hs-win32-adapter.exe", "run-adapter.ps1", "README.md", "VERSION")
STAMP = (2026, 1, 1, 0, 0, 0)            # fixed times: the same inputs give the same zip


def version_text() -> str:
    sys.path.insert(0, str(ROOT))
    from harness.version import __version__
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return f"suite {__version__}\ncommit {commit}\n"


def build(exe: Path, out: Path) -> None:
    data = {
        "hs-win32-adapter.exe": exe.read_bytes(),
        "run-adapter.ps1": (KIT / "run-adapter.ps1").read_bytes(),
        "README.md": (KIT / "README.md").read_bytes(),
        "VERSION": version_text().encode(),
    }
    if data["hs-win32-adapter.exe"][:2] != b"MZ":
        raise ValueError(f"{exe}: not a Windows executable")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name in MEMBERS:
            info = zipfile.ZipInfo(f"hs-conformance-windows-kit/{name}", STAMP)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data[name])
    tmp.replace(out)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    build(Path(argv[0]), Path(argv[1]))
    print(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
