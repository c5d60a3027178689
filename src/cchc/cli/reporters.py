"""Output formats: each renders the core's report objects and nothing else."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

from cchc.messages import render
from cchc.problems import Problem, Report, Severity
from cchc.scorecard.numbers import format_points

# Rich is imported only where it draws, so piped output starts fast; the models only for the types,
# so that commands which load no card (``--help``, ``schema``) do not build them.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from cchc.diff import AppraisalDiff, CardDiff, FieldDelta
    from cchc.evidence.cited import Document
    from cchc.scorecard.final import Final
    from cchc.scorecard.model import Scorecard
    from cchc.scorecard.rollup import Row


#: Piped or redirected output is as wide as its widest line: nothing is cropped for an 80-column guess.
UNLIMITED = 1_000_000


def stdout_console(width: int | None = None) -> Console:
    """A Rich console on stdout (tables), made when needed so it writes to the current stream.

    A terminal gets its own width, tables wrapping their text to fit it; a pipe or a file gets every
    column whole. ``width`` (``--width N``) overrides both.
    """
    import sys

    from rich.console import Console

    if width is None and not sys.stdout.isatty():
        width = UNLIMITED
    return Console(highlight=False, soft_wrap=False, width=width)


def stderr_console() -> Console:
    """A Rich console on stderr (messages, progress)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def print_problems(problems: list[Problem], style: str | None = None) -> None:
    """Problem lines on stderr, as they are (a path with brackets is not markup)."""
    console = stderr_console()
    for problem in problems:
        console.print(problem_line(problem), style=style, soft_wrap=True, markup=False)


def problem_line(problem: Problem) -> str:
    """``file:line:column: severity code message``."""
    return f"{problem.location()}: {render('severity.' + problem.severity.value)} {problem.code} {problem.message}"


def summary_line(report: Report) -> str:
    """One line: files, errors, warnings (and unreadable files)."""
    text = render("summary", files=len(report.files), errors=report.errors, warnings=report.warnings)
    if report.unreadable:
        text += render("summary.unreadable", unreadable=report.unreadable)
    return text


def print_report_text(report: Report, out: TextIO, color: bool = False) -> None:
    """Every problem on its own line, then the summary line; colours only on a terminal."""
    if not color:
        out.writelines(problem_line(problem) + "\n" for problem in report.problems())
        out.write(summary_line(report) + "\n")
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False)
    for problem in report.problems():
        style = "red" if problem.severity is Severity.ERROR else "yellow"
        console.print(Text(problem_line(problem), style=style), soft_wrap=True)
    console.print(summary_line(report), soft_wrap=True)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_lines(report: Report) -> list[str]:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=code::message``."""
    lines = []
    for problem in report.problems():
        props = [f"file={_escape_property(problem.file)}"]
        if problem.line is not None:
            props.append(f"line={problem.line}")
        if problem.column is not None:
            props.append(f"col={problem.column}")
        props.append(f"title={_escape_property(problem.code)}")
        lines.append(f"::{problem.severity.value} {','.join(props)}::{_escape_data(problem.message)}")
    lines.append(summary_line(report))
    return lines


def dump_json(data: Any) -> str:
    """JSON as the CLI prints it: UTF-8 text kept readable, stable indentation."""
    import json

    return json.dumps(data, ensure_ascii=False, indent=2)


def _cell(computed: Decimal | None, declared: Decimal | None, ok: bool, places: int | None = None) -> Text:
    """The computed value; where the declared one differs, both side by side in red."""
    from rich.text import Text

    shown = format_points(computed, places)
    if ok:
        return Text(shown)
    return Text(f"{shown or '0'} ≠ {render('total.declared', value=format_points(declared))}", style="bold red")


def _score_cell(row: Row) -> Text:
    """The score cell: "Không áp dụng" for a criterion that does not apply, "(tính)" after a score its
    rule computed, else the computed value beside a declared one that differs."""
    from rich.text import Text

    if not row.applicable and row.node is not None and row.node.applicable is False:
        return Text(render("total.not-applicable"), style="italic")
    if row.computed:
        return Text(f"{format_points(row.score)} {render('total.computed')}", style="italic")
    return _cell(row.score, row.declared_score, row.score_ok)


def _appraisal_cells(row: Row, round_no: int, places: int | None = None) -> list[Text]:
    """The appraised points of ``round_no`` (declared beside them where they differ) and the
    difference from the self score."""
    index = round_no - 1
    computed = row.appraisal_rounds[index]
    declared = row.declared_appraisal[index] if row.summed and index < len(row.declared_appraisal) else None
    ok = index not in row.appraisal_mismatches()
    delta = computed - row.score if computed is not None and row.score is not None else None
    return [_cell(computed, declared, ok, places), _delta_cell(delta, places)]


def total_table(
    card: Scorecard, root: Row, depth: int | None = None, width: int = UNLIMITED, round_no: int | None = None
) -> Table:
    """The form's layout: TT, criterion, max, self score, index; fields in bold, total last. An
    appraised card adds the appraised points of ``round_no`` (default: the final round) and their
    difference from the self score.

    Within a terminal's ``width`` the number columns' headers wrap, so that the criterion gets the room.
    """
    from rich.table import Table
    from rich.text import Text

    title = card.title or render("total.default-title", year=card.year)
    # Piped, the table is as wide as its longest row: a centred title would start far off to the right.
    table = Table(
        title=render("total.title", title=title, unit=card.unit),
        show_lines=False,
        title_justify="center" if width < UNLIMITED else "left",
        header_style="bold",
    )
    # Every column folds rather than crops; the TT of a merged row ("5, 7, 9, 11") wraps at its commas
    # so that the criterion's name gets the room.
    table.add_column(render("total.col.tt"), justify="right", max_width=6, overflow="fold")
    table.add_column(render("total.col.criterion"), ratio=1, overflow="fold")
    narrow = 10 if width < UNLIMITED else None
    chosen = round_no or root.rounds
    headings = [render("total.col.max"), render("total.col.score")]
    if chosen:
        headings += [
            render("total.col.appraised")
            if chosen == root.rounds
            else render("total.col.appraised-round", round=chosen),
            render("total.col.appraisal-delta"),
        ]
    for heading in [*headings, render("total.col.index")]:
        table.add_column(heading, justify="right", overflow="fold", max_width=narrow)
    for row in root.walk():
        if row.node is None or (depth is not None and row.depth > depth):
            continue
        node = row.node
        style = "bold" if row.depth == 1 else ""
        name = node.title if row.depth == 1 else f"{node.id}. {node.title}"
        if row.rate is not None:  # the value a rule scored, beside the name: "(99,82 %)"
            name += f" ({format_points(row.rate.percent)}%)" if row.percent else f" ({format_points(row.rate.done)})"
        appraised = _appraisal_cells(row, chosen) if chosen else []
        table.add_row(
            node.tt or node.id,
            Text(name, style=style),
            _cell(row.max, row.declared_max, row.max_ok),
            _score_cell(row),
            *appraised,
            format_points(row.index, 2) if row.index is not None else "",
            style=style,
        )
    table.add_section()
    appraised = _appraisal_cells(root, chosen, 2) if chosen else []
    table.add_row(
        "",
        Text(render("total.sum"), style="bold"),
        _cell(root.max, root.declared_max, root.max_ok, None if _whole(root.max) else 2),
        _cell(root.score, root.declared_score, root.score_ok, 2),
        *appraised,
        format_points(root.index, 2) if root.index is not None else "",
        style="bold",
    )
    return table


def _whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


def evidence_table(card: Scorecard, documents: list[Document], width: int = UNLIMITED) -> Table:
    """One row per cited document, the most leaned-on first, with the criteria citing it."""
    from rich.table import Table

    from cchc.evidence.cited import index_row

    table = Table(
        title=render("evidence.title", unit=card.unit, year=card.year),
        header_style="bold",
        title_justify="center" if width < UNLIMITED else "left",
    )
    table.add_column(render("evidence.col.type"), overflow="fold")
    table.add_column(render("evidence.col.number"), justify="right", overflow="fold")
    table.add_column(render("evidence.col.date"), overflow="fold")
    table.add_column(render("evidence.col.subject"), ratio=3, overflow="fold")
    table.add_column(render("evidence.col.criteria"), ratio=2, overflow="fold")
    table.add_column(render("evidence.col.count"), justify="right", overflow="fold")
    for doc in documents:
        *texts, count = index_row(doc)
        table.add_row(*texts, str(count))
    return table


def total_json(
    file: str, card: Scorecard, root: Row, problems: list[Problem], result: Final | None = None
) -> dict[str, Any]:
    """The recomputed tree as JSON: max, applicable max, score, declared values, rule, value and index of
    every node; at the top also the bonus, penalty, final points and final index (`cchc.scorecard.final`)."""
    from cchc.scorecard.final import final

    result = result if result is not None else final(card, root)
    top = root.to_dict()
    top.update(result.to_dict())
    top["rounds"] = root.rounds
    return {
        "file": file,
        "unit": card.unit,
        "year": card.year,
        "total": top,
        "problems": [p.to_dict() for p in problems],
    }


def total_closing(root: Row, result: Final, round_no: int | None = None) -> list[str]:
    """The lines after the table that only a card with appraisal, not-applicable criteria, bonus or
    penalty needs: the self and appraised totals (of ``round_no``, default the final round), the
    applicable maximum, and the final points with their parts."""
    lines = []
    if root.rounds:
        lines.append(
            render(
                "total.appraisal-summary",
                self=format_points(root.score, 2),
                round=round_no or root.rounds,
                rounds=root.rounds,
                appraised=format_points(root.appraisal_rounds[(round_no or root.rounds) - 1], 2),
            )
        )
    if result.applicable_max != root.max:
        lines.append(
            render(
                "total.applicable",
                max=format_points(result.applicable_max),
                excluded=format_points(root.max - result.applicable_max),
            )
        )
    if result.bonus or result.penalty or lines:
        lines.append(
            render(
                "total.final-appraised" if root.rounds else "total.final",
                rounds=root.rounds,
                points=format_points(result.points, 2),
                appraised=format_points(result.appraised) or "0",
                survey=format_points(result.survey) or "0",
                bonus=format_points(result.bonus_counted),
                penalty=format_points(result.penalty_counted),
                index=format_points(result.index, 2) if result.index is not None else "—",
            )
        )
    return lines


# --------------------------------------------------------------------------- appraisal, cchc diff


def signed(value: Decimal) -> str:
    """A difference with its sign: +0,5 / -0,0491 / 0."""
    text = format_points(value)
    return f"+{text}" if value > 0 else text


def _delta_cell(value: Decimal | None, places: int | None = None) -> Text:
    """A difference, red below zero and green above."""
    from rich.text import Text

    if value is None:
        return Text("")
    text = format_points(value, places)
    if value > 0:
        text = "+" + text
    return Text(text, style="red" if value < 0 else "green" if value > 0 else "")


#: Below this many columns the council's note and the unit's reply go under the criterion's name
#: instead of into columns of their own, which would be too narrow to read.
WIDE_DIFF = 120


def appraisal_diff_table(diff: AppraisalDiff, width: int = WIDE_DIFF) -> Table:
    """``cchc diff FILE``: the criteria the council changed, with its notes and the unit's replies."""
    from rich.table import Table
    from rich.text import Text

    wide = width >= WIDE_DIFF
    table = Table(
        title=render("diff.title", file=diff.file, round=diff.round, rounds=diff.rounds),
        title_justify="center" if width < UNLIMITED else "left",
        header_style="bold",
        show_lines=True,
    )
    table.add_column(render("total.col.tt"), justify="right", no_wrap=True)
    table.add_column(render("total.col.criterion"), ratio=2)
    table.add_column(render("diff.col.self"), justify="right", no_wrap=True)
    table.add_column(render("diff.col.appraised"), justify="right", no_wrap=True)
    table.add_column(render("diff.col.delta"), justify="right", no_wrap=True)
    if wide:
        table.add_column(render("diff.col.note"), ratio=2)
        table.add_column(render("diff.col.reply"), ratio=2)
    for change in diff.changes:
        name = Text(f"{change.id}. {change.title}")
        if not wide:
            for label, text in (("diff.col.note", change.note), ("diff.col.reply", change.reply)):
                if text:
                    name.append(f"\n{render(label)}: ", style="italic")
                    name.append(text)
        extra = [change.note or "", change.reply or ""] if wide else []
        table.add_row(
            change.tt or change.id,
            name,
            format_points(change.self),
            format_points(change.appraised),
            _delta_cell(change.delta),
            *extra,
        )
    return table


def diff_totals(fields: list[FieldDelta], total: str) -> list[str]:
    """The difference per field, then the total line."""
    lines = [render("diff.fields")] if fields else []
    lines += ["  " + render("diff.field", id=f.id, title=f.title, delta=signed(f.delta)) for f in fields]
    return [*lines, total]


def _pair(old: Decimal | None, new: Decimal | None) -> str:
    if old == new:
        return format_points(new)
    return f"{format_points(old) or '—'} → {format_points(new) or '—'}"


def card_diff_table(diff: CardDiff, width: int = UNLIMITED) -> Table:
    """``cchc diff OLD NEW``: the criteria whose max, self score or final appraisal changed."""
    from rich.table import Table

    table = Table(
        title=render("diff.title-cards", old=diff.old_file, new=diff.new_file),
        header_style="bold",
        title_justify="center" if width < UNLIMITED else "left",
    )
    table.add_column(render("total.col.tt"), justify="right", no_wrap=True)
    table.add_column(render("total.col.criterion"), ratio=1)
    table.add_column(render("total.col.max"), justify="right", no_wrap=True)
    table.add_column(render("diff.col.self"), justify="right", no_wrap=True)
    table.add_column(render("diff.col.appraised"), justify="right", no_wrap=True)
    table.add_column(render("diff.col.delta"), justify="right", no_wrap=True)
    for change in diff.changes:
        old, new = change.old, change.new
        table.add_row(
            change.tt or change.id,
            f"{change.id}. {change.title}",
            _pair(old.max, new.max),
            _pair(old.self, new.self),
            _pair(old.appraised, new.appraised),
            _delta_cell(change.delta),
        )
    return table


def card_diff_lines(diff: CardDiff) -> list[str]:
    """Added and removed criteria, the difference per field and of the final points."""
    lines = []
    if diff.added:
        lines.append(render("diff.added", count=len(diff.added), ids=", ".join(a.id for a in diff.added)))
    if diff.removed:
        lines.append(render("diff.removed", count=len(diff.removed), ids=", ".join(r.id for r in diff.removed)))
    total = render(
        "diff.total-cards",
        old=format_points(diff.old_total, 2),
        new=format_points(diff.new_total, 2),
        delta=signed(diff.total_delta),
    )
    return lines + diff_totals(diff.fields, total)
