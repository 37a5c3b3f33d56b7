"""Numerical methods of the papers: gradient-flow ODEs and SDEs integrated with diffrax
(JAX, float64), and the algorithms the papers define (SemDeDup, IMP pruning, cutting planes).

One module per paper (`numerics.lazy_rich`, ...).
"""
