"""Output formats. Each module turns a GradeReport (or many) into one format."""
