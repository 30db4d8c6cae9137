"""The model the review asks about single photos on request ("Ask the Model About This Photo"):
loaded on first use, kept for the next question while the settings name the same model, freed
when they change or the app closes. It runs on the review lane, one question at a time."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geor.engine.geo.geocoder import Geocoder
    from geor.engine.inference.model_request import ModelRequest
    from geor.engine.pipeline.jobstore import JobStore
    from geor.engine.pipeline.model_source import AskSummary


class ModelOnRequest:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._predictor: Any = None
        self._request: ModelRequest | None = None

    def ask(self, store: JobStore, photo_ids: list[int], request: ModelRequest, geocoder: Geocoder) -> AskSummary:
        from geor.engine.pipeline.model_source import ask_alone
        from geor.engine.pipeline.place_names import place_namer_for
        from geor.engine.pipeline.tag_request import open_model

        with self._lock:
            if self._request != request:
                self._close()
                self._predictor = open_model(request, geocoder)
                self._request = request
            return ask_alone(store, photo_ids, self._predictor, request.identity, place_namer_for(geocoder))

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._predictor is not None:
            self._predictor.backend.close()
        self._predictor, self._request = None, None
