"""Reports over many scorecards: ``summary`` (one small summary per card), ``ranking`` (ranks, ties,
bands, last year's change), ``workbook`` (the ranking as an Excel workbook) and ``html`` (the report
page, from the Jinja2 templates in ``templates/``)."""
