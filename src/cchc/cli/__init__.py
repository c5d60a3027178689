"""The command line, ``cchc COMMAND ...``, on Typer. It only parses options, calls the core, renders
and picks the exit code (0 ok, 1 problems, 2 bad input or usage, 3 internal error).

- ``start.py``: the console-script entry point: the process settings of ``process.py`` (cycle
  collector thresholds, no Pydantic plugin scan) made before the heavy imports, then ``app.main``.
- ``app.py``: the Typer app, the global options (``--lang``, ``--version``), the ``COMMANDS`` list,
  and ``main``, the console-script entry point with its exit codes (it makes only the command its
  command line names, which is all a run needs).
- ``commands/``: one module per command, each one function whose parameters are its options; the
  package holds what several share (output formats, value parsers, common options).
- ``language.py``: Typer in the user's language (help texts, usage line, usage errors).
- ``reporters.py``: rendering of the core's results (text, JSON, GitHub annotations, Rich tables).

Adding a command: write ``commands/NAME.py`` with one function (options as
``Annotated[..., typer.Option(...)]``, help texts and metavars as message keys of ``cchc.messages``,
leaving with ``typer.Exit(code)``), and add one line ``(name, help key, function)`` to
``COMMANDS`` in ``app.py``.
"""
