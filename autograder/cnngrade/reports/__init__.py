"""Output formats. Each module turns a GradeReport (report.py), or a class of them, into one format."""
