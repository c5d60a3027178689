"""The located reader and loader: positions, duplicate keys, ids as text, decimals, hostile bytes."""

from __future__ import annotations

import builtins
import os
from decimal import Decimal
from pathlib import Path

import pytest

from cchc.checks import check_file
from cchc.scorecard.load import MAX_BYTES, Loaded, load_file, load_text
from cchc.scorecard.model import iter_criteria
from cchc.scorecard.reader import MAX_DEPTH, Map, parse
from tests.conftest import CASES, MINIMAL, SHIPPED


def codes(path: Path) -> list[tuple[int | None, int | None, str]]:
    return [(p.line, p.column, p.code) for p in check_file(path).problems]


def test_positions_of_nodes_and_values() -> None:
    loaded = load_text(MINIMAL, "x.yaml")
    assert loaded.card is not None and not loaded.problems
    node = loaded.card.criteria[0]
    where = loaded.locations
    assert (where(node).line, where(node).column) == (4, 5)
    assert where(node).at("score") == (7, 12)
    assert where(node).path == "criteria[0]"


def test_locations_stand_beside_the_model() -> None:
    """Two equal scorecards read at different places compare equal; each keeps its own locations."""
    first = load_text(MINIMAL, "a.yaml")
    second = load_text("\n\n" + MINIMAL, "b.yaml")
    assert first.card is not None and second.card is not None
    assert first.card == second.card
    a, b = first.card.criteria[0], second.card.criteria[0]
    assert (first.locations(a).line + 2, first.locations(a).file) == (second.locations(b).line, "a.yaml")
    assert second.locations(b).file == "b.yaml"
    assert first.locations(b).line == 0  # an object of another file is not located here


_TITLE_113 = "        title: Mức độ hoàn thành kế hoạch CCHC\n"


@pytest.mark.parametrize(
    ("clean", "edited", "where"),
    [
        # an unknown key, reported and left out (a comment stands in its line in the clean card)
        (_TITLE_113 + "        # a\n", _TITLE_113 + "        ghi_chu_them_xyz: a\n", (35, 9)),
        # a misspelt key, reported and read as the field it means
        (_TITLE_113, _TITLE_113.replace("title", "titel"), (34, 9)),
    ],
)
def test_one_mistake_changes_nothing_else_that_was_read(clean: str, edited: str, where: tuple[int, int]) -> None:
    """The shipped card with one mistake in a criterion gives that one problem and otherwise the same
    models, located at the same places, as the card without it."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count(_TITLE_113) == 1
    good, bad = (load_text(text.replace(_TITLE_113, new), "x.yaml") for new in (clean, edited))
    assert good.card is not None and not good.problems
    assert [(p.code, p.line, p.column) for p in bad.problems] == [("unknown-field", *where)]
    assert bad.card == good.card

    def places(loaded: Loaded) -> list[tuple[str, int, int, frozenset[str]]]:
        assert loaded.card is not None
        nodes = [loaded.card, *(node for node, _, _ in iter_criteria(loaded.card.criteria))]
        return [(w.path, w.line, w.column, w.refused) for w in map(loaded.locations, nodes)]

    assert len(places(good)) == 99  # the card and its 98 criteria
    assert places(bad) == places(good)


def test_scalars_stay_as_written() -> None:
    parsed = parse("a: 1.10\nb: yes\nc: 2021-12-25\nd: 0,5\ne: '010'\nf: ~\n", "x")
    assert isinstance(parsed.root, Map)
    texts = {k: v.text for k, (_, v) in parsed.root.entries.items()}  # type: ignore[union-attr]
    assert texts == {"a": "1.10", "b": "yes", "c": "2021-12-25", "d": "0,5", "e": "010", "f": "~"}


def test_ids_are_text_and_yaml11_words_are_not_booleans() -> None:
    text = MINIMAL.replace('id: "1"', "id: 1.10").replace("title: Lĩnh vực một", "title: yes")
    loaded = load_text(text, "x.yaml")
    assert loaded.card is not None
    node = loaded.card.criteria[0]
    assert node.id == "1.10" and node.title == "yes"


def test_date_like_title_stays_text() -> None:
    loaded = load_text(MINIMAL.replace("title: Lĩnh vực một", "title: 2021-12-25"), "x.yaml")
    assert loaded.card is not None and loaded.card.criteria[0].title == "2021-12-25"


@pytest.mark.parametrize(
    ("written", "value"), [("0,5", "0.5"), ("0.5", "0.5"), ('"0,4991"', "0.4991"), ("1", "1"), ("'0.5 '", "0.5")]
)
def test_points_from_any_plain_spelling(written: str, value: str) -> None:
    loaded = load_text(MINIMAL.replace("score: 90", f"score: {written}"), "x.yaml")
    assert loaded.card is not None and not loaded.problems
    assert loaded.card.criteria[0].score == Decimal(value)


def test_points_read_again_in_later_cards_stay_the_same() -> None:
    """A value read before (here or in an earlier card) gives the same number, a bad one the same problem."""
    text = MINIMAL.replace("max: 100", "max: 0,5").replace("score: 90", "score: 0,5đ")
    for _ in range(2):
        loaded = load_text(text + '  - id: "2"\n    title: Hai\n    max: 0,5\n    score: 0,5đ\n', "x.yaml")
        assert loaded.card is not None
        assert [c.max for c in loaded.card.criteria] == [Decimal("0.5"), Decimal("0.5")]
        assert [(p.code, p.line, p.args["value"]) for p in loaded.problems] == [
            ("bad-number", 7, "0,5đ"),
            ("bad-number", 12, "0,5đ"),
        ]


def test_duplicate_key_names_both_lines(write) -> None:  # type: ignore[no-untyped-def]
    path = write(MINIMAL.replace("    score: 90\n", "    score: 90\n    score: 80\n"))
    problems = check_file(path).problems
    assert [(p.line, p.code, p.args["first_line"]) for p in problems] == [(8, "duplicate-key", 7)]
    loaded = load_file(path)
    assert loaded.card is not None and loaded.card.criteria[0].score == Decimal(90)


def test_unknown_field_suggests(write) -> None:  # type: ignore[no-untyped-def]
    for wrong, right in [("scroe", "score"), ("diem_chuan", "max"), ("tai_lieu", "evidence")]:
        loaded = load_text(MINIMAL.replace("    evidence:", f"    {wrong}: 1\n    evidence:"), "x.yaml")
        found = [p for p in loaded.problems if p.code == "unknown-field"]
        assert len(found) == 1 and f"'{right}'" in found[0].message


def test_unknown_field_without_near_miss_lists_fields() -> None:
    loaded = load_text(MINIMAL.replace("    evidence:", "    zzzz: 1\n    evidence:"), "x.yaml")
    (problem,) = [p for p in loaded.problems if p.code == "unknown-field"]
    assert "evidence" in problem.message and "children" in problem.message


def test_one_bad_value_does_not_hide_others() -> None:
    text = MINIMAL.replace("score: 90", "score: 9O") + '  - id: "2"\n    title: Hai\n    max: -1\n'
    report_codes = {p.code for p in load_text(text, "x.yaml").problems}
    assert "bad-number" in report_codes
    from cchc.checks import run_checks

    all_codes = {p.code for p in run_checks(load_text(text, "x.yaml")).problems}
    assert {"bad-number", "score-negative", "unscored"} <= all_codes


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = check_file(tmp_path / "nope.yaml")
    assert not missing.readable and missing.problems[0].code == "file-unreadable"
    assert "không có tệp" in missing.problems[0].message
    folder = check_file(tmp_path)
    assert not folder.readable and "thư mục" in folder.problems[0].message


def test_unreadable_permission(write, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = write(MINIMAL)
    real = builtins.open

    def deny(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == str(path):  # (chmod 000 does not stop root, who runs CI)
            raise PermissionError(13, "Permission denied")
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)
    report = check_file(path)
    assert not report.readable and "quyền" in report.problems[0].message


def test_too_large_refused_before_parsing(write) -> None:  # type: ignore[no-untyped-def]
    path = write(b"#" * (MAX_BYTES + 1))
    report = check_file(path)
    assert [p.code for p in report.problems] == ["file-too-large"]


def test_not_utf8_points_at_first_bad_byte(write) -> None:  # type: ignore[no-untyped-def]
    data = MINIMAL.encode("utf-8")
    data = data.replace("một".encode(), b"m\xf4t")  # Windows-1258 'ô'
    (problem,) = check_file(write(data)).problems
    assert (problem.code, problem.line, problem.column) == ("encoding", 5, 22)
    assert "UTF-8" in problem.message


def test_utf16_is_named(write) -> None:  # type: ignore[no-untyped-def]
    (problem,) = check_file(write(MINIMAL.encode("utf-16"))).problems
    assert problem.code == "encoding" and "UTF-16" in problem.message


def test_bom_and_crlf_accepted(write) -> None:  # type: ignore[no-untyped-def]
    path = write(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode())
    assert check_file(path).problems == []


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    text = "unit: " + "[" * 500 + "]" * 500 + "\nyear: 2021\ncriteria: []\n"
    problems = load_text(text, "x.yaml").problems
    assert [p.code for p in problems if p.code == "yaml-depth"] == ["yaml-depth"]
    # libyaml itself stops at 1000 levels; that is a located syntax problem, not a crash.
    deeper = load_text("unit: " + "[" * 5000 + "]" * 5000 + "\n", "x.yaml").problems
    assert [(p.code, p.line) for p in deeper] == [("yaml-syntax", 1)]
    deep_map = "a:\n" + "".join("  " * i + "  b:\n" for i in range(MAX_DEPTH + 5))
    assert any(p.code == "yaml-depth" for p in load_text(deep_map, "x.yaml").problems)


def test_billion_laughs_refused_quickly() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    problems = load_text("\n".join(lines) + "\n", "bomb.yaml").problems
    assert sum(p.code == "yaml-alias" for p in problems) == 81


def test_python_tags_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"unit: !!python/object/apply:os.system ['touch {marker}']\nyear: 2021\ncriteria: []\n"
    problems = load_text(text, "x.yaml").problems
    assert [p.code for p in problems] == ["yaml-tag"]
    assert not marker.exists()
    assert [p.code for p in load_text("unit: !foo bar\nyear: 2021\ncriteria: []\n", "x").problems] == ["yaml-tag"]


@pytest.mark.parametrize("text", ["just text\n", "- a\n- b\n", "42\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    assert [p.code for p in load_text(text, "x.yaml").problems] == ["not-a-mapping"]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n", "~\n"])
def test_empty_documents(text: str) -> None:
    assert [p.code for p in load_text(text, "x.yaml").problems] == ["empty-file"]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("\x00\x01", "yaml-syntax"),
        ("{{{{", "yaml-syntax"),
        ("a: b: c", "yaml-syntax"),
        ("- - - -", "not-a-mapping"),
        ("&a [*a]", "yaml-alias"),
        ("? [a]\n: b", "wrong-type"),
        ("a: !!binary x", "yaml-tag"),
    ],
)
def test_loader_reports_garbage_as_problems(text: str, first: str) -> None:
    loaded = load_text(text, "g.yaml")
    assert loaded.problems[0].code == first
    assert all(p.file == "g.yaml" and p.message and "{" not in p.message for p in loaded.problems)


def test_list_and_mapping_keys_are_reported() -> None:
    problems = load_text("? [a, b]\n: 1\nunit: A\nyear: 2021\ncriteria: []\n", "x").problems
    assert "wrong-type" in {p.code for p in problems}


def test_load_file_reports_os_errors_generally(write, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = write(MINIMAL)
    monkeypatch.setattr(os, "stat", lambda *_a, **_k: (_ for _ in ()).throw(OSError(5, "I/O error")))
    report = check_file(path)
    assert not report.readable and "I/O error" in report.problems[0].message


def test_a_scorecard_field_inside_a_criterion_is_unknown_there() -> None:
    """`unit` is a field of the scorecard: inside a criterion it is an unknown field, reported and
    dropped (it once sent the repair round in circles and ended in an internal error)."""
    text = MINIMAL.replace("    title: Lĩnh vực một\n", "    title: Lĩnh vực một\n    unit: true\n    year: 2021\n")
    loaded = load_text(text, "c.yaml")
    assert [(p.code, p.line, p.args["field"]) for p in loaded.problems] == [
        ("unknown-field", 6, "unit"),
        ("unknown-field", 7, "year"),
    ]
    assert loaded.card is not None and loaded.card.criteria[0].title == "Lĩnh vực một"


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("unit: X\ncriteria:\n\t- id: 1\n", (3, 1), "dùng dấu cách, không dùng tab"),
        ("unit: X\ntitle: Tiêu chí: công khai\n", (2, 8), 'title: "Tiêu chí: công khai"'),
        ('unit: "X\nyear: 2021\ncriteria:\n  - id: "1"\n    title: a\n', (1, 7), "không được đóng"),
        ("criteria:\n  - id: '1'\n    title: a\n   max: 1\n", (4, 4), "dòng 4 không khớp với dòng 3"),
        ("unit: X\n  year: 2021\n", (2, 3), "dòng 2 không khớp với dòng 1"),
        ("evidence: [a, b\nx: 1\n", (1, 11), "thiếu dấu ']'"),
        ("unit: X\nevidence: [\n", (2, 11), "thiếu dấu ']'"),  # the file ends inside the list
        ("unit: X\nnote: {a: 1\n", (2, 7), "thiếu dấu '}'"),
        ("unit: X\ntitle: a\x07\n", (2, 9), "ký tự điều khiển U+0007"),
        ("%YAML 1.1\n%YAML 1.1\n---\na: 1\n", (2, 1), "cấu trúc YAML không hợp lệ ở đây (bộ đọc YAML báo: found"),
    ],
)
def test_yaml_syntax_errors_name_their_cause(text: str, where: tuple[int, int], says: str) -> None:
    (problem,) = load_text(text, "x.yaml").problems
    assert (problem.code, (problem.line, problem.column)) == ("yaml-syntax", where)
    assert says in problem.message


def test_yaml_syntax_errors_in_english() -> None:
    from cchc.messages import set_language

    set_language("en")
    try:
        (problem,) = load_text("unit: X\ncriteria:\n\t- id: 1\n", "x.yaml").problems
        assert problem.message == "YAML syntax error: line 3 is indented with a tab; use spaces, not tabs"
    finally:
        set_language("vi")


_READ_TEXTS = [
    MINIMAL,
    "unit: X\ntitle: a\x07\n",
    "unit: X\nevidence: [\n",
    "\x00\x01",
    "&a [*a]",
    "a: !!binary x",
    "unit: Ủy ban\ntitle: Tiêu chí: công khai\n",
    "unit: X\n  year: 2021\n",
    "unit: \U0001f600 😀\nyear: 2021\ncriteria: []\n",
]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("text", _READ_TEXTS + [p.read_text(encoding="utf-8") for p in sorted(CASES.glob("*.yaml"))])
def test_a_file_reads_as_its_text(write, text: str, bom: bytes) -> None:  # type: ignore[no-untyped-def]
    """The parser reads a file's own bytes (not the text encoded again): the same models, problems
    and places as from the text, with or without a byte order mark."""
    path = write(bom + text.encode("utf-8"))
    from_file, from_text = load_file(path), load_text(text, str(path))
    assert from_file.card == from_text.card
    assert [(p.code, p.line, p.column, p.path, p.message) for p in from_file.problems] == [
        (p.code, p.line, p.column, p.path, p.message) for p in from_text.problems
    ]
    if from_file.card is not None and from_text.card is not None:
        pairs = zip(iter_criteria(from_file.card.criteria), iter_criteria(from_text.card.criteria), strict=True)
        for (a, _, _), (b, _, _) in pairs:
            assert (from_file.locations(a).line, from_file.locations(a).column) == (
                from_text.locations(b).line,
                from_text.locations(b).column,
            )
