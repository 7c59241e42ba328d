"""The documentation site of the project (make docs): see __main__.py."""
