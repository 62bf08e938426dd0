"""Issue 14, item 8: the previous release is trusted only after it is checked. ``LATEST`` that
names a missing folder, a path outside ``releases/`` or a release whose files changed is
never built on silently: the newest release that checks out stands in (with a warning), and
with none the run refuses."""
import logging
import shutil

import pytest

from dgn_rows import NOW, PAGE_REJECTS, RUN_INFO, good_tables
from pipeline.publish.release import ReleaseUntrusted, check_release, latest, publish_release


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    out = tmp_path_factory.mktemp("trust") / "out"
    first = publish_release(good_tables(), PAGE_REJECTS, RUN_INFO, out, now=NOW, validate=False)
    second = publish_release(good_tables(), PAGE_REJECTS, RUN_INFO, out, now=NOW, validate=False)
    return out, first.path, second.path


@pytest.fixture
def out(two_releases, tmp_path):
    src = two_releases[0]
    dst = tmp_path / "out"
    shutil.copytree(src, dst)
    return dst


def test_a_published_release_checks_out(out):
    assert check_release(latest(out)) is None
    assert latest(out).name == (out / "releases" / "LATEST").read_text().strip()


@pytest.mark.parametrize("named", ["2030.01.01", "/etc", "../../outside", ""])
def test_latest_naming_no_release_falls_back_to_the_newest_that_checks_out(out, named, caplog):
    root = out / "releases"
    newest = latest(out)
    (root / "LATEST").write_text(named + "\n")
    with caplog.at_level(logging.WARNING, logger="dgn.release"):
        assert latest(out) == newest
    if named:
        assert "checks out" in caplog.text


@pytest.mark.parametrize("damage", ["delete", "truncate", "edit"])
def test_a_release_whose_files_changed_is_not_built_on(out, damage, caplog):
    root = out / "releases"
    named = latest(out)
    table = named / "data" / "people.parquet" / "part-00000.parquet"
    if damage == "delete":
        table.unlink()
    elif damage == "truncate":
        table.write_bytes(table.read_bytes()[:100])
    else:
        (named / "manifest.json").write_text("{}")
    assert check_release(named) is not None
    with caplog.at_level(logging.WARNING, logger="dgn.release"):
        older = latest(out)
    assert older is not None and older != named and check_release(older) is None
    assert named.name in caplog.text
    for rel in root.iterdir():
        if rel.is_dir() and rel != named:
            shutil.rmtree(rel)
    with pytest.raises(ReleaseUntrusted, match="Restore it"):
        latest(out)


def test_no_release_at_all_is_a_fresh_start(tmp_path):
    assert latest(tmp_path / "new") is None


def test_a_verified_release_is_trusted_from_its_seal_until_a_file_changes(tmp_path, monkeypatch):
    """A second check reads no data file (the seal of sizes, mtimes, ctimes and inodes holds);
    a file written since, even with its mtime set back, is hashed again and caught."""
    import os

    import pipeline.publish.release as release

    out = tmp_path / "out"
    publish_release(good_tables(), PAGE_REJECTS, RUN_INFO, out, now=NOW, validate=False)
    rel = latest(out)
    assert check_release(rel) is None
    assert (out / ".cache" / "verified" / rel.name).is_file()
    hashed = []
    monkeypatch.setattr(release, "sha256_file", lambda p: hashed.append(p) or ("", 0))
    release._check_sums.cache_clear()
    assert check_release(rel) is None and not hashed
    monkeypatch.undo()
    part = next((rel / "data" / "people.parquet").glob("*.parquet"))
    st = part.stat()
    data = bytearray(part.read_bytes())
    data[-20] ^= 1
    part.write_bytes(bytes(data))
    os.utime(part, ns=(st.st_atime_ns, st.st_mtime_ns))
    release._check_sums.cache_clear()
    assert check_release(rel) is not None
