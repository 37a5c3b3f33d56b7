"""`python -m verify.icl`: run this paper's claims through the shared CLI."""

from verify.core.cli import main_for_paper

raise SystemExit(main_for_paper("icl"))
