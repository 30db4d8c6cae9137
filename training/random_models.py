"""Random-weight vision-language checkpoints built from a configuration alone, offline.

Two uses: tests need small models that every stage (training, export, the engine's backends) can
really run, and benchmarks need models of a published model's exact shapes (random weights cost
the same compute as trained ones). Nothing here downloads anything: the tokenizer is a byte-level
BPE trained with ``tokenizers`` on Chain-of-Region text, wrapped in the family's tokenizer class
with the family's special tokens, and the chat template is the family's real one (from TRL's package data).

    build_checkpoint("qwen2.5-vl", out_dir)                 # tiny: about 0.2 M parameters
    build_checkpoint("qwen2.5-vl", out_dir, size="3b")      # Qwen2.5-VL-3B-Instruct's shapes
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from geor.engine.cor import CorAnswer, render_answer
from geor.engine.errors import BadOption
from geor.engine.models.gguf_file import KNOWN_PRE_TOKENIZERS

QWEN_SPECIAL_TOKENS = (
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
    "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>",
)



def family_chat_template(family: str) -> str:
    """The family's published chat template, as TRL ships it (``trl/chat_templates``)."""
    from importlib.resources import files

    name = {"qwen2.5-vl": "qwen2_5_vl.jinja", "qwen3-vl": "qwen3_vl.jinja"}[family]
    return (files("trl") / "chat_templates" / name).read_text(encoding="utf-8")


_TINY_TEXT: dict[str, Any] = dict(
    hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
    max_position_embeddings=4096, rms_norm_eps=1e-6, tie_word_embeddings=True,
)
_3B_TEXT: dict[str, Any] = dict(
    hidden_size=2048, intermediate_size=11008, num_hidden_layers=36, num_attention_heads=16, num_key_value_heads=2,
    max_position_embeddings=128000, rms_norm_eps=1e-6, tie_word_embeddings=True,
)
_TINY_VISION = dict(
    depth=3, hidden_size=32, intermediate_size=64, num_heads=2, patch_size=14, spatial_merge_size=2,
    temporal_patch_size=2, window_size=112, fullatt_block_indexes=[2], out_hidden_size=64, hidden_act="silu",
)
_3B_VISION = dict(
    depth=32, hidden_size=1280, intermediate_size=3420, num_heads=16, patch_size=14, spatial_merge_size=2,
    temporal_patch_size=2, window_size=112, fullatt_block_indexes=[7, 15, 23, 31], out_hidden_size=2048, hidden_act="silu",
)
SIZES = ("tiny", "3b")
FAMILIES = ("qwen2.5-vl", "qwen3-vl")  # Qwen3-VL: tiny only


def tokenizer_corpus() -> list[str]:
    """Text the tiny tokenizer's merges are trained on: the Chain-of-Region format and its prompt."""
    from geor.engine.cor import instruction

    places = [
        ("Japan", "Hokkaido", "Biei Town", 43.452, 142.615), ("France", "Ile-de-France", "Paris", 48.8566, 2.3522),
        ("Brazil", "Rio de Janeiro", "Rio de Janeiro", -22.9068, -43.1729), ("Kenya", "Nairobi", "Nairobi", -1.2921, 36.8219),
        ("Australia", "New South Wales", "Sydney", -33.8688, 151.2093), ("Canada", "Quebec", "Montreal", 45.5019, -73.5674),
        ("United States", "California", "San Francisco", 37.7749, -122.4194), ("India", "Maharashtra", "Mumbai", 19.076, 72.8777),
    ]
    texts = [instruction(), instruction(reasoning=True)]
    texts += [render_answer(CorAnswer(country=country, state=state, city=city, lat=lat, lon=lon)) for country, state, city, lat, lon in places]
    return texts * 4


def build_tokenizer(out_dir: Path, chat_template: str, vocab_size: int = 512) -> Any:
    """A Qwen2-style byte-level BPE tokenizer trained offline; saved to ``out_dir`` and returned."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import Qwen2Tokenizer  # the tokenizers-backed class (Qwen2TokenizerFast is its alias)

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(KNOWN_PRE_TOKENIZERS["qwen2"]), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[], show_progress=False,
    )
    core.train_from_iterator(tokenizer_corpus(), trainer=trainer)
    tokenizer = Qwen2Tokenizer(
        tokenizer_object=core, bos_token=None, eos_token="<|im_end|>", pad_token="<|endoftext|>",
        unk_token=None,  # type: ignore[arg-type]  # typed str; byte-level BPE has no unknown token
        additional_special_tokens=list(QWEN_SPECIAL_TOKENS),
    )
    tokenizer.chat_template = chat_template
    tokenizer.save_pretrained(out_dir)
    return tokenizer


def _qwen25_config(size: str, tokenizer: Any) -> Any:
    from transformers import Qwen2_5_VLConfig

    text = dict(_TINY_TEXT if size == "tiny" else _3B_TEXT)
    head_dim = text["hidden_size"] // text["num_attention_heads"]
    # mrope sections (temporal, height, width) must add up to half the head dimension
    unit = head_dim // 16
    mrope = [2 * unit, 3 * unit, 3 * unit]  # [16, 24, 24] at head_dim 128, as published
    vocab = {"tiny": len(tokenizer), "3b": 151936}[size]
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in QWEN_SPECIAL_TOKENS}
    return Qwen2_5_VLConfig(
        text_config=dict(
            **text, vocab_size=vocab, hidden_act="silu", use_sliding_window=False,
            rope_parameters={"rope_type": "default", "rope_theta": 1_000_000.0, "mrope_section": mrope},
            bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"],
        ),
        vision_config=dict(_TINY_VISION if size == "tiny" else _3B_VISION),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=text["tie_word_embeddings"],
    )


def _qwen3_tiny_config(tokenizer: Any) -> Any:
    """Qwen3-VL at toy size: explicit head_dim, interleaved 3-part mrope, patch 16, deepstack below the depth."""
    from transformers import Qwen3VLConfig

    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in QWEN_SPECIAL_TOKENS}
    return Qwen3VLConfig(
        text_config=dict(
            vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=3, num_attention_heads=4,
            num_key_value_heads=2, head_dim=16, max_position_embeddings=4096, rms_norm_eps=1e-6, tie_word_embeddings=True,
            rope_parameters={"rope_type": "default", "rope_theta": 5_000_000.0, "mrope_section": [2, 3, 3], "mrope_interleaved": True},
            bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"],
        ),
        vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, patch_size=16, spatial_merge_size=2,
                           temporal_patch_size=2, out_hidden_size=64, num_position_embeddings=64, deepstack_visual_indexes=[1]),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"], tie_word_embeddings=True,
    )


def _processor(family: str, tokenizer: Any, template: str, side: int) -> Any:
    from transformers import Qwen2_5_VLProcessor, Qwen2VLImageProcessor, Qwen2VLVideoProcessor, Qwen3VLProcessor

    if family == "qwen3-vl":
        from transformers.models.qwen3_vl.video_processing_qwen3_vl import Qwen3VLVideoProcessor

        image_processor = Qwen2VLImageProcessor(min_pixels=side * side, max_pixels=side * side, patch_size=16, merge_size=2,
                                                temporal_patch_size=2, image_mean=[0.5] * 3, image_std=[0.5] * 3)
        video = Qwen3VLVideoProcessor(patch_size=16, merge_size=2, temporal_patch_size=2)
        return Qwen3VLProcessor(image_processor=image_processor, tokenizer=tokenizer, video_processor=video, chat_template=template)
    image_processor = Qwen2VLImageProcessor(
        min_pixels=side * side, max_pixels=side * side, patch_size=14, merge_size=2, temporal_patch_size=2,
    )
    video_processor = Qwen2VLVideoProcessor(min_pixels=side * side, max_pixels=side * side)
    return Qwen2_5_VLProcessor(image_processor=image_processor, tokenizer=tokenizer, video_processor=video_processor, chat_template=template)


def build_checkpoint(family: str, out_dir: Path, size: str = "tiny", seed: int = 0, image_side: int | None = None,
                     dtype: str = "float32") -> Path:
    """Write a random-weight checkpoint folder (safetensors, tokenizer, processor, chat template).

    ``image_side`` bounds the processor's image size (pixels per side); tiny models default to 112
    (16 image tokens; llama.cpp's Qwen2.5-VL projector needs at least 6,272 pixels), realistic sizes
    to 448 (256 image tokens), as in the benchmarks.
    """
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    if family not in FAMILIES:
        raise BadOption(f"random checkpoints exist for {', '.join(FAMILIES)}, not {family!r}")
    if size not in SIZES or (family == "qwen3-vl" and size != "tiny"):
        raise BadOption(f"no {size!r} size of {family}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    template = family_chat_template(family)
    tokenizer = build_tokenizer(out_dir, template)
    if family == "qwen3-vl":
        config = _qwen3_tiny_config(tokenizer)
        config.architectures = ["Qwen3VLForConditionalGeneration"]
    else:
        config = _qwen25_config(size, tokenizer)
        config.architectures = ["Qwen2_5_VLForConditionalGeneration"]
    side = image_side or (112 if size == "tiny" else 448)
    processor = _processor(family, tokenizer, template, side)
    torch_dtype = getattr(torch, dtype)
    with torch.device("cpu"):
        model = AutoModelForImageTextToText.from_config(config, dtype=torch_dtype)
    if size == "tiny":  # larger weights than the default init so that random outputs vary with the input
        with torch.no_grad():
            for parameter in model.parameters():
                if parameter.dim() > 1:
                    parameter.normal_(0.0, 0.2)
    model.generation_config.eos_token_id = config.text_config.eos_token_id
    model.generation_config.pad_token_id = config.text_config.pad_token_id
    model.save_pretrained(out_dir, safe_serialization=True)
    processor.save_pretrained(out_dir)
    AutoProcessor.from_pretrained(out_dir)  # fails here, not later, if the folder does not load
    (out_dir / "geor-random.json").write_text(json.dumps({"family": family, "size": size, "seed": seed}) + "\n")
    return out_dir
