"""Stage 1, the scan: sources and pages from files (PDF, TIFF, JPEG, PNG), deskew."""
