"""onnxruntime sessions for OCR models, set up for shared CPU cores."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnxruntime


def cpu_session(model: Path, threads: int) -> onnxruntime.InferenceSession:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle inference threads sleep instead of spinning: the cores are shared
    # (batch workers, other jobs), and spinning threads burn their time.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # onnxruntime's memory arena (RapidOCR turns it off) keeps freed tensors
    # for the next batch instead of allocating them again: 10% less CPU.
    options.enable_cpu_mem_arena = True
    return ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
