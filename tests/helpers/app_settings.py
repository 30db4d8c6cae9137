"""The desktop's settings for a test, from a few words: model settings (model, device, threads,
max_tokens, max_pixels, per_scene: ModelRequest's fields, 0 threads or pixels meaning the default)
and job options (TagOptions' fields; tracks and clocks as lists, tz as text)."""

import dataclasses

from geor.desktop.settings import JOB_DEFAULTS, NO_MODEL, AppSettings
from geor.engine.inference.model_request import ModelRequest

MODEL_FIELDS = {f.name for f in dataclasses.fields(ModelRequest)}


def app_settings(**given) -> AppSettings:
    model = {k: v for k, v in given.items() if k in MODEL_FIELDS}
    for key in ("threads", "max_pixels"):
        if key in model:
            model[key] = model[key] or None
    options = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items() if k not in MODEL_FIELDS}
    return AppSettings(options=dataclasses.replace(JOB_DEFAULTS, **options), model=dataclasses.replace(NO_MODEL, **model))
