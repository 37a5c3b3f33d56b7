"""`python -m verify.class_manifolds`: run this paper's claims."""

from verify.core.cli import main_for_paper

if __name__ == "__main__":
    raise SystemExit(main_for_paper("class_manifolds"))
