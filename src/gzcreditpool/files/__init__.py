"""The pool's CSV files: readers that name the file, line and reason of bad input, and the
decisions writer (a temporary file renamed into place, so a failed run writes nothing)."""
