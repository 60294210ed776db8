"""Plumbing every layer may use: atomic writes, output-path checks, progress lines, small numeric functions."""
