"""The documentation builds with Sphinx, warnings treated as errors."""

import pathlib
import subprocess
import sys

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def test_docs_build_without_warnings(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(DOCS),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_public_module_has_an_api_page():
    import dynn

    package = pathlib.Path(dynn.__file__).parent
    modules = {
        "dynn." + ".".join(path.relative_to(package).with_suffix("").parts)
        for path in package.rglob("*.py")
        if not path.name.startswith("_") and "_" != path.parent.name[:1]
    }
    pages = {page.stem for page in (DOCS / "api").glob("*.rst")}
    assert sorted(modules - pages) == []
