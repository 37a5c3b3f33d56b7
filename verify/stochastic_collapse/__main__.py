"""`python -m verify.stochastic_collapse`: run this paper's claims."""

if __name__ == "__main__":
    from verify.core.cli import main_for_paper

    raise SystemExit(main_for_paper("stochastic_collapse"))
