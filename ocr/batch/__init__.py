"""Batches: plan the pages, run them (inline, worker pool, Dask), store each result, watch
a hot folder. The main process is the single writer to the archive."""
