"""What the project builds from its single sources: the student template, the otter zip, bundles."""
