"""Work hand-over (工作交接, policy §3.2): the building blocks its workers use."""
