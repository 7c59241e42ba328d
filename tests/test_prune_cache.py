"""tools/prune_cache.py drops exactly the cached valid verdicts past the step limit."""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import prune_cache  # noqa: E402


def test_only_valid_verdicts_past_the_limit_are_dropped(tmp_path):
    entries = {
        "over": {"prover": "Z3:4.8.12", "verdict": "valid", "time": 0.2, "steps": 408816},
        "within": {"prover": "Z3:4.8.12", "verdict": "valid", "time": 0.1, "steps": 80889},
        "stepout": {"prover": "CVC4:1.8", "verdict": "stepout", "time": 2.0, "steps": 400001},
        "qed": {"prover": "CVC4:1.8", "verdict": "valid", "time": 0.1},
    }
    for name, entry in entries.items():
        (tmp_path / (name + ".json")).write_text(json.dumps(entry))
    assert prune_cache.main(["--steps", "400000", str(tmp_path)]) == 0
    assert sorted(p.stem for p in tmp_path.glob("*.json")) == ["qed", "stepout", "within"]


def test_entries_read_wps_whole_seconds(tmp_path):
    """WP writes a whole number of seconds as "10." (not JSON); the reader
    takes it, so such an entry is not skipped."""
    (tmp_path / "t.json").write_text('{ "prover": "CVC4:1.8", "verdict": "timeout", "time": 10. }')
    (tmp_path / "v.json").write_text('{ "prover": "Z3:4.8.12", "verdict": "valid", "time": 1., "steps": 408816 }')
    assert [(p.stem, e["time"]) for p, e in prune_cache.entries(tmp_path)] == [("t", 10.0), ("v", 1.0)]
    assert [p.stem for p in prune_cache.past_limit(tmp_path, 400000)] == ["v"]


def test_an_unreadable_entry_is_an_error_naming_it(tmp_path, capsys):
    (tmp_path / "broken.json").write_text('{ "prover": "CVC4:1.8", "verdict": ')
    assert prune_cache.main(["--steps", "400000", str(tmp_path)]) == 1
    assert "broken.json: not a WP cache entry" in capsys.readouterr().err
    assert (tmp_path / "broken.json").exists()
