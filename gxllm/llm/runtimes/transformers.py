"""The reference runtime: Hugging Face transformers, on CUDA when present, else CPU.

On CPU the weights run in float32: bfloat16 measured seven times slower on
the 2-core machines this was built on. Only safetensors folders and GGUF
files are loaded, never pickled weights or code shipped with a model.
"""

from __future__ import annotations

import time

from gxllm.llm.errors import AnswerTimeout, RuntimeUnavailable
from gxllm.llm.models import ModelFiles
from gxllm.llm.runtimes.base import Completion, Message


class TransformersRuntime:
    def __init__(self, files: ModelFiles, *, timeout_s: float):
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as error:
            raise RuntimeUnavailable(
                f"the transformers runtime needs torch and transformers: pip install 'gxllm[llm]' ({error})"
            ) from None
        self._torch = torch
        self._timeout_s = timeout_s
        self.model_id = f"transformers:{files.identity}"
        self._device = "cuda" if torch.cuda.is_available() else "cpu"
        if files.path.is_file():
            folder, options = files.path.parent, {"gguf_file": files.path.name}
        else:
            folder, options = files.path, {"use_safetensors": True}
        self._tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False, **options)
        self._model = AutoModelForCausalLM.from_pretrained(
            folder,
            dtype=torch.bfloat16 if self._device == "cuda" else torch.float32,
            trust_remote_code=False,
            **options,
        ).to(self._device)
        self._model.eval()

    def complete(self, messages: list[Message], *, max_tokens: int) -> Completion:
        from transformers import GenerationConfig

        defaults = self._model.generation_config
        # Greedy, whatever sampling the model's own generation_config suggests.
        config = GenerationConfig(
            max_new_tokens=max_tokens,
            do_sample=False,
            max_time=self._timeout_s,
            eos_token_id=defaults.eos_token_id,
            pad_token_id=defaults.pad_token_id if defaults.pad_token_id is not None else defaults.eos_token_id,
        )
        inputs = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        ).to(self._device)
        started = time.perf_counter()
        with self._torch.inference_mode():
            output = self._model.generate(**inputs, generation_config=config)
        seconds = time.perf_counter() - started
        tokens_in = int(inputs["input_ids"].shape[1])
        generated = output[0, tokens_in:].tolist()
        ended = bool(generated) and generated[-1] in _as_list(config.eos_token_id)
        if seconds >= self._timeout_s and not ended:
            raise AnswerTimeout(f"{self.model_id}: no answer within {self._timeout_s:g} s")
        return Completion(
            text=self._tokenizer.decode(generated, skip_special_tokens=True),
            tokens_in=tokens_in,
            tokens_out=len(generated),
            seconds=seconds,
            finish_reason="stop" if ended or len(generated) < max_tokens else "length",
        )


def _as_list(token_ids: int | list[int] | None) -> list[int]:
    if token_ids is None:
        return []
    return [token_ids] if isinstance(token_ids, int) else list(token_ids)
