"""Read a scorecard file into the models, returning every problem found on the way (never raising).

A file is first validated whole by its Pydantic model, in one call. When that fails, each mapping of
the YAML tree is validated on its own (the scorecard's own fields, then each criterion without its
children), so one bad value does not hide the problems of the rest of the tree: Pydantic's errors
become located problems, the bad value is left out (or a required one replaced by a stand-in) and
validation is repeated, and checking goes on with what was readable. A file the whole validation
accepts has none of those problems (see `_Builder._whole`), so both ways build the same models.

Where each model object stands in the file is kept in a `Locations` table beside the models.
"""

from __future__ import annotations

import codecs
import difflib
import os
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cchc.messages import render
from cchc.problems import Problem
from cchc.scorecard.criteria_set import CriteriaSet, SetCriterion
from cchc.scorecard.model import (
    FIRST_YEAR,
    REF_FIELDS,
    Adjustment,
    Appraisal,
    CardAppraisal,
    Criterion,
    Scorecard,
    Step,
)
from cchc.scorecard.reader import Map, Node, Scalar, Seq, kind_of, parse, to_plain

_Top = TypeVar("_Top", Scorecard, CriteriaSet)

#: Files larger than this are refused before parsing; the 96-row seed table is about 40 KB.
MAX_BYTES = 2 * 1024 * 1024

# Message key describing the expected type of each field, for wrong-type problems.
_EXPECTED = {
    "id": "type.text",
    "tt": "type.text",
    "title": "type.text",
    "note": "type.text",
    "unit": "type.text",
    "report": "type.text",
    "level": "type.text",
    "max": "type.number",
    "score": "type.number",
    "year": "type.year",
    "split_unknown": "type.bool",
    "evidence": "type.list-of-text",
    "children": "type.list-of-criteria",
    "criteria": "type.list-of-criteria",
    "survey": "type.bool",
    "applicable": "type.bool",
    "rule": "type.text",
    "value": "type.text",
    "steps": "type.list",
    "criteria_set": "type.text",
    "bonus": "type.list",
    "penalty": "type.list",
    "set": "type.text",
    "issued_by": "type.text",
    "not_applicable": "type.text",
    "bonus_cap": "type.number",
    "penalty_cap": "type.number",
    "appraisal": "type.list-of-appraisal",
}

# The fields of the mappings inside a list field (for suggestions when one is misspelt).
_ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "evidence": REF_FIELDS,
    "steps": tuple(field.alias or name for name, field in Step.model_fields.items()),
    "bonus": tuple(Adjustment.model_fields),
    "penalty": tuple(Adjustment.model_fields),
}

# Fields of a filled-in card that a criteria set must not carry (it gives criteria, maxima and rules).
_CARD_ONLY = frozenset({"score", "evidence", "value", "applicable", "appraisal"})

# What people write instead of the English field names, mapped to the field they mean.
_SYNONYMS = {
    "ma": "id",
    "mã": "id",
    "stt": "tt",
    "ten": "title",
    "tên": "title",
    "tieu_de": "title",
    "diem_chuan": "max",
    "điểm_chuẩn": "max",
    "diem_toi_da": "max",
    "maximum": "max",
    "diem": "score",
    "điểm": "score",
    "diem_tu_danh_gia": "score",
    "tu_cham": "score",
    "tai_lieu": "evidence",
    "tài_liệu": "evidence",
    "tai_lieu_kiem_chung": "evidence",
    "evidences": "evidence",
    "ghi_chu": "note",
    "ghi_chú": "note",
    "giai_trinh": "note",
    "notes": "note",
    "con": "children",
    "tieu_chi": "criteria",
    "tiêu_chí": "criteria",
    "don_vi": "unit",
    "đơn_vị": "unit",
    "nam": "year",
    "năm": "year",
    "cap": "level",
    "cấp": "level",
    "tham_dinh": "appraisal",
    "thẩm_định": "appraisal",
    "diem_tham_dinh": "appraisal",
    "ly_do": "note",
    "lý_do": "note",
    "y_kien": "note",
    "ý_kiến": "note",
    "giai_trinh_don_vi": "reply",
    "tai_lieu_bo_sung": "evidence",
    "ngay": "date",
    "ngày": "date",
    "nguoi_tham_dinh": "by",
}

# Stand-ins for required values that were missing or unreadable, so checking can go on.
_PLACEHOLDERS: dict[str, Any] = {"id": "?", "title": "?", "unit": "?", "year": FIRST_YEAR, "criteria": [], "set": "?"}


@dataclass
class Where:
    """Where a model node stands in its file, for problems that checks report about it."""

    file: str
    path: str
    line: int
    column: int
    entries: dict[str, tuple[Scalar, Node]] = field(default_factory=dict)
    #: Fields that were written but could not be read (already reported): checks say nothing more
    #: about their absence, nor about sums that depend on them.
    refused: frozenset[str] = frozenset()

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


class Locations:
    """Where each model object of one file stands: a table beside the models, so that two equal
    scorecards compare equal wherever they were read from. Entries hold their object, which keeps
    its ``id`` from being reused while the table lives."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._table: dict[int, tuple[BaseModel, Where]] = {}
        #: Trees validated whole, with their YAML root, entered into the table when first asked:
        #: loading alone never needs them, and a check asks about every node anyway.
        self._unwalked: list[tuple[Scorecard | CriteriaSet, Map]] = []

    def add(self, obj: BaseModel, here: Where) -> None:
        """Record where ``obj`` was read."""
        self._table[id(obj)] = (obj, here)

    def add_tree(self, top: Scorecard | CriteriaSet, root: Map) -> None:
        """Record ``top`` and every criterion below it, read from ``root`` with nothing left out."""
        self._unwalked.append((top, root))

    def __call__(self, obj: BaseModel) -> Where:
        """Where ``obj`` stands; the file's start for an object built in code."""
        if self._unwalked:
            self._walk()
        entry = self._table.get(id(obj))
        if entry is None or entry[0] is not obj:
            return Where(self.file, "", 0, 0)
        return entry[1]

    def _walk(self) -> None:
        """Enter the trees of `add_tree`: each criterion is the mapping at its own index in the YAML
        list, since a tree validated whole kept every item and adopted no key."""
        file, table = self.file, self._table
        for top, root in self._unwalked:
            table[id(top)] = (top, Where(file, "", root.line, root.column, root.entries))
            todo: list[tuple[list[Any], Node, str]] = [(top.criteria, root.entries["criteria"][1], "criteria")]
            while todo:
                objs, seq, path = todo.pop()
                assert isinstance(seq, Seq)
                for i, (obj, node) in enumerate(zip(objs, seq.items, strict=True)):
                    assert isinstance(node, Map)
                    here = f"{path}[{i}]"
                    table[id(obj)] = (obj, Where(file, here, node.line, node.column, node.entries))
                    if obj.children:
                        todo.append((obj.children, node.entries["children"][1], f"{here}.children"))
        self._unwalked.clear()


@dataclass
class Loaded:
    """The result of loading one file: the scorecard (None if unusable), its locations, the problems."""

    file: str
    card: Scorecard | None
    problems: list[Problem] = field(default_factory=list)
    #: False when the file could not be read at all.
    readable: bool = True
    locations: Locations = field(default_factory=lambda: Locations("<memory>"))
    #: The criteria set, when the file is one (top-level ``set:`` and no ``unit:``); ``card`` is then None.
    criteria_set: CriteriaSet | None = None

    def __post_init__(self) -> None:
        if self.locations.file == "<memory>":
            self.locations.file = self.file


def load_file(path: str | os.PathLike[str]) -> Loaded:
    """Read, decode, parse and build the scorecard at ``path``; every failure is a problem."""
    name = str(path)
    if os.path.isdir(path):
        return Loaded(name, None, [Problem("no-scorecard", name, args={"folder": name})], readable=False)
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            return Loaded(
                name, None, [Problem("file-too-large", name, args={"size": size, "limit": MAX_BYTES})], readable=False
            )
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return Loaded(name, None, [Problem("file-unreadable", name, args={"reason": _os_reason(exc)})], readable=False)
    if len(data) > MAX_BYTES:  # the file grew between stat and read
        return Loaded(
            name, None, [Problem("file-too-large", name, args={"size": len(data), "limit": MAX_BYTES})], readable=False
        )
    text, problem = decode(data, name)
    if text is None:
        assert problem is not None
        return Loaded(name, None, [problem])
    return load_text(text, name, data[3:] if data.startswith(codecs.BOM_UTF8) else data)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return render("reason.not-found")
    if isinstance(exc, PermissionError):
        return render("reason.permission")
    return render("reason.other", error=exc.strerror or exc)


def decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    """UTF-8 (a BOM is fine) or a problem pointing at the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem("encoding", file, 1, 1, args={"byte": f"{data[0]:02X}", "hint": render("encoding.utf16")})
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        start = exc.start
        line_start = data.rfind(b"\n", 0, start) + 1
        line = data.count(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
        hint = render("encoding.utf16") if b"\x00" in data[:64] else render("encoding.legacy")
        return None, Problem("encoding", file, line, column, args={"byte": f"{data[start]:02X}", "hint": hint})


def load_text(text: str, file: str = "<text>", encoded: bytes | None = None) -> Loaded:
    """Build a scorecard from YAML text; problems carry ``file`` as their file name. ``encoded``:
    the text as UTF-8, when the caller has it (see `reader.parse`)."""
    parsed = parse(text, file, encoded)
    problems = list(parsed.problems)
    root = parsed.root
    if root is None or (isinstance(root, Scalar) and root.is_null):
        if not problems:
            problems.append(Problem("empty-file", file, 1, 1))
        return Loaded(file, None, problems)
    if not isinstance(root, Map):
        problems.append(
            Problem(
                "not-a-mapping", file, root.line, root.column, args={"what": render("what.top"), "got": kind_of(root)}
            )
        )
        return Loaded(file, None, problems)
    builder = _Builder(file, problems)
    if is_set(root):
        return Loaded(file, None, problems, locations=builder.locations, criteria_set=builder.criteria_set(root))
    card = builder.scorecard(root)
    return Loaded(file, card, problems, locations=builder.locations)


def is_set(root: Map) -> bool:
    """A criteria-set file names its set (``set:``) and no unit."""
    return "set" in root.entries and "unit" not in root.entries


class _Builder:
    """Turns the located YAML tree into models, whole or else node by node, collecting problems."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.locations = Locations(file)

    def scorecard(self, root: Map) -> Scorecard:
        whole = self._whole(Scorecard, root)
        if whole is not None:
            return whole
        card, root = self._validate(Scorecard, root, "", exclude="criteria")
        criteria_entry = root.entries.get("criteria")
        card.criteria = self._children(criteria_entry[1] if criteria_entry else None, "criteria", "criteria", Criterion)
        return card

    def criteria_set(self, root: Map) -> CriteriaSet:
        whole = self._whole(CriteriaSet, root)
        if whole is not None:
            return whole
        found, root = self._validate(CriteriaSet, root, "", exclude="criteria")
        criteria_entry = root.entries.get("criteria")
        found.criteria = self._children(
            criteria_entry[1] if criteria_entry else None, "criteria", "criteria", SetCriterion
        )
        return found

    def _whole(self, cls: type[_Top], root: Map) -> _Top | None:
        """The whole tree validated in one call, or None when anything in it fails.

        When it passes, the node-by-node way would find nothing to say either: every model forbids
        unknown fields, so no key was misspelt (nothing to adopt); every criterion is a mapping and
        every ``criteria``/``children`` a list; and no model checks one field against another, so
        each mapping validates on its own as it did inside the whole. Its models are then the same.
        """
        try:
            top = cls.model_validate(to_plain(root))
        except ValidationError:
            return None
        self.locations.add_tree(top, root)
        return top

    def _children(self, node: Node | None, path: str, name: str, cls: type[Any]) -> list[Any]:
        if node is None or (isinstance(node, Scalar) and node.is_null):
            return []
        if not isinstance(node, Seq):
            self.problems.append(
                Problem(
                    "wrong-type",
                    self.file,
                    node.line,
                    node.column,
                    path,
                    {"field": name, "expected": render(_EXPECTED[name]), "got": kind_of(node)},
                )
            )
            return []
        out: list[Any] = []
        # Depth-first without recursion: (yaml node, path, list to append the built node to).
        todo: list[tuple[Node, str, list[Any]]] = [
            (item, f"{path}[{i}]", out) for i, item in reversed(list(enumerate(node.items)))
        ]
        while todo:
            item, item_path, into = todo.pop()
            if not isinstance(item, Map):
                self.problems.append(
                    Problem(
                        "not-a-mapping",
                        self.file,
                        item.line,
                        item.column,
                        item_path,
                        {"what": render("what.criterion"), "got": kind_of(item)},
                    )
                )
                continue
            crit, item = self._validate(cls, item, item_path, exclude="children")
            into.append(crit)
            kids = item.entries.get("children")
            if kids is None or (isinstance(kids[1], Scalar) and kids[1].is_null):
                continue
            if not isinstance(kids[1], Seq):
                self.problems.append(
                    Problem(
                        "wrong-type",
                        self.file,
                        kids[1].line,
                        kids[1].column,
                        f"{item_path}.children",
                        {"field": "children", "expected": render(_EXPECTED["children"]), "got": kind_of(kids[1])},
                    )
                )
                continue
            todo.extend(
                (child, f"{item_path}.children[{i}]", crit.children)
                for i, child in reversed(list(enumerate(kids[1].items)))
            )
        return out

    def _validate(self, cls: type[BaseModel], node: Map, path: str, exclude: str) -> tuple[Any, Map]:
        """Build one mapping's own fields: report Pydantic's errors, drop bad values and try again.

        Returns the object and the mapping as it was read (misspelt keys under the field they mean).
        """
        node = self._adopt_misspelt(cls, node, path)
        data: dict[str, Any] = {k: to_plain(v) for k, (_, v) in node.entries.items() if k != exclude}
        if exclude == "criteria" and "criteria" in node.entries:
            data["criteria"] = []
        refused: set[str] = set()
        for attempt in range(4):
            try:
                obj = cls.model_validate(data)
            except ValidationError as exc:
                errors = exc.errors(include_url=False, include_context=True)
                if attempt == 0:
                    here = Where(self.file, path, node.line, node.column, node.entries)
                    found = (self._problem(cls, here, node, err) for err in errors)
                    self.problems.extend(p for p in found if p is not None)
                    refused = {
                        str(err["loc"][0])
                        for err in errors
                        if len(err["loc"]) == 1 and err["type"] not in ("extra_forbidden", "missing")
                    }
                _repair(data, errors)
                continue
            here = Where(self.file, path, node.line, node.column, node.entries, frozenset(refused))
            self.locations.add(obj, here)
            return obj, node
        raise AssertionError(f"could not repair {path}")  # pragma: no cover - repair always converges

    def _adopt_misspelt(self, cls: type[BaseModel], node: Map, path: str) -> Map:
        """Report each misspelt key that surely means an absent field once, and read it as that field,
        so that its value is checked and its absence is not reported again (nor the sums it feeds)."""
        known = list(cls.model_fields)
        entries = dict(node.entries)
        for name, (key, _value) in node.entries.items():
            if name in cls.model_fields or (cls is SetCriterion and name in _CARD_ONLY):
                continue
            guess = _guess(name, known)
            if guess is None or guess in entries:
                continue
            self.problems.append(
                Problem(
                    "unknown-field",
                    self.file,
                    key.line,
                    key.column,
                    _join(path, name),
                    {"field": name, "suggestion": render("suggest", name=guess)},
                )
            )
            entries = {guess if k == name else k: v for k, v in entries.items()}
        return (
            node
            if len(entries) == len(node.entries) and entries.keys() == node.entries.keys()
            else Map(entries, node.line, node.column)
        )

    def _problem(self, cls: type[BaseModel], here: Where, node: Map, err: Any) -> Problem | None:
        """The problem for one validation error; None for a value already refused by the reader."""
        # Union tags ("text"/"ref") stand in the location but not in the file.
        loc = [part for part in err["loc"] if part not in _TAGS]
        name = str(loc[0]) if loc else ""
        kind = err["type"]
        parent, key, target = _descend(node, loc)
        field = next((str(part) for part in reversed(loc) if isinstance(part, str)), name)
        path = _join(here.path, ".".join(str(part) for part in loc))
        if kind == "extra_forbidden":
            known = _known_fields(cls, loc)
            line, col = (key.line, key.column) if key is not None else (here.line, here.column)
            if cls is SetCriterion and len(loc) == 1 and field in _CARD_ONLY:
                id_entry = node.entries.get("id")
                node_id = id_entry[1].text if id_entry and isinstance(id_entry[1], Scalar) else "?"
                return Problem(
                    "set-has-score",
                    self.file,
                    line,
                    col,
                    path,
                    {"id": render("label.criterion", id=node_id), "field": field},
                )
            return Problem(
                "unknown-field", self.file, line, col, path, {"field": field, "suggestion": _suggest(field, known)}
            )
        if kind == "missing":
            return here.problem("missing-field", None, field=name)
        if isinstance(target, Scalar) and target.refused:
            return None
        at = target if target is not None else parent
        line, col = (at.line, at.column) if at is not None else (here.line, here.column)
        value = target.text if isinstance(target, Scalar) else (kind_of(target) if target else "")
        if kind == "bad_rule_value":
            allowed = "rule.allowed-value" if field == "value" else "rule.allowed-threshold"
            return Problem(
                "bad-value", self.file, line, col, path, {"field": field, "value": value, "allowed": render(allowed)}
            )
        if kind == "bad_number":
            return Problem(
                "bad-number",
                self.file,
                line,
                col,
                path,
                {"field": field, "value": value, "reason": render(err["ctx"]["reason"])},
            )
        if kind == "literal_error":
            return Problem(
                "bad-value",
                self.file,
                line,
                col,
                path,
                {"field": field, "value": value, "allowed": err["ctx"]["expected"].replace("'", "")},
            )
        if kind == "string_pattern_mismatch" and field == "date":
            return Problem(
                "bad-value",
                self.file,
                line,
                col,
                path,
                {"field": field, "value": value, "allowed": "dd/mm/yyyy, yyyy-mm-dd"},
            )
        if kind == "value_error":
            return Problem("missing-field", self.file, line, col, path, {"field": "doc / title / file / url"})
        if len(loc) == 1:
            expected = render(_EXPECTED.get(name, "type.text"))
        elif (name == "evidence" and len(loc) == 2) or (name == "appraisal" and len(loc) == 4 and loc[2] == "evidence"):
            expected = render("type.evidence-item")
        elif name == "appraisal" and len(loc) == 2:
            expected = render("type.mapping")
        elif name == "appraisal" and len(loc) == 3 and field == "score":
            expected = render("type.number")
        else:
            expected = render("type.text")
        if kind in ("greater_than_equal", "less_than_equal"):
            expected = render("type.year")
        return Problem(
            "wrong-type",
            self.file,
            line,
            col,
            path,
            {"field": field, "expected": expected, "got": kind_of(target) if target else ""},
        )


_TAGS = ("text", "ref")


def _known_fields(cls: type[BaseModel], loc: list[Any]) -> list[str]:
    """The fields allowed where an unknown one was found: the node's, an item's of one of its lists
    (an appraisal entry, an evidence mapping, a step, a bonus), or an appraisal entry's evidence mapping."""
    if len(loc) == 1:
        return list(cls.model_fields)
    if loc[0] == "appraisal":
        if len(loc) == 3:
            return list((CardAppraisal if cls is Scorecard else Appraisal).model_fields)
        return list(REF_FIELDS)
    return list(_ITEM_FIELDS.get(str(loc[0]), ()))


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


def _guess(name: str, known: list[str]) -> str | None:
    """The known field a misspelt or Vietnamese key surely means, if any."""
    folded = name.strip().lower().replace(" ", "_").replace("-", "_")
    guess = _SYNONYMS.get(folded)
    if guess is None or guess not in known:
        close = difflib.get_close_matches(folded, known, n=1, cutoff=0.6)
        guess = close[0] if close else None
    return guess


def _suggest(name: str, known: list[str]) -> str:
    """'; có phải ý bạn là ...' for a near miss, else the list of known fields."""
    guess = _guess(name, known)
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
