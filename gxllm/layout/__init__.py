"""Layout: a page's positioned pieces rebuilt into the lines the pipeline reads.

A page arrives as :class:`~gxllm.layout.boxes.Word` pieces (text with a box:
PDF characters or OCR text lines) and :class:`~gxllm.layout.boxes.Rule`
segments (ruling lines: PDF strokes and rectangle edges, or lines found in a
scan). Ruled tables become grids of cells (:mod:`~gxllm.layout.grids`),
unruled ones are found from their column gaps (:mod:`~gxllm.layout.unruled`),
the rest becomes text lines in reading order (:mod:`~gxllm.layout.lines`);
:mod:`~gxllm.layout.page` does one page, :mod:`~gxllm.layout.rows` joins a
document's pages (a table continued on the next page is one table) into
:class:`~gxllm.document.Line` s, one per table row with its cells joined by
tabs, the way the HTML reader flattens ``<table>`` markup.

The readers of PDFs and images and the OCR use this stage; it uses neither,
and knows nothing of the report's template.

Coordinates are whatever the caller uses (PDF points or image pixels), origin
top-left; ``unit`` is the size of one PDF point in them, so tolerances are
stated once in points.
"""
