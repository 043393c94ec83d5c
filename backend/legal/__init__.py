"""The legal document engine, below every app that issues or shows a document.

A jurisdiction's pack (``common.packs``) says which documents it issues, in which
languages, and which clauses each must hold; this package turns display-ready data into
the pack's HTML (``rendering``), the HTML into a PDF (``pdf``), reads the text back
(``text``) and proves every required clause is there (``compliance``). ``refunds`` is the
pack's cancellation arithmetic, which a contract's quote and its documents' wording share.

It knows no contract, plan or warranty: each app that owns one builds its data
(``documents.data``, ``plans.specimen``, ``catalog.warranty_document``) and calls in here.
"""
