"""``cchc evidence FILE``: the table of cited documents, with the citation warnings."""

import typer

from cchc.cli.commands import EvidenceDir, Format, OutputFormat, ScorecardFile, Width


def evidence(
    file: ScorecardFile,
    output_format: Format = OutputFormat.text,
    evidence_dir: EvidenceDir = None,
    width: Width = None,
) -> None:
    """Print the index of cited documents; exit 1 when the scorecard has an error."""
    from cchc.checks import run_checks
    from cchc.cli.reporters import dump_json, evidence_table, print_problems, stdout_console
    from cchc.evidence.cited import all_cited, index_documents
    from cchc.scorecard.load import load_file

    loaded = load_file(file)
    if loaded.card is None:
        print_problems(loaded.problems, style="red")
        raise typer.Exit(2 if not loaded.readable else 1)
    documents = index_documents(all_cited(loaded.card, loaded.locations))
    report = run_checks(loaded, evidence_dir)
    evidence_problems = [p for p in report.problems if p.code.startswith("evidence-")]
    if output_format is OutputFormat.json:
        print(
            dump_json(
                {
                    "file": str(file),
                    "documents": [d.to_dict() for d in documents],
                    "problems": [p.to_dict() for p in evidence_problems],
                }
            )
        )
    else:
        out = stdout_console(width)
        out.print(evidence_table(loaded.card, documents, out.width))
        print_problems(evidence_problems, style="yellow")
    raise typer.Exit(1 if report.errors else 0)
