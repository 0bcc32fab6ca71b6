"""Stage 3, recognition: text lines detected and read in the layout's blocks."""
