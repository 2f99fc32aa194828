"""The engine room: our Camunda engine's lifecycle (`lifecycle`), the workers' user and its grants
(`access`), deployment (`deploy`) and the offline model lint (`lint`), behind `crossdept`."""


class EngineSetupError(RuntimeError):
    """Setting up or running the engine failed; the message says what to do."""
