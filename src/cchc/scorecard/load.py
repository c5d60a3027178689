"""Read a scorecard file into models, returning every problem found on the way (never raising).

Each node is validated on its own, so one bad value does not hide the problems of the rest of the
tree: the bad value is reported and left out, and checking goes on with what was readable.

A node whose values are all plainly right (text where text goes, points that parse, known fields,
nothing missing) is built at once. Any other node goes to the Pydantic models of `cchc.scorecard.spec`,
the format's definition, which accept what they accept and explain the rest: so the problems are
theirs, and Pydantic is imported only for a file that needs it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any

from cchc.messages import render
from cchc.scorecard.model import REF_FIELDS, Criterion, EvidenceRef, Scorecard, ref_from_parts
from cchc.scorecard.numbers import NumberError, parse_decimal
from cchc.problems import Problem
from cchc.scorecard.reader import Map, Node, Scalar, Seq, kind_of, parse, to_plain

#: Files larger than this are refused before parsing; the 96-row seed table is about 40 KB.
MAX_BYTES = 2 * 1024 * 1024

# Message key describing the expected type of each field, for wrong-type problems.
_EXPECTED = {
    "id": "type.text", "tt": "type.text", "title": "type.text", "note": "type.text",
    "unit": "type.text", "report": "type.text", "level": "type.text",
    "max": "type.number", "score": "type.number", "year": "type.year",
    "split_unknown": "type.bool", "evidence": "type.list-of-text",
    "children": "type.list-of-criteria", "criteria": "type.list-of-criteria",
}

# What people write instead of the English field names, mapped to the field they mean.
_SYNONYMS = {
    "ma": "id", "mã": "id", "stt": "tt", "ten": "title", "tên": "title", "tieu_de": "title",
    "diem_chuan": "max", "điểm_chuẩn": "max", "diem_toi_da": "max", "maximum": "max",
    "diem": "score", "điểm": "score", "diem_tu_danh_gia": "score", "tu_cham": "score",
    "tai_lieu": "evidence", "tài_liệu": "evidence", "tai_lieu_kiem_chung": "evidence",
    "evidences": "evidence", "ghi_chu": "note", "ghi_chú": "note", "giai_trinh": "note",
    "notes": "note", "con": "children", "tieu_chi": "criteria", "tiêu_chí": "criteria",
    "don_vi": "unit", "đơn_vị": "unit", "nam": "year", "năm": "year", "cap": "level",
    "cấp": "level",
}

# Stand-ins for required values that were missing or unreadable, so checking can go on.
_PLACEHOLDERS: dict[str, Any] = {"id": "?", "title": "", "unit": "", "year": 1990, "criteria": []}


@dataclass
class Where:
    """Where a model node stands in its file, for problems that checks report about it."""

    file: str
    path: str
    line: int
    column: int
    entries: dict[str, tuple[Scalar, Node]] = field(default_factory=dict)

    def at(self, name: str) -> tuple[int, int]:
        """Line and column of field ``name``'s value, or of the node when it is absent."""
        entry = self.entries.get(name)
        if entry is None:
            return self.line, self.column
        return entry[1].line, entry[1].column

    def key_at(self, name: str) -> tuple[int, int]:
        """Line and column of field ``name``'s key, or of the node."""
        entry = self.entries.get(name)
        return (entry[0].line, entry[0].column) if entry else (self.line, self.column)

    def problem(self, code: str, name: str | None = None, /, **args: Any) -> Problem:
        """A problem located at field ``name`` (or at the node)."""
        line, col = self.at(name) if name else (self.line, self.column)
        path = f"{self.path}.{name}" if name and self.path else (name or self.path)
        return Problem(code, self.file, line, col, path, args)


def where(node: Criterion | Scorecard) -> Where:
    """The location the loader attached to ``node`` (a default when built in code)."""
    found = node._where
    return found if isinstance(found, Where) else Where("<memory>", "", 0, 0)


@dataclass
class Loaded:
    """The result of loading one file: the scorecard (None if unusable) and the problems."""

    file: str
    card: Scorecard | None
    problems: list[Problem] = field(default_factory=list)
    #: False when the file could not be read at all.
    readable: bool = True


def load_file(path: str | os.PathLike[str]) -> Loaded:
    """Read, decode, parse and build the scorecard at ``path``; every failure is a problem."""
    name = str(path)
    try:
        size = os.stat(path).st_size
        if os.path.isdir(path):
            raise IsADirectoryError(name)
        if size > MAX_BYTES:
            return Loaded(name, None, [Problem("file-too-large", name, args={
                "size": size, "limit": MAX_BYTES})], readable=False)
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return Loaded(name, None, [Problem("file-unreadable", name, args={"reason": _os_reason(exc)})],
                      readable=False)
    if len(data) > MAX_BYTES:  # the file grew between stat and read
        return Loaded(name, None, [Problem("file-too-large", name, args={
            "size": len(data), "limit": MAX_BYTES})], readable=False)
    text, problem = decode(data, name)
    if text is None:
        assert problem is not None
        return Loaded(name, None, [problem])
    return load_text(text, name)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return render("reason.not-found")
    if isinstance(exc, IsADirectoryError):
        return render("reason.is-directory")
    if isinstance(exc, PermissionError):
        return render("reason.permission")
    return render("reason.other", error=exc.strerror or exc)


def decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    """UTF-8 (a BOM is fine) or a problem pointing at the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem("encoding", file, 1, 1, args={
            "byte": f"{data[0]:02X}", "hint": render("encoding.utf16")})
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        start = exc.start
        line_start = data.rfind(b"\n", 0, start) + 1
        line = data.count(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
        hint = render("encoding.utf16") if b"\x00" in data[:64] else render("encoding.legacy")
        return None, Problem("encoding", file, line, column, args={"byte": f"{data[start]:02X}", "hint": hint})


def load_text(text: str, file: str = "<text>") -> Loaded:
    """Build a scorecard from YAML text; problems carry ``file`` as their file name."""
    parsed = parse(text, file)
    problems = list(parsed.problems)
    root = parsed.root
    if root is None or (isinstance(root, Scalar) and root.is_null):
        if not problems:
            problems.append(Problem("empty-file", file, 1, 1))
        return Loaded(file, None, problems)
    if not isinstance(root, Map):
        problems.append(Problem("not-a-mapping", file, root.line, root.column, args={
            "what": render("what.top"), "got": kind_of(root)}))
        return Loaded(file, None, problems)
    builder = _Builder(file, problems)
    card = builder.scorecard(root)
    return Loaded(file, card, problems)


class _Builder:
    """Turns the located YAML tree into models node by node, collecting problems."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def scorecard(self, root: Map) -> Scorecard:
        card = self._validate(Scorecard, root, "", exclude="criteria")
        criteria_entry = root.entries.get("criteria")
        card.criteria = self._children(criteria_entry[1] if criteria_entry else None, "criteria", "criteria")
        return card

    def _children(self, node: Node | None, path: str, name: str) -> list[Criterion]:
        if node is None or (isinstance(node, Scalar) and node.is_null):
            return []
        if not isinstance(node, Seq):
            self.problems.append(Problem("wrong-type", self.file, node.line, node.column, path, {
                "field": name, "expected": render(_EXPECTED[name]), "got": kind_of(node)}))
            return []
        out: list[Criterion] = []
        # Depth-first without recursion: (yaml node, path, list to append the built node to).
        todo: list[tuple[Node, str, list[Criterion]]] = [
            (item, f"{path}[{i}]", out) for i, item in reversed(list(enumerate(node.items)))]
        while todo:
            item, item_path, into = todo.pop()
            if not isinstance(item, Map):
                self.problems.append(Problem("not-a-mapping", self.file, item.line, item.column, item_path, {
                    "what": render("what.criterion"), "got": kind_of(item)}))
                continue
            crit = self._validate(Criterion, item, item_path, exclude="children")
            into.append(crit)
            kids = item.entries.get("children")
            if kids is None or (isinstance(kids[1], Scalar) and kids[1].is_null):
                continue
            if not isinstance(kids[1], Seq):
                self.problems.append(Problem("wrong-type", self.file, kids[1].line, kids[1].column,
                                             f"{item_path}.children", {
                                                 "field": "children",
                                                 "expected": render(_EXPECTED["children"]),
                                                 "got": kind_of(kids[1])}))
                continue
            todo.extend((child, f"{item_path}.children[{i}]", crit.children)
                        for i, child in reversed(list(enumerate(kids[1].items))))
        return out

    def _validate(self, cls: type[Criterion] | type[Scorecard], node: Map, path: str, exclude: str) -> Any:
        """Build one mapping's own fields; on a doubtful value, let the spec report and repair."""
        data: dict[str, Any] = {k: to_plain(v) for k, (_, v) in node.entries.items() if k != exclude}
        if exclude == "criteria" and "criteria" in node.entries:
            data["criteria"] = []
        here = Where(self.file, path, node.line, node.column, node.entries)
        obj = (_plain_criterion if cls is Criterion else _plain_scorecard)(data)
        if obj is None:
            obj = self._validate_by_spec(cls, data, node, here)
        # The location rides on the node without being one of its fields (not compared, not dumped).
        obj._where = here  # type: ignore[misc]
        return obj

    def _validate_by_spec(self, cls: type[Criterion] | type[Scorecard], data: dict[str, Any], node: Map,
                          here: Where) -> Any:
        """Validate with the spec's model: report its errors, drop bad values and try again."""
        from pydantic import ValidationError

        from cchc.scorecard import spec

        model = spec.Criterion if cls is Criterion else spec.Scorecard
        for attempt in range(4):
            try:
                obj = model.model_validate(data)
            except ValidationError as exc:
                errors = exc.errors(include_url=False, include_context=True)
                if attempt == 0:
                    found = (self._problem(model, here, node, err) for err in errors)
                    self.problems.extend(p for p in found if p is not None)
                _repair(data, errors)
                continue
            return spec.to_runtime(obj)
        raise AssertionError(f"could not repair {here.path}")  # pragma: no cover - repair always converges

    def _problem(self, cls: Any, here: Where, node: Map, err: Any) -> Problem | None:
        """The problem for one validation error; None for a value already refused by the reader."""
        # Union tags ("text"/"ref") stand in the location but not in the file.
        loc = [part for part in err["loc"] if part not in _TAGS]
        name = str(loc[0]) if loc else ""
        kind = err["type"]
        parent, key, target = _descend(node, loc)
        field = str(loc[-1]) if loc and isinstance(loc[-1], str) else name
        path = _join(here.path, ".".join(str(part) for part in loc))
        if kind == "extra_forbidden":
            known = list(REF_FIELDS) if len(loc) > 1 else list(cls.model_fields)
            line, col = (key.line, key.column) if key is not None else (here.line, here.column)
            return Problem("unknown-field", self.file, line, col, path, {
                "field": field, "suggestion": _suggest(field, known)})
        if kind == "missing":
            return here.problem("missing-field", None, field=name)
        if isinstance(target, Scalar) and target.refused:
            return None
        at = target if target is not None else parent
        line, col = (at.line, at.column) if at is not None else (here.line, here.column)
        value = target.text if isinstance(target, Scalar) else (kind_of(target) if target else "")
        if kind == "bad_number":
            return Problem("bad-number", self.file, line, col, path, {
                "field": field, "value": value, "reason": render(err["ctx"]["reason"])})
        if kind == "literal_error":
            return Problem("bad-value", self.file, line, col, path, {
                "field": field, "value": value, "allowed": err["ctx"]["expected"].replace("'", "")})
        if kind == "string_pattern_mismatch" and field == "date":
            return Problem("bad-value", self.file, line, col, path, {
                "field": field, "value": value, "allowed": "dd/mm/yyyy, yyyy-mm-dd"})
        if kind == "value_error":
            return Problem("missing-field", self.file, line, col, path, {"field": "doc / title / file / url"})
        if len(loc) == 1:
            expected = render(_EXPECTED.get(name, "type.text"))
        elif name == "evidence" and len(loc) == 2:
            expected = render("type.evidence-item")
        else:
            expected = render("type.text")
        if kind in ("greater_than_equal", "less_than_equal"):
            expected = render("type.year")
        return Problem("wrong-type", self.file, line, col, path, {
            "field": field, "expected": expected, "got": kind_of(target) if target else ""})


_TAGS = ("text", "ref")


def _descend(node: Map, loc: list[Any]) -> tuple[Node | None, Scalar | None, Node | None]:
    """Follow a validation error's location into the YAML tree: (parent, key, value) of its end."""
    parent: Node | None = None
    key: Scalar | None = None
    current: Node | None = node
    for part in loc:
        parent = current
        if isinstance(current, Map) and isinstance(part, str) and part in current.entries:
            key, current = current.entries[part]
        elif isinstance(current, Seq) and isinstance(part, int) and part < len(current.items):
            key, current = None, current.items[part]
        else:
            return parent, None, None
    return parent, key, current


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _suggest(name: str, known: list[str]) -> str:
    """'; có phải ý bạn là ...' for a near miss, else the list of known fields."""
    folded = name.strip().lower().replace(" ", "_").replace("-", "_")
    guess = _SYNONYMS.get(folded)
    if guess is None or guess not in known:
        import difflib  # only for a misspelt field

        close = difflib.get_close_matches(folded, known, n=1, cutoff=0.6)
        guess = close[0] if close else None
    if guess:
        return render("suggest", name=guess)
    return render("known-fields", names=", ".join(known))


def _repair(data: dict[str, Any], errors: list[Any]) -> None:
    """Drop or replace what failed so the next validation of the same node succeeds."""
    drop_items: dict[str, set[int]] = {}
    for err in errors:
        loc = err["loc"]
        if not loc:
            continue
        name = str(loc[0])
        if len(loc) > 1 and isinstance(loc[1], int) and isinstance(data.get(name), list):
            drop_items.setdefault(name, set()).add(loc[1])
        elif err["type"] == "extra_forbidden":  # a criterion's "unit" is unknown, not a missing unit
            data.pop(name, None)
        elif name in _PLACEHOLDERS:
            data[name] = _PLACEHOLDERS[name]
        else:
            data.pop(name, None)
    for name, indexes in drop_items.items():
        data[name] = [v for i, v in enumerate(data[name]) if i not in indexes]


# --------------------------------------------------------------------------- the quick look
# What the spec surely accepts, built without it. Anything else returns None: "ask the spec".
# Scalars arrive as text (or None for a null), so these are the only shapes to recognise.

_CRITERION_FIELDS = frozenset(f.name for f in fields(Criterion)) - {"children"}
_SCORECARD_FIELDS = frozenset(f.name for f in fields(Scorecard))
_LEVELS = frozenset({"tinh", "so", "huyen", "xa"})
_BOOLS = {"true": True, "false": False}
_DOUBT = object()


def _text(value: Any, optional: bool) -> Any:
    """Text as it is; None where the field may be empty; else doubt."""
    if type(value) is str or (value is None and optional):
        return value
    return _DOUBT


def _points(value: Any) -> Any:
    """Points parsed from their text; None for an empty value; else doubt."""
    if value is None:
        return None
    if type(value) is not str:
        return _DOUBT
    try:
        return parse_decimal(value)
    except NumberError:
        return _DOUBT


def _flag(data: dict[str, Any], name: str) -> Any:
    """An absent flag is False; "true"/"false" in any case are what they say; else doubt."""
    if name not in data:
        return False
    value = data[name]
    return _BOOLS.get(value.lower(), _DOUBT) if type(value) is str else _DOUBT


def _evidence(value: Any) -> list[str | EvidenceRef] | None:
    """Evidence items: text, or a mapping `ref_from_parts` accepts; None on any doubt."""
    if type(value) is not list:
        return None
    items: list[str | EvidenceRef] = []
    for item in value:
        if type(item) is str:
            items.append(item)
        elif type(item) is dict:
            ref = ref_from_parts(item)
            if ref is None:
                return None
            items.append(ref)
        else:
            return None
    return items


def _plain_criterion(data: dict[str, Any]) -> Criterion | None:
    """The criterion of a mapping (without its children) when every value is plainly right."""
    if not data.keys() <= _CRITERION_FIELDS or "id" not in data or "title" not in data:
        return None
    values = {"id": _text(data["id"], False), "title": _text(data["title"], False),
              "tt": _text(data.get("tt"), True), "note": _text(data.get("note"), True),
              "max": _points(data.get("max")), "score": _points(data.get("score")),
              "split_unknown": _flag(data, "split_unknown"), "survey": _flag(data, "survey")}
    if any(v is _DOUBT for v in values.values()):
        return None
    if "evidence" in data:
        evidence = _evidence(data["evidence"])
        if evidence is None:
            return None
        values["evidence"] = evidence
    return Criterion(**values)


def _plain_scorecard(data: dict[str, Any]) -> Scorecard | None:
    """The scorecard's own fields (its criteria come apart) when every value is plainly right."""
    if not data.keys() <= _SCORECARD_FIELDS or not {"unit", "year", "criteria"} <= data.keys():
        return None
    year = data["year"]
    if type(year) is not str or len(year) != 4 or not year.isascii() or not year.isdigit() \
            or not 1990 <= int(year) <= 2100:
        return None
    level = data.get("level")
    if level is not None and (type(level) is not str or level not in _LEVELS):
        return None
    values = {"unit": _text(data["unit"], False), "title": _text(data.get("title"), True),
              "report": _text(data.get("report"), True), "max": _points(data.get("max")),
              "score": _points(data.get("score"))}
    if any(v is _DOUBT for v in values.values()):
        return None
    return Scorecard(**values, year=int(year), level=level, criteria=[])
