"""The command line (click): the only place that maps errors to exit codes.

``main`` the ``ocr`` group and :func:`~ocr.cli.main.main`; one module per command group
(``process`` with ``retry``, ``status``, ``export``, ``articles``, ``models``);
``progress`` the progress display; ``common`` the ``--db`` option.
"""
