"""Claim-by-claim verification of the papers: theory vs practice.

Paper modules live beside this file (`verify/lazy_rich.py`, ...), each with a module-level
`CLAIMS` list; the shared machinery (claims, run store, executor, metrics, report) lives in
`verify.core`. Run everything with `python -m verify.all`.
"""
