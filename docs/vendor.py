"""Fetch the scripts the site's pages load, so the built site asks no other host for anything.

The pinned packages, versions and files are in ``docs/vendor.json``. Each
package comes from the npm registry with ``npm pack NAME@VERSION`` (node and
npm are needed, once); its sha512 must match the pin, and only the files named
there are kept, under ``docs/_static/vendor/``, with a NOTICE.txt naming each
package's licence. A later run with the same pins and files present does
nothing, so rebuilding the site needs no network.

Usage: ``python docs/vendor.py`` (``make site`` runs it).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
PINS = DOCS / "vendor.json"
VENDOR = DOCS / "_static" / "vendor"
STAMP = DOCS / ".vendored.json"   # the pins of the last run, outside the served folder


def read_pins(path=PINS):
    """The list of pinned packages in ``path``; ValueError if a pin lacks a field or names a loose version."""
    packages = json.loads(Path(path).read_text(encoding="utf-8"))["packages"]
    for package in packages:
        for field in ("name", "version", "integrity", "files"):
            if field not in package:
                raise ValueError(f"{path}: a package pin needs {field!r}, got {sorted(package)}")
        if not all(part.isdigit() for part in package["version"].split(".")):
            raise ValueError(f"{path}: {package['name']} must be pinned to an exact version, got {package['version']!r}")
    return packages


def integrity_of(path):
    """The npm-style ``sha512-<base64>`` integrity of the file at ``path``."""
    import base64

    digest = hashlib.sha512(Path(path).read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def npm_pack(name, version, folder):
    """Download ``name@version`` from the npm registry into ``folder``; return the tarball's path."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("make site needs npm (it fetches the site's scripts once): "
                         "on Debian or Ubuntu, sudo apt-get install -y npm")
    done = subprocess.run([npm, "pack", f"{name}@{version}", "--json", "--pack-destination", str(folder)],
                          capture_output=True, text=True, cwd=folder)
    if done.returncode != 0:
        raise SystemExit(f"npm pack {name}@{version} failed:\n{done.stderr.strip()[-2000:]}")
    return Path(folder) / json.loads(done.stdout)[0]["filename"]


def unpack(tarball, files, destination):
    """Copy ``files`` (package path -> path under ``destination``) out of an npm tarball."""
    with tarfile.open(tarball) as archive:
        for inside, target in files.items():
            member = archive.extractfile(f"package/{inside}")
            if member is None:
                raise SystemExit(f"{tarball.name} has no file {inside}")
            out = destination / target
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(member.read())
        manifest = json.load(archive.extractfile("package/package.json"))
    return manifest.get("license", "see the package")


def up_to_date(packages, destination=VENDOR):
    """True if ``destination`` holds exactly these pins' files, from an earlier run."""
    if not STAMP.exists() or json.loads(STAMP.read_text()) != packages:
        return False
    return all((destination / target).is_file() for p in packages for target in p["files"].values())


def vendor(packages, destination=VENDOR):
    """Fetch, check and unpack every pinned package into ``destination`` (emptied first)."""
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    notice = ["Third-party files served with this site, fetched from the npm registry by docs/vendor.py.", ""]
    with tempfile.TemporaryDirectory() as folder:
        for package in packages:
            tarball = npm_pack(package["name"], package["version"], folder)
            found = integrity_of(tarball)
            if found != package["integrity"]:
                raise SystemExit(f"{package['name']}@{package['version']}: the registry's tarball has integrity "
                                 f"{found}, but docs/vendor.json pins {package['integrity']}")
            licence = unpack(tarball, package["files"], destination)
            notice.append(f"{package['name']} {package['version']} ({licence} licence): "
                          + ", ".join(package["files"].values()))
    (destination / "NOTICE.txt").write_text("\n".join(notice) + "\n", encoding="utf-8")
    STAMP.write_text(json.dumps(packages, indent=1), encoding="utf-8")


def main():
    packages = read_pins()
    if up_to_date(packages):
        print(f"{VENDOR.relative_to(DOCS.parent)}: pinned scripts already in place")
        return 0
    vendor(packages)
    size = sum(f.stat().st_size for f in VENDOR.rglob("*") if f.is_file())
    print(f"{VENDOR.relative_to(DOCS.parent)}: {len(packages)} packages vendored, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
