"""Writes pypi-demo.zip: the advisories of the demo's packages, taken from the shared OSV slice.

    python3 examples/demo/osv/make-demo-export.py [SHARED_ZIP]

SHARED_ZIP defaults to ../shared/data/osv/pypi-osv.zip beside the repository (the PyPA advisory database
at commit 3ccb612573e2511ab5cad7dafecd838605c80cda, converted to OSV JSON; see README.md here). Every
record is copied byte for byte; only records naming a package of ../requirements.txt are kept. The zip
is deterministic (sorted names, fixed timestamps), so re-running it gives the same bytes.
"""
import json
import pathlib
import re
import sys
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def demo_packages():
    names = set()
    for line in (HERE.parent / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(normalize(re.split(r"[=<>!~;\[ ]", line, 1)[0]))
    return names


def main():
    source = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "osv" / "pypi-osv.zip"
    wanted = demo_packages()
    kept = []
    with zipfile.ZipFile(source) as src:
        for name in sorted(src.namelist()):
            data = src.read(name)
            record = json.loads(data)
            if any(normalize(a["package"]["name"]) in wanted for a in record.get("affected", [])):
                kept.append((name, data))
    out = HERE / "pypi-demo.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in kept:
            info = zipfile.ZipInfo(name, date_time=(2024, 10, 10, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    print(f"{out.relative_to(ROOT)}: {len(kept)} advisories for {', '.join(sorted(wanted))}")


main()
