"""Chain-of-Region supervision and the rows TRL's trainers take.

Targets come from the geocoder by rules (:func:`geor.engine.geo.geocoder.chain.region_chains`),
never from a model. Rows are built when a trainer asks for them, so images are decoded lazily,
with the engine's own image loader (EXIF orientation, pixel budget): training sees the pixels
inference will see.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geor.engine.cor import CURRENT_PROMPT_VERSION, chat_messages
from geor.engine.errors import BadInput
from geor.engine.geo.geocoder.chain import DEFAULT_CITY_KM, fallback_counts, region_chains
from geor.engine.inference.images import DEFAULT_MAX_SIDE, ImageError, load_image

from .samples import GeoSample

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Supervised:
    """A sample with its truth chain and the answer text the model is taught."""

    sample: GeoSample
    country: str | None
    state: str | None
    city: str | None
    target: str


def supervise(samples: list[GeoSample], geocoder: Any, city_km: float = DEFAULT_CITY_KM) -> tuple[list[Supervised], Counter[str]]:
    """Each sample's Chain-of-Region target, and how many chains fell back (by reason)."""
    if not samples:
        return [], Counter()
    lat = np.array([s.lat for s in samples])
    lon = np.array([s.lon for s in samples])
    chains = region_chains(geocoder, lat, lon, city_km=city_km)
    out = [Supervised(s, c.country, c.state, c.city, c.cor_text()) for s, c in zip(samples, chains, strict=True) if not c.error]
    return out, fallback_counts(chains)


class ChainRows:
    """Builds the rows TRL's trainers read: ``prompt`` (the engine's chat turn), ``images``
    (decoded when a batch is drawn), ``completion`` (SFT only) and the truth columns the rewards
    read. :meth:`dataset` returns a ``datasets.Dataset`` whose transform does the decoding.

    An image that fails to decode at training time (it passed the reader's header check) is
    logged with its path and replaced by the next good sample, so one bad file never stops a run.
    """

    def __init__(self, rows: list[Supervised], with_completion: bool, max_pixels: int | None = None,
                 prompt_version: str = CURRENT_PROMPT_VERSION, max_side: int = DEFAULT_MAX_SIDE) -> None:
        if not rows:
            raise BadInput("no samples to train on (see the readers' summaries for what was skipped)")
        self.rows, self.with_completion = rows, with_completion
        self.max_pixels, self.max_side, self.prompt_version = max_pixels, max_side, prompt_version
        self.bad_images: set[Path] = set()

    def dataset(self) -> Any:
        from datasets import Dataset

        table = Dataset.from_dict({"index": list(range(len(self.rows)))})
        table.set_transform(self._transform)
        return table

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, index: int) -> dict[str, Any]:
        """The row of sample ``index`` (or of the next decodable one)."""
        for offset in range(len(self.rows)):
            row = self.rows[(index + offset) % len(self.rows)]
            if row.sample.image in self.bad_images:
                continue
            try:
                image = load_image(row.sample.image, self.max_side, self.max_pixels).to_pil()
            except ImageError as exc:
                log.warning("skipping a photo that cannot be decoded: %s", exc)
                self.bad_images.add(row.sample.image)
                continue
            item: dict[str, Any] = {
                "id": row.sample.id,
                "prompt": chat_messages(self.prompt_version),
                "images": [image],
                "lat": row.sample.lat, "lon": row.sample.lon,
                "country": row.country, "state": row.state, "city": row.city,
            }
            if self.with_completion:
                item["completion"] = [{"role": "assistant", "content": [{"type": "text", "text": row.target}]}]
            return item
        raise BadInput("none of the dataset's images can be decoded")

    def _transform(self, batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        items = [self.row(i) for i in batch["index"]]
        return {key: [item[key] for item in items] for key in items[0]}
