#!/usr/bin/env python3
"""Build one release of the shop application: build_release.py RELEASE DEST_DIR

Copies src/shop/*.py to DEST_DIR/shop/. Lines marked `# @1.0.1 <code>` exist only in release 1.0.1
(the marker is removed, the code kept at its indentation), so 1.0.1 has the same bugs on shifted
lines. `# BUG <label>: ...` comment lines document the bug sites in this repository and are left
out of every build, so no label ends up in the source context the SDK sends.
"""
import pathlib
import re
import shutil
import sys

MARK = re.compile(r"^(\s*)# @1\.0\.1 ?(.*)$")


def build(release, dest):
    src = pathlib.Path(__file__).resolve().parent / "src" / "shop"
    out = pathlib.Path(dest) / "shop"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for path in sorted(src.glob("*.py")):
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("# BUG "):
                continue
            m = MARK.match(line)
            if m:
                if release.endswith("1.0.1"):
                    lines.append(m.group(1) + m.group(2))
                continue
            lines.append(line)
        (out / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build(sys.argv[1], sys.argv[2])
