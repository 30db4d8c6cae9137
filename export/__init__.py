"""``geor-export``: checkpoint -> GGUF (+ vision projector) or ONNX, quantised and verified.

Not implemented yet; see the export issue."""
