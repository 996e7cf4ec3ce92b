"""The evaluation harness: scores a gold directory by docs/record.md §4 (``gxllm eval``).

gold.py finds and checks the cases, metrics.py computes each figure for one
case, perturb.py makes the deliberate errors for the flag test, harness.py
runs the pipeline over a directory, results.py sums the figures, report.py
and compare.py present them.
"""

from gxllm.evaluate.harness import Stages, evaluate
from gxllm.evaluate.results import EvalReport

__all__ = ["EvalReport", "Stages", "evaluate"]
