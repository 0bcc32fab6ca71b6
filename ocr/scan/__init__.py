"""The scan: sources and pages from files (PDF, TIFF, JPEG, PNG), deskew."""
