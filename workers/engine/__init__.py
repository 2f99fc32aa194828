"""Engine, deployment and model tooling behind the `crossdept` command."""
