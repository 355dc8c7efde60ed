"""Load a spec repository: discover files, parse YAML, resolve code files and references, validate."""
