"""The package version (one place: `tokenforge.__version__`, the CLI's --version and every report read it)."""

__version__ = "0.1.0"
