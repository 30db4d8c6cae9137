"""Training configs: one YAML file per run, checked before anything heavy starts.

    model: Qwen/Qwen2.5-VL-3B-Instruct      # a hub id or a checkpoint folder (an SFT run's final/)
    output_dir: runs/qwen2.5-vl-3b/sft
    image_max_pixels: 200704                # 448 x 448: the engine's default image budget
    dtype: bfloat16
    lora: {r: 16, alpha: 32, dropout: 0.05} # omit (or null) for a full fine-tune
    data:
      train: [{csv: mp16/MP16_Pro_filtered.csv, images: mp16/images, layout: mp16-pro}]
      eval: [{csv: im2gps3k/im2gps3k_places365.csv, images: im2gps3k/images}]  # else held out of train
      eval_fraction: 0.01
      dedup_km: 1.0
    trainer: {learning_rate: 1.0e-5, ...}   # TRL's SFTConfig / GRPOConfig arguments, passed as they are
    rewards: {coordinate: 1.0, format: 0.2} # GRPO: reward name -> weight
    evaluation: {model: runs/.../final, max_samples: 500}   # geor-train eval

Relative paths are relative to the config file's folder. Unknown keys are errors (a typo must not
silently train with a default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geor.engine.cor import CURRENT_PROMPT_VERSION, PROMPTS
from geor.engine.errors import BadInput

from .rewards import REWARD_NAMES


class ConfigError(BadInput):
    """A config that cannot be used; the message names the file and the key."""


#: Layers LoRA adapts by default: the language model's linear layers (not the vision tower).
DEFAULT_LORA_TARGETS = r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)"


@dataclass(frozen=True)
class LoraSettings:
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: str | list[str] = DEFAULT_LORA_TARGETS


@dataclass(frozen=True, kw_only=True)
class DataSettings:
    train: list[dict[str, Any]] = field(default_factory=list)
    eval: list[dict[str, Any]] = field(default_factory=list)
    eval_fraction: float = 0.01
    dedup_km: float = 1.0
    seed: int = 0
    max_train_samples: int | None = None
    max_eval_samples: int | None = None
    city_km: float = 50.0


@dataclass(frozen=True, kw_only=True)
class EvalSettings:
    model: str | None = None
    out: str = "eval"
    max_samples: int | None = None
    samples: int = 1
    max_new_tokens: int = 128
    threads: int | None = None
    device: str = "auto"


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    path: Path
    model: str
    output_dir: Path
    data: DataSettings
    image_max_pixels: int | None = 448 * 448
    dtype: str = "bfloat16"
    attn_implementation: str | None = None
    freeze_vision: bool = True
    lora: LoraSettings | None = None
    prompt_version: str = CURRENT_PROMPT_VERSION
    trainer: dict[str, Any] = field(default_factory=dict)
    rewards: dict[str, float] = field(default_factory=lambda: {"coordinate": 1.0})
    evaluation: EvalSettings = field(default_factory=EvalSettings)
    geocoder_pack: Path | None = None

    def resolve(self, value: str | Path) -> Path:
        """A path from the config, relative to the config file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.path.parent / path

    def model_reference(self) -> str:
        """The model as a local folder when one exists beside the config, else as written (hub id)."""
        local = self.resolve(self.model)
        return str(local) if local.exists() else self.model


def load_config(path: Path) -> TrainConfig:
    import yaml

    path = Path(path).absolute()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, expected a YAML config file") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path) -> TrainConfig:
    where = str(path)
    _known(data, {f for f in TrainConfig.__dataclass_fields__ if f != "path"}, where)
    for key in ("model", "output_dir"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ConfigError(f"{where}: '{key}' is required (a string)")
    raw_data = _mapping(data.get("data") or {}, f"{where}: data")
    _known(raw_data, set(DataSettings.__dataclass_fields__), f"{where}: data")
    for split in ("train", "eval"):
        sources = raw_data.get(split) or []
        if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
            raise ConfigError(f"{where}: data.{split} must be a list of datasets ({{csv, images, layout}} or {{photos}})")
        raw_data[split] = [_source(s, path.parent, f"{where}: data.{split}") for s in sources]
    settings = DataSettings(**raw_data)
    if not 0.0 <= settings.eval_fraction < 1.0:
        raise ConfigError(f"{where}: data.eval_fraction must be in [0, 1)")

    lora = data.get("lora")
    if lora is not None:
        lora = _mapping(lora, f"{where}: lora")
        _known(lora, set(LoraSettings.__dataclass_fields__), f"{where}: lora")
        lora = LoraSettings(**lora)
    rewards = _mapping(data.get("rewards") or {"coordinate": 1.0}, f"{where}: rewards")
    unknown = sorted(set(rewards) - set(REWARD_NAMES))
    if unknown:
        raise ConfigError(f"{where}: rewards: unknown reward {unknown[0]!r}; known: {', '.join(REWARD_NAMES)}")
    if not all(isinstance(w, (int, float)) for w in rewards.values()):
        raise ConfigError(f"{where}: rewards: every weight must be a number")
    evaluation = _mapping(data.get("evaluation") or {}, f"{where}: evaluation")
    _known(evaluation, set(EvalSettings.__dataclass_fields__), f"{where}: evaluation")
    prompt_version = data.get("prompt_version", CURRENT_PROMPT_VERSION)
    if prompt_version not in PROMPTS:
        raise ConfigError(f"{where}: prompt_version {prompt_version!r} is unknown; known: {', '.join(PROMPTS)}")
    trainer = _mapping(data.get("trainer") or {}, f"{where}: trainer")
    if "output_dir" in trainer:
        raise ConfigError(f"{where}: set output_dir at the top level, not under trainer")
    config = TrainConfig(
        path=path, model=data["model"], output_dir=Path(data["output_dir"]), data=settings,
        image_max_pixels=data.get("image_max_pixels", 448 * 448), dtype=data.get("dtype", "bfloat16"),
        attn_implementation=data.get("attn_implementation"), freeze_vision=bool(data.get("freeze_vision", True)),
        lora=lora, prompt_version=prompt_version, trainer=trainer, rewards={k: float(v) for k, v in rewards.items()},
        evaluation=EvalSettings(**evaluation),
        geocoder_pack=Path(data["geocoder_pack"]) if data.get("geocoder_pack") else None,
    )
    if config.dtype not in ("bfloat16", "float16", "float32", "auto"):
        raise ConfigError(f"{where}: dtype must be bfloat16, float16, float32 or auto, not {config.dtype!r}")
    return _with_resolved_paths(config)


def _with_resolved_paths(config: TrainConfig) -> TrainConfig:
    from dataclasses import replace

    return replace(config, output_dir=config.resolve(config.output_dir),
                   geocoder_pack=config.resolve(config.geocoder_pack) if config.geocoder_pack else None)


def _source(source: dict[str, Any], base: Path, where: str) -> dict[str, Any]:
    allowed = {"csv", "images", "layout", "photos", "check_images"}
    _known(source, allowed, where)
    out = dict(source)
    for key in ("csv", "images", "photos"):
        if key in out:
            path = Path(str(out[key])).expanduser()
            out[key] = str(path if path.is_absolute() else base / path)
    if "photos" not in out and not ("csv" in out and "images" in out):
        raise ConfigError(f"{where}: a dataset needs 'photos: FOLDER', or 'csv: FILE' and 'images: FOLDER'")
    return out


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
    return dict(value)


def _known(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(allowed))})")
