"""Batches: plan the pages, run them, store each result, watch a hot folder.

``options`` what a batch is asked and reports, ``plan`` the pages to run (hashes,
page rows, skips), ``run`` the batch itself (the main process is the single writer to
the archive), ``executors`` where pages run (``inline``; ``workers`` the local process
pool; ``cluster`` Dask), ``jobs`` one page in a worker process, ``watch`` the hot
folder, ``assemble`` an issue's articles from its stored lines.
"""
