"""The command line (click): the only place that maps errors to exit codes."""
