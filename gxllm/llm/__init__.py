"""The optional language model: grounded narrative, metadata and table-row reading.

Nothing here runs unless ``GXLLM_LLM_RUNTIME`` names a runtime; the
pipeline then opens one client (:func:`open_client`) and passes it to the
tasks in :mod:`gxllm.llm.tasks`.
"""
