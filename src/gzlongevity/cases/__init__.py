"""The intake pipeline (第八条–第十条): tasks to the street, notices, applications."""
